import {
  ErrorCodes,
  KeylessError,
  isEligibleApprover,
  matchesPeople,
  parseGrantId,
  userActor,
  type ChatUser,
  type Grant,
} from '../domain';
import { commitGrant } from './commit';
import type { EngineContext } from './deps';
import { deprovisionInBackground } from './deprovision';
import { principalOf } from './identity';

/**
 * What `revoke` did: `revoking` when this call started the removal; `already_ended` when the grant
 * had ended or was already ending (expired, revoked, failed): nothing was changed, and
 * `endedGrantText(grant, zone)` says what happened to it.
 */
export type RevokeResult = { outcome: 'revoking'; grant: Grant } | { outcome: 'already_ended'; grant: Grant };

/**
 * Ends a grant early. Allowed to the grantee, to anyone who could approve the request behind it,
 * and to the policy's admins.
 */
export async function revoke(
  ctx: EngineContext,
  input: { grantId: string; actor: ChatUser; reason?: string },
): Promise<RevokeResult> {
  const grantId = parseGrantId(input.grantId);
  const grant = await ctx.store.getGrant(grantId);
  if (!grant)
    throw new KeylessError(ErrorCodes.GrantNotFound, `There is no grant ${input.grantId}.`, {
      hint: 'Run `list` to see your grants.',
    });
  const principal = await principalOf(ctx, input.actor);
  const own = principal.principalId === grant.principalId;
  if (!own && !matchesPeople(ctx.policy().admins, principal)) {
    const request = await ctx.store.getRequest(grant.requestId);
    const approver =
      request?.approvers && isEligibleApprover(request.approvers, principal, grant.principalId, false).eligible;
    if (!approver)
      throw new KeylessError(
        ErrorCodes.NotAllowed,
        'Only the grantee, an approver of this access or an admin can end it early.',
      );
  }
  const reason = input.reason?.trim().slice(0, 500) || (own ? 'ended by the grantee' : 'revoked');
  const { grant: next, changed } = await commitGrant(ctx, grantId, (g) =>
    g.status === 'provisioning' || g.status === 'active' || g.status === 'scheduled'
      ? { type: 'revoke_requested', actor: userActor(input.actor), at: ctx.clock.now(), reason }
      : undefined,
  );
  if (!changed) return { outcome: 'already_ended', grant: next };
  if (next.status === 'revoked') {
    // Cancelled before its start: no assignment exists, so nothing is asked of AWS.
    ctx.scheduler.untrack(grantId);
    ctx.logger.info({ grantId, actor: userActor(input.actor).id }, 'scheduled access cancelled');
    await ctx.publish({ type: 'grant_ended', grant: next });
    return { outcome: 'already_ended', grant: next };
  }
  ctx.logger.info({ grantId, actor: userActor(input.actor).id }, 'early revocation requested');
  deprovisionInBackground(ctx, grantId);
  return { outcome: 'revoking', grant: next };
}
