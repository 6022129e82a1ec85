import {
  ErrorCodes,
  isKeylessError,
  summariseActivity,
  systemActor,
  transitionGrant,
  type Grant,
  type GrantEvent,
  type GrantStatus,
} from '../../../src';
import { aGrant, T0 } from '../../builders';

const actor = systemActor('test');
const at = T0 + 3600_000;
const events: Record<GrantEvent['type'], GrantEvent> = {
  start_reached: { type: 'start_reached', actor, at },
  assignment_confirmed: { type: 'assignment_confirmed', actor, at },
  assignment_failed: { type: 'assignment_failed', actor, at, code: 'ASSIGNMENT_FAILED', message: 'quota' },
  expiry_reached: { type: 'expiry_reached', actor, at },
  revoke_requested: { type: 'revoke_requested', actor, at, reason: 'done' },
  unassignment_confirmed: { type: 'unassignment_confirmed', actor, at },
  unassignment_failed: { type: 'unassignment_failed', actor, at, message: 'throttled' },
  extended: {
    type: 'extended',
    actor,
    at,
    requestedSeconds: 600,
    capSeconds: 7200,
    mode: 'add',
    requestId: 'req-x',
  },
  reminded: { type: 'reminded', actor, at },
  sessions_cut: { type: 'sessions_cut', actor, at, cutFrom: at - 1000, lagMs: 1000 },
  activity_summarised: {
    type: 'activity_summarised',
    actor,
    at,
    step: 1,
    summary: summariseActivity({
      lookup: { events: [], regions: ['us-east-1'], truncated: false, unavailable: [] },
      accountId: '222222222222',
      username: 'rita',
      from: T0,
      to: at,
      fetchedAt: at,
      final: false,
    }),
    nextDueAt: at + 60_000,
  },
};

type Cell = GrantStatus | 'noop' | 'invalid';
/** The design's grant table (§4) cell by cell, plus extension and reminder. */
const expected: Record<GrantStatus, Record<GrantEvent['type'], Cell>> = {
  scheduled: {
    start_reached: 'provisioning',
    assignment_confirmed: 'invalid',
    assignment_failed: 'invalid',
    expiry_reached: 'invalid',
    revoke_requested: 'revoked',
    unassignment_confirmed: 'invalid',
    unassignment_failed: 'invalid',
    extended: 'invalid',
    reminded: 'invalid',
    sessions_cut: 'invalid',
    activity_summarised: 'invalid',
  },
  provisioning: {
    start_reached: 'noop',
    assignment_confirmed: 'active',
    assignment_failed: 'failed',
    expiry_reached: 'invalid',
    revoke_requested: 'deprovisioning',
    unassignment_confirmed: 'invalid',
    unassignment_failed: 'invalid',
    extended: 'provisioning',
    reminded: 'invalid',
    sessions_cut: 'invalid',
    activity_summarised: 'invalid',
  },
  active: {
    start_reached: 'noop',
    assignment_confirmed: 'noop',
    assignment_failed: 'invalid',
    expiry_reached: 'deprovisioning',
    revoke_requested: 'deprovisioning',
    unassignment_confirmed: 'invalid',
    unassignment_failed: 'invalid',
    extended: 'active',
    reminded: 'active',
    sessions_cut: 'invalid',
    activity_summarised: 'invalid',
  },
  deprovisioning: {
    start_reached: 'noop',
    assignment_confirmed: 'invalid',
    assignment_failed: 'invalid',
    expiry_reached: 'noop',
    revoke_requested: 'noop',
    unassignment_confirmed: 'expired',
    unassignment_failed: 'deprovisioning',
    extended: 'invalid',
    reminded: 'noop',
    sessions_cut: 'deprovisioning',
    activity_summarised: 'invalid',
  },
  expired: {
    start_reached: 'noop',
    assignment_confirmed: 'invalid',
    assignment_failed: 'invalid',
    expiry_reached: 'noop',
    revoke_requested: 'noop',
    unassignment_confirmed: 'noop',
    unassignment_failed: 'invalid',
    extended: 'invalid',
    reminded: 'noop',
    sessions_cut: 'expired',
    activity_summarised: 'noop',
  },
  revoked: {
    start_reached: 'noop',
    assignment_confirmed: 'invalid',
    assignment_failed: 'invalid',
    expiry_reached: 'noop',
    revoke_requested: 'noop',
    unassignment_confirmed: 'noop',
    unassignment_failed: 'invalid',
    extended: 'invalid',
    reminded: 'noop',
    sessions_cut: 'revoked',
    activity_summarised: 'noop',
  },
  failed: {
    start_reached: 'noop',
    assignment_confirmed: 'invalid',
    assignment_failed: 'noop',
    expiry_reached: 'invalid',
    revoke_requested: 'noop',
    unassignment_confirmed: 'invalid',
    unassignment_failed: 'invalid',
    extended: 'invalid',
    reminded: 'invalid',
    sessions_cut: 'invalid',
    activity_summarised: 'invalid',
  },
};

function grantIn(status: GrantStatus): Grant {
  if (status === 'scheduled') return aGrant({ status, startsAt: at });
  return aGrant({
    status,
    ...(status === 'provisioning' ? {} : { activatedAt: T0, expiresAt: T0 + 3600_000 }),
    ...(status === 'deprovisioning' ? { endReason: 'expired' as const } : {}),
  });
}

