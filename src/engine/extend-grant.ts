import {
  ErrorCodes,
  GROUP_PREFIX,
  KeylessError,
  grantAcceptsActions,
  grantEndedError,
  parseGrantId,
  type ChatUser,
} from '../domain';
import type { EngineContext } from './deps';
import type { RequestAccessResult } from './request-access';
import { requestAnyAccess } from './request-any-access';

/**
 * Asks for more time on one's own live grant. It is a request like any other (an extension of the
 * live grant), decided by the same rules: the time left plus the extra must fit the rule's maximum,
 * and when it is applied the end moves by the time asked, cut to that maximum from then.
 */
export async function extend(
  ctx: EngineContext,
  input: { grantId: string; actor: ChatUser; duration: string; reason?: string; idempotencyKey?: string },
): Promise<RequestAccessResult> {
  const grant = await ctx.store.getGrant(parseGrantId(input.grantId));
  if (!grant)
    throw new KeylessError(ErrorCodes.GrantNotFound, `There is no grant ${input.grantId}.`, {
      hint: 'Run `list` to see your grants.',
    });
  if (grant.requester.platform !== input.actor.platform || grant.requester.id !== input.actor.id) {
    throw new KeylessError(ErrorCodes.NotAllowed, 'Only the person who holds a grant can extend it.');
  }
  if (!grantAcceptsActions(grant)) throw grantEndedError(grant, input.actor.timeZone);
  return requestAnyAccess(ctx, {
    requester: input.actor,
    account: grant.group ? `${GROUP_PREFIX}${grant.group.name}` : grant.accountId,
    permissionSet: grant.group ? '' : grant.permissionSetName,
    duration: input.duration,
    reason: input.reason?.trim() || `extension of ${grant.id}`,
    addsTime: true,
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
  });
}
