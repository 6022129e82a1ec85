import {
  ErrorCodes,
  isKeylessError,
  systemActor,
  transitionRequest,
  type AccessRequest,
  type PrincipalId,
  type RequestEvent,
  type RequestStatus,
} from '../../../src';
import { aRequest, T0 } from '../../builders';

const actor = systemActor('test');
const events: Record<RequestEvent['type'], RequestEvent> = {
  approve: { type: 'approve', actor, principalId: 'p-1' as PrincipalId, at: T0 + 1 },
  deny: { type: 'deny', actor, at: T0 + 1, reason: 'no' },
  cancel: { type: 'cancel', actor, at: T0 + 1 },
  timeout: { type: 'timeout', actor, at: T0 + 1 },
  link_grant: { type: 'link_grant', actor, at: T0 + 1, grantId: 'req000001-g' as never },
  remind: { type: 'remind', actor, at: T0 + 1 },
  escalate: { type: 'escalate', actor, at: T0 + 1 },
};
const escalating = {
  escalation: { remindAt: T0 + 1, escalateAt: T0 + 2, to: { groups: ['sre-managers'], emails: [] } },
};

/** The design's table (§4), written out cell by cell: next status, 'noop', or 'invalid'. */
const expected: Record<RequestStatus, Record<RequestEvent['type'], RequestStatus | 'noop' | 'invalid'>> = {
  pending: {
    approve: 'pending',
    deny: 'denied',
    cancel: 'cancelled',
    timeout: 'timed_out',
    link_grant: 'invalid',
    remind: 'pending',
    escalate: 'pending',
  },
  approved: {
    approve: 'noop',
    deny: 'invalid',
    cancel: 'invalid',
    timeout: 'invalid',
    link_grant: 'approved',
    remind: 'invalid',
    escalate: 'invalid',
  },
  denied: {
    approve: 'invalid',
    deny: 'noop',
    cancel: 'invalid',
    timeout: 'invalid',
    link_grant: 'invalid',
    remind: 'invalid',
    escalate: 'invalid',
  },
  cancelled: {
    approve: 'invalid',
    deny: 'invalid',
    cancel: 'noop',
    timeout: 'invalid',
    link_grant: 'invalid',
    remind: 'invalid',
    escalate: 'invalid',
  },
  timed_out: {
    approve: 'invalid',
    deny: 'invalid',
    cancel: 'invalid',
    timeout: 'noop',
    link_grant: 'invalid',
    remind: 'invalid',
    escalate: 'invalid',
  },
};

function outcome(request: AccessRequest, event: RequestEvent): RequestStatus | 'noop' | 'invalid' {
  try {
    const t = transitionRequest(request, event);
    return t ? t.next.status : 'noop';
  } catch (error) {
    if (isKeylessError(error, ErrorCodes.InvalidTransition)) return 'invalid';
    throw error;
  }
}

describe('the request transition table', () => {
  const cells = Object.entries(expected).flatMap(([from, row]) =>
    Object.entries(row).map(([event, to]) => [from as RequestStatus, event as RequestEvent['type'], to] as const),
  );

  it.each(cells)('from %s, %s leads to %s', (from, event, to) => {
    expect(outcome(aRequest({ status: from, ...escalating }), events[event])).toBe(to);
  });

  it('reminds once and escalates once: the same step again is a no-op, and each is audited', () => {
    const r = aRequest(escalating);
    const reminded = transitionRequest(r, events.remind)!;
    expect(reminded.next.remindedAt).toBe(T0 + 1);
    expect(reminded.audit).toMatchObject({ event: 'remind', from: 'pending', to: 'pending', version: 2 });
    expect(transitionRequest(reminded.next, events.remind)).toBeUndefined();
    const escalated = transitionRequest(reminded.next, events.escalate)!;
    expect(escalated.next.escalatedAt).toBe(T0 + 1);
    expect(escalated.audit.details).toEqual({ to: 'group sre-managers' });
    expect(transitionRequest(escalated.next, events.escalate)).toBeUndefined();
  });

  it('does not escalate a request that has no one to escalate to', () => {
    expect(transitionRequest(aRequest(), events.escalate)).toBeUndefined();
  });

  it('records the on-call schedule an approval came through', () => {
    const t = transitionRequest(aRequest(), { ...events.approve, via: 'pagerduty:PSRE001' } as RequestEvent)!;
    expect(t.next.approvals[0]!.via).toBe('pagerduty:PSRE001');
    expect(t.audit.details).toMatchObject({ onCall: 'pagerduty:PSRE001' });
  });

  it('approves when the quorum is reached, and not before', () => {
    const r = aRequest({ approvalsRequired: 2 });
    const one = transitionRequest(r, events.approve)!.next;
    expect(one.status).toBe('pending');
    const two = transitionRequest(one, { ...events.approve, principalId: 'p-2' as PrincipalId } as RequestEvent)!.next;
    expect(two.status).toBe('approved');
    expect(two.decidedAt).toBe(T0 + 1);
  });

  it('counts each approver once', () => {
    const once = transitionRequest(aRequest(), events.approve)!.next;
    expect(transitionRequest(once, events.approve)).toBeUndefined();
  });

  it('records every accepted transition with version, from, to, actor and time', () => {
    const t = transitionRequest(aRequest(), events.deny)!;
    expect(t.audit).toMatchObject({
      version: 2,
      event: 'deny',
      from: 'pending',
      to: 'denied',
      actor,
      at: T0 + 1,
      reason: 'no',
    });
    expect(t.next.version).toBe(2);
    expect(t.next.history.at(-1)).toEqual(t.audit);
  });

  it('links a grant once', () => {
    const approved = aRequest({ status: 'approved' });
    const linked = transitionRequest(approved, events.link_grant)!.next;
    expect(transitionRequest(linked, events.link_grant)).toBeUndefined();
  });
});
