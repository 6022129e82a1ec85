import {
  ErrorCodes,
  KeylessError,
  currentApproverSets,
  isEligibleApprover,
  isKeylessError,
  noteKey,
  parsePrincipalId,
  parseRequestId,
  sameChatUser,
  userActor,
  type AccessRequest,
  type ChatUser,
} from '../domain';
import { commitRequest } from './commit';
import type { EngineContext } from './deps';
import { fulfilInBackground } from './fulfil-request';
import { principalOf } from './identity';
import { onCallSchedulesOf } from './on-call';

export type DecisionOutcome = 'recorded' | 'approved' | 'denied' | 'cancelled' | 'duplicate' | 'already_decided';

export interface DecideResult {
  request: AccessRequest;
  outcome: DecisionOutcome;
}

async function load(ctx: EngineContext, requestId: string): Promise<AccessRequest> {
  const request = await ctx.store.getRequest(parseRequestId(requestId));
  if (!request) throw new KeylessError(ErrorCodes.RequestNotFound, `There is no request ${requestId}.`);
  return request;
}

/**
 * Checks that `actor` may decide on `request`; a refusal is audited (as a note) and thrown.
 * The actor always comes from the chat platform's verified payload, never from a button value.
 */
async function eligibleDecider(
  ctx: EngineContext,
  request: AccessRequest,
  actor: ChatUser,
  action: 'approve' | 'deny',
): Promise<{ principal: Awaited<ReturnType<typeof principalOf>>; via?: string }> {
  let principal: Awaited<ReturnType<typeof principalOf>>;
  try {
    principal = await principalOf(ctx, actor);
  } catch (error) {
    // Someone with no verified email, or unknown to Identity Center, clicked: refused, and audited too.
    if (isKeylessError(error, ErrorCodes.PrincipalNotFound) || isKeylessError(error, ErrorCodes.UnverifiedIdentity)) {
      await recordRefusal(
        ctx,
        request,
        actor,
        action,
        error.code === ErrorCodes.PrincipalNotFound ? 'not known to Identity Center' : 'no verified email',
        error.code,
      );
    }
    throw error;
  }
  const sets = currentApproverSets(request);
  let verdict = isEligibleApprover(sets, principal, request.principalId, request.selfApproval);
  if (!verdict.eligible && verdict.why === 'not_on_call') {
    // Listed only through an on-call schedule: asked again now, not from the cache, so that the
    // person who was on call an hour ago cannot approve.
    const refs = [...new Set(sets.flatMap((s) => s.oncall ?? []))];
    const onCall = await onCallSchedulesOf(ctx, principal.email, refs, { fresh: true });
    verdict = isEligibleApprover(sets, principal, request.principalId, request.selfApproval, onCall);
  }
  if (verdict.eligible) return { principal, ...(verdict.via ? { via: verdict.via } : {}) };
  const self = verdict.why === 'self';
  const notOnCall = verdict.why === 'not_on_call';
  const schedules = [...new Set(sets.flatMap((s) => s.oncall ?? []))].join(', ');
  await recordRefusal(
    ctx,
    request,
    actor,
    action,
    self
      ? 'requester cannot approve their own request'
      : notOnCall
        ? `not on call now on ${schedules}`
        : 'not an eligible approver',
    self ? ErrorCodes.SelfApprovalForbidden : ErrorCodes.NotEligibleApprover,
  );
  throw self
    ? new KeylessError(
        ErrorCodes.SelfApprovalForbidden,
        'You cannot approve or deny your own request; another approver must.',
      )
    : notOnCall
      ? new KeylessError(
          ErrorCodes.NotEligibleApprover,
          `You are not on call now on ${schedules}, so you cannot ${action} this request (rule "${request.rule}"); whoever is on call now can.`,
          { hint: 'On-call approvers are checked at the moment of the click.' },
        )
      : new KeylessError(
          ErrorCodes.NotEligibleApprover,
          `You are not an approver for this request (rule "${request.rule}").`,
        );
}

