import {
  ErrorCodes,
  KeylessError,
  grantAssignment,
  isLiveGrant,
  matchesPermissionSet,
  systemActor,
  type AssignmentDrift,
  type AssignmentKey,
} from '../domain';
import { commitGrant } from './commit';
import { forEachLimit } from './concurrency';
import type { EngineContext } from './deps';
import { deprovisionInBackground } from './deprovision';
import { reconcileMemberships } from './reconcile-memberships';

/** The permission sets keyless manages: those named in the policy (or listed explicitly). */
async function managedPermissionSetArns(ctx: EngineContext) {
  const policy = ctx.policy();
  const names = policy.reconcile.managedPermissionSets.length
    ? policy.reconcile.managedPermissionSets
    : [
        ...policy.rules.filter((r) => r.effect === 'allow').flatMap((r) => r.permissionSets),
        ...(policy.breakGlass?.permissionSets ?? []),
      ];
  const sets = await ctx.identity.listPermissionSets();
  return sets.filter((ps) => matchesPermissionSet(names, ps.name)).map((ps) => ps.arn);
}

/**
 * Compares Identity Center with the grants (design §6). An assignment of a managed permission set
 * that no live grant explains is reported and, if the policy says so, removed; an active grant whose
 * assignment vanished is revoked (so its record tells the truth) and reported.
 *
 * The drifts are returned, not posted: the security feed records each as a finding with a stable
 * key (one alert per fact, counted on its message on every later run, resolved when it is gone), and
 * the composition root runs this on one leader replica only. The answer is complete or it throws:
 * when an assignment could not be checked, a drift missing from the answer must not read as resolved.
 */
export async function reconcile(ctx: EngineContext): Promise<AssignmentDrift[]> {
  const drifts: AssignmentDrift[] = [];
  const removeUnknown = ctx.policy().reconcile.removeUnknown;
  const arns = await managedPermissionSetArns(ctx);
  const assignments = await ctx.identity.listAssignments(arns);
  const seen = new Set(assignments.map((a) => `${a.principalId}#${a.accountId}#${a.permissionSetArn}`));

  const failures = await forEachLimit(assignments, 8, async (assignment: AssignmentKey) => {
    const holderId = await ctx.store.getActiveSlot(assignment);
    const holder = holderId ? await ctx.store.getGrant(holderId) : undefined;
    if (holder && isLiveGrant(holder)) return;
    let removed = false;
    if (removeUnknown) {
      await ctx.identity.unassign(assignment);
      removed = true;
    }
    drifts.push({
      kind: holder ? 'outlived_grant' : 'unknown_assignment',
      assignment,
      ...(holder ? { grantId: holder.id } : {}),
      removed,
      detectedAt: ctx.clock.now(),
    });
  });

  const active = await ctx.store.listGrants({ status: 'active' });
  for (const grant of active) {
    if (grant.group) continue; // memberships are checked by reconcileMemberships
    const key = grantAssignment(grant);
    if (seen.has(`${key.principalId}#${key.accountId}#${key.permissionSetArn}`)) continue;
    // Read again: the grant may have ended (and its assignment gone) since the list was taken.
    const { changed } = await commitGrant(ctx, grant.id, (g) =>
      g.status === 'active' && g.version === grant.version
        ? {
            type: 'revoke_requested',
            actor: systemActor('reconciler'),
            at: ctx.clock.now(),
            reason: 'assignment removed outside keyless',
          }
        : undefined,
    );
    if (!changed) continue;
    deprovisionInBackground(ctx, grant.id);
    drifts.push({
      kind: 'vanished_assignment',
      assignment: key,
      grantId: grant.id,
      removed: false,
      detectedAt: ctx.clock.now(),
    });
  }

  const membershipFailures = await reconcileMemberships(ctx, drifts, active);
  failures.push(...membershipFailures);

  for (const drift of drifts) {
    ctx.logger.warn(
      { code: drift.kind, accountId: drift.assignment.accountId, grantId: drift.grantId, removed: drift.removed },
      'assignment drift',
    );
  }
  if (failures.length > 0) {
    ctx.logger.error({ err: failures[0], code: 'RECONCILE_INCOMPLETE' }, 'assignments could not all be checked');
    throw new KeylessError(
      ErrorCodes.Unavailable,
      `${failures.length} of ${assignments.length} assignments could not be checked; reconcile will run again.`,
      { details: { failed: failures.length, drifts: drifts.length } },
    );
  }
  return drifts;
}
