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
};

/** The design's table (§4), written out cell by cell: next status, 'noop', or 'invalid'. */
const expected: Record<RequestStatus, Record<RequestEvent['type'], RequestStatus | 'noop' | 'invalid'>> = {
  pending: { approve: 'pending', deny: 'denied', cancel: 'cancelled', timeout: 'timed_out', link_grant: 'invalid' },
  approved: { approve: 'noop', deny: 'invalid', cancel: 'invalid', timeout: 'invalid', link_grant: 'approved' },
  denied: { approve: 'invalid', deny: 'noop', cancel: 'invalid', timeout: 'invalid', link_grant: 'invalid' },
  cancelled: { approve: 'invalid', deny: 'invalid', cancel: 'noop', timeout: 'invalid', link_grant: 'invalid' },
  timed_out: { approve: 'invalid', deny: 'invalid', cancel: 'invalid', timeout: 'noop', link_grant: 'invalid' },
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
    expect(outcome(aRequest({ status: from }), events[event])).toBe(to);
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