/** Audits a refused decision as a note on the request (`approve_refused` / `deny_refused`) and logs it. */
async function recordRefusal(
  ctx: EngineContext,
  request: AccessRequest,
  actor: ChatUser,
  action: 'approve' | 'deny',
  reason: string,
  code: string,
): Promise<void> {
  await ctx.store.appendNote({
    subject: { kind: 'request', id: request.id },
    key: noteKey(request.version, `${action}_refused`, userActor(actor).id),
    version: request.version,
    event: `${action}_refused`,
    from: request.status,
    to: request.status,
    actor: userActor(actor),
    at: ctx.clock.now(),
    reason,
  });
  ctx.logger.warn({ requestId: request.id, actor: userActor(actor).id, code }, `${action} refused`);
}

/** One approval. Counted once per approver; the quorum approves the request and starts provisioning. */
export async function approve(
  ctx: EngineContext,
  input: { requestId: string; actor: ChatUser },
): Promise<DecideResult> {
  const request = await load(ctx, input.requestId);
  if (request.status !== 'pending') return { request, outcome: 'already_decided' };
  const { principal, via } = await eligibleDecider(ctx, request, input.actor, 'approve');
  const principalId = parsePrincipalId(principal.principalId);
  const { request: next, changed } = await commitRequest(ctx, request.id, (r) =>
    r.status === 'pending'
      ? { type: 'approve', actor: userActor(input.actor), principalId, at: ctx.clock.now(), ...(via ? { via } : {}) }
      : undefined,
  );
  if (!changed) {
    const counted = next.approvals.some((a) => a.principalId === principalId);
    return { request: next, outcome: counted ? 'duplicate' : 'already_decided' };
  }
  ctx.logger.info(
    { requestId: next.id, actor: userActor(input.actor).id, approvals: next.approvals.length },
    'approval recorded',
  );
  await ctx.publish({ type: 'request_updated', request: next, actor: userActor(input.actor) });
  if (next.status === 'approved') fulfilInBackground(ctx, next);
  return { request: next, outcome: next.status === 'approved' ? 'approved' : 'recorded' };
}

/** The shortest reason a denial may give (the Slack form and the Teams card ask for as much). */
export const MIN_DENY_REASON_LENGTH = 3;

export async function deny(
  ctx: EngineContext,
  input: { requestId: string; actor: ChatUser; reason?: string },
): Promise<DecideResult> {
  const request = await load(ctx, input.requestId);
  if (request.status !== 'pending') return { request, outcome: 'already_decided' };
  await eligibleDecider(ctx, request, input.actor, 'deny');
  // The requester is owed a reason, whichever chat or client the denial came from.
  const reason = input.reason?.trim().slice(0, 500) ?? '';
  if (reason.length < MIN_DENY_REASON_LENGTH) {
    throw new KeylessError(
      ErrorCodes.ReasonRequired,
      `Say why you deny this request (at least ${MIN_DENY_REASON_LENGTH} characters): the requester sees it. Nothing was changed.`,
    );
  }
  const { request: next, changed } = await commitRequest(ctx, request.id, (r) =>
    r.status === 'pending' ? { type: 'deny', actor: userActor(input.actor), at: ctx.clock.now(), reason } : undefined,
  );
  if (!changed) return { request: next, outcome: 'already_decided' };
  await ctx.publish({ type: 'request_updated', request: next, actor: userActor(input.actor) });
  return { request: next, outcome: 'denied' };
}

/** The requester withdraws a pending request. */
export async function cancel(ctx: EngineContext, input: { requestId: string; actor: ChatUser }): Promise<DecideResult> {
  const request = await load(ctx, input.requestId);
  if (!sameChatUser(request.requester, input.actor)) {
    throw new KeylessError(ErrorCodes.NotAllowed, 'Only the person who asked can cancel a request.');
  }
  const { request: next, changed } = await commitRequest(ctx, request.id, (r) =>
    r.status === 'pending' ? { type: 'cancel', actor: userActor(input.actor), at: ctx.clock.now() } : undefined,
  );
  if (!changed) return { request: next, outcome: 'already_decided' };
  await ctx.publish({ type: 'request_updated', request: next, actor: userActor(input.actor) });
  return { request: next, outcome: 'cancelled' };
}
