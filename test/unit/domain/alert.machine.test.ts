import {
  ErrorCodes,
  isKeylessError,
  systemActor,
  transitionAlert,
  type AlertStatus,
  type AlertTransition,
  type RemediationStatus,
} from '../../../src';
import { T0 } from '../../builders';
import { aFinding, anAlert } from '../../builders/alerts';

const actor = systemActor('test');
const at = T0 + 60_000;
const finding = aFinding();
const checked = { status: 'Active' as const, lastUsedAt: null, at };

const statusEvents: Record<string, AlertTransition> = {
  seen: { type: 'seen', actor, at, finding },
  new_incident: { type: 'new_incident', actor, at, finding },
  acknowledge: { type: 'acknowledge', actor, at },
  snooze: { type: 'snooze', actor, at, until: at + 7 * 86_400_000, reason: 'rotation planned' },
  snooze_ended: { type: 'snooze_ended', actor, at },
  resolve: { type: 'resolve', actor, at, reason: 'gone' },
};

type Cell = AlertStatus | 'noop' | 'invalid';
const expected: Record<AlertStatus, Record<string, Cell>> = {
  open: {
    seen: 'open',
    new_incident: 'open',
    acknowledge: 'acknowledged',
    snooze: 'snoozed',
    snooze_ended: 'noop',
    resolve: 'resolved',
  },
  acknowledged: {
    seen: 'acknowledged',
    new_incident: 'open',
    acknowledge: 'noop',
    snooze: 'snoozed',
    snooze_ended: 'noop',
    resolve: 'resolved',
  },
  snoozed: {
    seen: 'snoozed',
    new_incident: 'open',
    acknowledge: 'acknowledged',
    snooze: 'snoozed',
    snooze_ended: 'open',
    resolve: 'resolved',
  },
  resolved: {
    seen: 'noop',
    new_incident: 'open',
    acknowledge: 'invalid',
    snooze: 'invalid',
    snooze_ended: 'noop',
    resolve: 'noop',
  },
};

function outcome(status: AlertStatus, event: AlertTransition): Cell {
  try {
    const t = transitionAlert(anAlert({ status }), event);
    return t ? (t.next.status as Cell) : 'noop';
  } catch (error) {
    if (isKeylessError(error, ErrorCodes.InvalidTransition)) return 'invalid';
    throw error;
  }
}

describe('the alert machine', () => {
  for (const [status, row] of Object.entries(expected) as [AlertStatus, Record<string, Cell>][]) {
    for (const [event, cell] of Object.entries(row)) {
      it(`takes ${status} with ${event} to ${cell}`, () => {
        expect(outcome(status, statusEvents[event]!)).toBe(cell);
      });
    }
  }

  it('counts a repeat and keeps the first sighting', () => {
    const t = transitionAlert(anAlert(), statusEvents.seen!)!;
    expect(t.next).toMatchObject({ occurrences: 2, firstSeenAt: T0, lastSeenAt: at, version: 2 });
  });

  it('starts a new incident with a clean slate: no messages, no acknowledgement, count 1', () => {
    const acked = anAlert({
      status: 'acknowledged',
      acknowledged: { by: actor, at },
      occurrences: 5,
      messages: [{ platform: 'slack', channel: 'C1', messageId: '1.0' }],
    });
    const t = transitionAlert(acked, statusEvents.new_incident!)!;
    expect(t.next).toMatchObject({ status: 'open', incident: 2, occurrences: 1, messages: [] });
    expect(t.next.acknowledged).toBeUndefined();
  });

  it('audits every accepted change with who, when, from and to', () => {
    const t = transitionAlert(anAlert(), statusEvents.snooze!)!;
    expect(t.entry).toMatchObject({
      version: 2,
      event: 'snooze',
      from: 'open',
      to: 'snoozed',
      actor,
      at,
      reason: 'rotation planned',
    });
    expect(t.next.history.at(-1)).toEqual(t.entry);
  });
});

describe('the key deactivation machine', () => {
  const events: Record<string, AlertTransition> = {
    requested: {
      type: 'deactivation_requested',
      actor,
      at,
      accessKeyId: 'AKIAAAAAAAAAAAAA1234',
      userName: 'bob',
      checked,
    },
    approved: { type: 'deactivation_approved', actor, at },
    denied: { type: 'deactivation_denied', actor, at, reason: 'in use' },
    deactivated: { type: 'deactivated', actor, at, reversibleUntil: at + 7 * 86_400_000 },
    failed: { type: 'deactivation_failed', actor, at, message: 'AccessDenied' },
    reactivated: { type: 'reactivated', actor, at },
  };
  const table: Record<RemediationStatus, Record<string, RemediationStatus | 'noop' | 'invalid'>> = {
    none: {
      requested: 'pending_approval',
      approved: 'invalid',
      denied: 'invalid',
      deactivated: 'invalid',
      failed: 'invalid',
      reactivated: 'invalid',
    },
    pending_approval: {
      requested: 'noop',
      approved: 'approved',
      denied: 'denied',
      deactivated: 'invalid',
      failed: 'invalid',
      reactivated: 'invalid',
    },
    approved: {
      requested: 'invalid',
      approved: 'noop',
      denied: 'invalid',
      deactivated: 'done',
      failed: 'failed',
      reactivated: 'invalid',
    },
    done: {
      requested: 'invalid',
      approved: 'noop',
      denied: 'invalid',
      deactivated: 'noop',
      failed: 'invalid',
      reactivated: 'reverted',
    },
    failed: {
      requested: 'pending_approval',
      approved: 'invalid',
      denied: 'invalid',
      deactivated: 'invalid',
      failed: 'invalid',
      reactivated: 'invalid',
    },
    denied: {
      requested: 'pending_approval',
      approved: 'invalid',
      denied: 'invalid',
      deactivated: 'invalid',
      failed: 'invalid',
      reactivated: 'invalid',
    },
    reverted: {
      requested: 'pending_approval',
      approved: 'invalid',
      denied: 'invalid',
      deactivated: 'invalid',
      failed: 'invalid',
      reactivated: 'noop',
    },
  };

  for (const [status, row] of Object.entries(table) as [RemediationStatus, Record<string, string>][]) {
    for (const [event, cell] of Object.entries(row)) {
      it(`takes a deactivation that is ${status} with ${event} to ${cell}`, () => {
        const alert = anAlert({
          remediation: { status, accessKeyId: 'AKIAAAAAAAAAAAAA1234', userName: 'bob', reversibleUntil: at + 1000 },
        });
        let got: string;
        try {
          const t = transitionAlert(alert, events[event]!);
          got = t ? t.next.remediation!.status : 'noop';
        } catch (error) {
          if (!isKeylessError(error, ErrorCodes.InvalidTransition)) throw error;
          got = 'invalid';
        }
        expect(got).toBe(cell);
      });
    }
  }

  it('refuses to reactivate a key once the reversible window is over', () => {
    const alert = anAlert({
      remediation: { status: 'done', accessKeyId: 'AKIAAAAAAAAAAAAA1234', userName: 'bob', reversibleUntil: at - 1 },
    });
    expect(() => transitionAlert(alert, events.reactivated!)).toThrow(/too long ago/);
  });
});
