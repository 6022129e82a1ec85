import {
  governedGroupNames,
  isLiveGrant,
  membershipSlot,
  systemActor,
  type AssignmentDrift,
  type Grant,
  type GroupRef,
  type PrincipalId,
} from '../domain';
import { commitGrant } from './commit';
import { forEachLimit } from './concurrency';
import type { EngineContext } from './deps';
import { deprovisionInBackground } from './deprovision';

/**
 * Group memberships, both ways (the counterpart of the assignment check in reconcile-assignments):
 * - every member of a governed group (one some allow rule names) must be explained by a live grant
 *   of that (user, group); otherwise it is drift (`unknown_assignment`, or `outlived_grant` when a
 *   finished grant last held it), reported and, with `reconcile.removeUnknown`, removed;
 * - an active group grant whose membership is missing is revoked (its record tells the truth) and
 *   reported as `vanished_assignment`.
 * Governed groups hold no standing members: whoever is in one is there through keyless.
 * Pushes the drifts it finds; returns the failures (a group or member that could not be checked).
 */
export async function reconcileMemberships(
  ctx: EngineContext,
  drifts: AssignmentDrift[],
  active: readonly Grant[],
): Promise<unknown[]> {
  const policy = ctx.policy();
  const removeUnknown = policy.reconcile.removeUnknown;
  const failures: unknown[] = [];
  const groups: GroupRef[] = [];
  for (const name of governedGroupNames(policy)) {
    try {
      const group = await ctx.identity.findGroup(name);
      // A governed group missing from the identity store holds nobody (doctor reports it).
      if (group) groups.push(group);
    } catch (error) {
      failures.push(error);
    }
  }
  const members = new Map<string, Set<PrincipalId>>();
  for (const group of groups) {
    try {
      members.set(group.id, new Set(await ctx.identity.listGroupMemberIds(group.id)));
    } catch (error) {
      failures.push(error);
    }
  }

  const checks = groups.flatMap((group) =>
    [...(members.get(group.id) ?? [])].map((principalId) => ({ group, principalId })),
  );
  failures.push(
    ...(await forEachLimit(checks, 8, async ({ group, principalId }) => {
      const slot = membershipSlot({ principalId, groupId: group.id });
      const holderId = await ctx.store.getActiveSlot(slot);
      const holder = holderId ? await ctx.store.getGrant(holderId) : undefined;
      if (holder && isLiveGrant(holder)) return;
      let removed = false;
      if (removeUnknown) {
        await ctx.identity.removeGroupMember({ principalId, groupId: group.id });
        removed = true;
      }
      drifts.push({
        kind: holder ? 'outlived_grant' : 'unknown_assignment',
        assignment: slot,
        group,
        ...(holder ? { grantId: holder.id } : {}),
        removed,
        detectedAt: ctx.clock.now(),
      });
    })),
  );

  for (const grant of active) {
    if (!grant.group) continue;
    const listed = members.get(grant.group.id);
    // A group that could not be read (or is no longer governed) proves nothing about its grants.
    if (!listed || listed.has(grant.principalId)) continue;
    const { changed } = await commitGrant(ctx, grant.id, (g) =>
      g.status === 'active' && g.version === grant.version
        ? {
            type: 'revoke_requested',
            actor: systemActor('reconciler'),
            at: ctx.clock.now(),
            reason: 'group membership removed outside keyless',
          }
        : undefined,
    );
    if (!changed) continue;
    deprovisionInBackground(ctx, grant.id);
    drifts.push({
      kind: 'vanished_assignment',
      assignment: membershipSlot({ principalId: grant.principalId, groupId: grant.group.id }),
      group: grant.group,
      grantId: grant.id,
      removed: false,
      detectedAt: ctx.clock.now(),
    });
  }
  return failures;
}
