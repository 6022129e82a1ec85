import type { AccessRequest, RequestStatus } from './access-request';
import { transitionKey, type AuditEvent, type Transition } from './audit';
import type { Actor } from './chat-user';
import type { GrantId, PrincipalId } from './ids';
import { applyTransition, type TransitionTable } from './transition-table';
import type { ApproverSpec } from './policy';

function describeTo(to: Omit<ApproverSpec, 'count'>): string {
  return [...to.groups.map((g) => `group ${g}`), ...to.emails, ...(to.oncall ?? []).map((o) => `on-call ${o}`)].join(
    ', ',
  );
}

export type RequestEvent =
  | { type: 'approve'; actor: Actor; principalId: PrincipalId; at: number; via?: string }
  | { type: 'deny'; actor: Actor; at: number; reason: string }
  | { type: 'cancel'; actor: Actor; at: number }
  | { type: 'timeout'; actor: Actor; at: number }
  | { type: 'link_grant'; actor: Actor; at: number; grantId: GrantId }
  /** The reminder of a pending request's approvers (once). */
  | { type: 'remind'; actor: Actor; at: number }
  /** The escalation of a pending request to its second approver set (once). */
  | { type: 'escalate'; actor: Actor; at: number };

const terminal = (repeatable: RequestEvent['type'][]) => ({ on: {}, repeatable });

/**
 * The request machine (design §4):
 *
 * | from \ event | approve (quorum)| approve (below) | deny   | cancel    | timeout   |
 * |--------------|-----------------|-----------------|--------|-----------|-----------|
 * | pending      | approved        | pending (+1)    | denied | cancelled | timed_out |
 * | terminal     | the same event again is a no-op; anything else is an InvalidTransition |
 *
 * `link_grant` records, on an approved request, the grant it produced (once).
 *
 * `remind` and `escalate` keep a request pending and record, once each, that its approvers were
 * reminded and that it escalated to its second approver set: the second of two replicas (or a
 * replica after a restart) finds the field set, a no-op, or loses the conditional write. Once the
 * request is decided they are refused (a late reminder must not go out).
 */
export const requestTable: TransitionTable<RequestStatus, RequestEvent, AccessRequest> = {
  pending: {
    on: {
      approve: (r, e) => {
        if (r.approvals.some((a) => a.principalId === e.principalId)) return 'noop';
        const approvals = [
          ...r.approvals,
          { actor: e.actor, principalId: e.principalId, at: e.at, ...(e.via ? { via: e.via } : {}) },
        ];
        const reached = approvals.length >= r.approvalsRequired;
        return { ...r, approvals, status: reached ? 'approved' : 'pending', ...(reached ? { decidedAt: e.at } : {}) };
      },
      deny: (r, e) => ({
        ...r,
        status: 'denied',
        decidedAt: e.at,
        denial: { actor: e.actor, at: e.at, reason: e.reason },
      }),
      cancel: (r, e) => ({ ...r, status: 'cancelled', decidedAt: e.at }),
      timeout: (r, e) => ({ ...r, status: 'timed_out', decidedAt: e.at }),
      remind: (r, e) => (r.remindedAt !== undefined ? 'noop' : { ...r, remindedAt: e.at }),
      escalate: (r, e) => (r.escalatedAt !== undefined || !r.escalation?.to ? 'noop' : { ...r, escalatedAt: e.at }),
    },
  },
  approved: {
    on: { link_grant: (r, e) => (r.grantId === e.grantId ? 'noop' : { ...r, grantId: e.grantId }) },
    repeatable: ['approve'],
  },
  denied: terminal(['deny']),
  cancelled: terminal(['cancel']),
  timed_out: terminal(['timeout']),
};

/** Applies an event; returns undefined for a no-op (a repeat), throws InvalidTransition otherwise. */
export function transitionRequest(request: AccessRequest, event: RequestEvent): Transition<AccessRequest> | undefined {
  const result = applyTransition('request', requestTable, request, event);
  if (result === 'noop') return undefined;
  const version = request.version + 1;
  const audit: AuditEvent = {
    subject: { kind: 'request', id: request.id },
    key: transitionKey(version),
    version,
    event: event.type,
    from: request.status,
    to: result.status,
    actor: event.actor,
    at: event.at,
    ...(event.type === 'deny' ? { reason: event.reason } : {}),
    details:
      event.type === 'approve'
        ? {
            approvals: result.approvals.length,
            required: request.approvalsRequired,
            ...(event.via ? { onCall: event.via } : {}),
          }
        : event.type === 'link_grant'
          ? { grantId: event.grantId }
          : event.type === 'escalate' && request.escalation?.to
            ? { to: describeTo(request.escalation.to) }
            : {},
  };
  return { next: { ...result, version, history: [...request.history, audit] }, audit };
}

/** The audit event that records a request's creation. */
export function requestCreated(
  request: Omit<AccessRequest, 'version' | 'history'>,
  actor: Actor,
): Transition<AccessRequest> {
  const audit: AuditEvent = {
    subject: { kind: 'request', id: request.id },
    key: transitionKey(1),
    version: 1,
    event: 'create',
    from: 'none',
    to: request.status,
    actor,
    at: request.createdAt,
    reason: request.reason,
    details: {
      kind: request.kind,
      rule: request.rule,
      durationSeconds: request.durationSeconds,
      ...(request.onCallSchedule ? { autoApprovedOnCall: request.onCallSchedule } : {}),
      ...(request.sessionOutlives
        ? {
            sessionSeconds: request.sessionOutlives.sessionSeconds,
            sessionCutAtExpiry: request.sessionOutlives.cutAtExpiry,
          }
        : {}),
    },
  };
  return { next: { ...request, version: 1, history: [audit] }, audit };
}
