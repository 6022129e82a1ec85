import { grantAssignment, grantMembership, type Grant } from '../domain';
import type { EngineContext } from './deps';

/**
 * The one place where a grant's target becomes an AWS call: an account assignment, or for a group
 * grant a membership of the group. Both calls are idempotent (see the IdentityCenter port).
 */
export function grantAccess(ctx: EngineContext, grant: Grant): Promise<void> {
  const membership = grantMembership(grant);
  return membership ? ctx.identity.addGroupMember(membership) : ctx.identity.assign(grantAssignment(grant));
}

/**
 * Whether the grant's access is still there. A group membership answers true: its removal looks the
 * membership up first anyway (GetGroupMembershipId) and is never sent for a missing one.
 */
export function accessRemains(ctx: EngineContext, grant: Grant): Promise<boolean> {
  return grantMembership(grant) ? Promise.resolve(true) : ctx.identity.hasAssignment(grantAssignment(grant));
}

export function removeAccess(ctx: EngineContext, grant: Grant): Promise<void> {
  const membership = grantMembership(grant);
  return membership ? ctx.identity.removeGroupMember(membership) : ctx.identity.unassign(grantAssignment(grant));
}