function outcome(grant: Grant, event: GrantEvent): Cell {
  try {
    const t = transitionGrant(grant, event);
    return t ? t.next.status : 'noop';
  } catch (error) {
    if (isKeylessError(error, ErrorCodes.InvalidTransition)) return 'invalid';
    throw error;
  }
}

describe('access that starts later (scheduled)', () => {
  const startsAt = T0 + 3600_000;
  const scheduled = () => aGrant({ status: 'scheduled', startsAt });

  it('never starts before its start, on any path: start_reached 1 ms early is refused', () => {
    expect(outcome(scheduled(), { type: 'start_reached', actor, at: startsAt - 1 })).toBe('invalid');
    const started = transitionGrant(scheduled(), { type: 'start_reached', actor, at: startsAt + 250 })!;
    expect(started.next.status).toBe('provisioning');
    expect(started.audit.details).toMatchObject({ startsAt, lagMs: 250 });
  });

  it('is cancelled at once (revoked, ended, nothing to remove) before its start', () => {
    const cancelled = transitionGrant(scheduled(), { type: 'revoke_requested', actor, at: T0 + 60_000, reason: 'no' })!;
    expect(cancelled.next).toMatchObject({ status: 'revoked', endReason: 'revoked', endedAt: T0 + 60_000 });
    expect(cancelled.next.activatedAt).toBeUndefined();
  });

  it('counts its duration from the activation, not from the approval', () => {
    const g = aGrant({ status: 'scheduled', startsAt, durationSeconds: 7200, capSeconds: 7200 });
    const provisioning = transitionGrant(g, { type: 'start_reached', actor, at: startsAt })!.next;
    const active = transitionGrant(provisioning, { type: 'assignment_confirmed', actor, at: startsAt + 500 })!.next;
    expect(active.expiresAt).toBe(startsAt + 500 + 7200_000);
  });

  it('cannot be created scheduled without a start', () => {
    expect(() => aGrant({ status: 'scheduled' })).toThrow(/needs a start time/);
  });
});

describe('the grant transition table', () => {
  const cells = Object.entries(expected).flatMap(([from, row]) =>
    Object.entries(row).map(([event, to]) => [from as GrantStatus, event as GrantEvent['type'], to] as const),
  );

  it.each(cells)('from %s, %s leads to %s', (from, event, to) => {
    expect(outcome(grantIn(from), events[event])).toBe(to);
  });

  it('records the assignment removal and the session cut on unassignment, and the accepted cut once', () => {
    const g = aGrant({ status: 'deprovisioning', activatedAt: T0, expiresAt: T0 + 7200_000, endReason: 'revoked' });
    const ended = transitionGrant(g, { type: 'unassignment_confirmed', actor, at, sessionCut: { from: at + 5000 } })!;
    expect(ended.next).toMatchObject({ status: 'revoked', assignmentRemovedAt: at, sessionCut: { from: at + 5000 } });
    expect(ended.audit.details).toMatchObject({ assignmentRemovedAt: at, sessionCutFrom: at + 5000 });
    const cut = transitionGrant(ended.next, {
      type: 'sessions_cut',
      actor,
      at: at + 2000,
      cutFrom: at + 5000,
      lagMs: 2000,
    })!;
    expect(cut.next.sessionsCutAt).toBe(at + 2000);
    expect(cut.next.status).toBe('revoked');
    expect(cut.audit.details).toMatchObject({ sessionsCutAt: at + 2000, lagSeconds: 2 });
    expect(
      transitionGrant(cut.next, { type: 'sessions_cut', actor, at: at + 9000, cutFrom: at + 5000 }),
    ).toBeUndefined();
  });

  it('says on the grant that sessions in the management account are not ended', () => {
    const g = aGrant({ status: 'deprovisioning', activatedAt: T0, expiresAt: T0 + 7200_000, endReason: 'revoked' });
    const t = transitionGrant(g, {
      type: 'unassignment_confirmed',
      actor,
      at,
      sessionCut: { skipped: 'management_account' },
    })!;
    expect(t.next.sessionCut).toEqual({ skipped: 'management_account' });
    expect(t.audit.details?.sessionCut).toBe('sessions in the management account are not ended');
  });

  it('never lets expiry end a grant before its expiresAt', () => {
    const g = grantIn('active');
    expect(outcome(g, { ...events.expiry_reached, at: g.expiresAt! - 1 } as GrantEvent)).toBe('invalid');
  });

  it('ends a revoked grant as revoked and an expired one as expired', () => {
    const revoking = transitionGrant(grantIn('active'), events.revoke_requested)!.next;
    expect(transitionGrant(revoking, events.unassignment_confirmed)!.next.status).toBe('revoked');
  });

  it('sets the expiry from the moment the assignment is confirmed', () => {
    const active = transitionGrant(aGrant({ durationSeconds: 600 }), events.assignment_confirmed)!.next;
    expect(active.activatedAt).toBe(at);
    expect(active.expiresAt).toBe(at + 600_000);
  });

  it('moves an active grant’s expiry on extension, and counts failed unassignments', () => {
    const extended = transitionGrant(grantIn('active'), events.extended)!.next;
    expect(extended.expiresAt).toBe(T0 + 3600_000 + 600_000);
    const failing = transitionGrant(grantIn('deprovisioning'), events.unassignment_failed)!.next;
    expect(failing.deprovisionAttempts).toBe(1);
  });

  it('reminds once', () => {
    const reminded = transitionGrant(grantIn('active'), events.reminded)!.next;
    expect(transitionGrant(reminded, events.reminded)).toBeUndefined();
  });
});
