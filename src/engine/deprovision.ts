import {
  grantAssignment,
  isKeylessError,
  isLiveGrant,
  systemActor,
  transitionGrant,
  type Grant,
  type GrantId,
  type SessionCutNote,
} from '../domain';
import { accessRemains, removeAccess } from './access-target';
import { commitGrant, commitReleasing, leaseStands, takeInWrite, withLease, type HeldLease } from './commit';
import type { EngineContext } from './deps';
import { activityDue } from './grant-activity';
import { recordSessionCut, requestSessionCutSync } from './session-cut';

const REVOKER = systemActor('revoker');
const EXPIRY = systemActor('expiry');

/**
 * A grant found deprovisioning this long after it got there (or after a failed attempt) is a removal
 * resumed: an earlier owner, killed or cut off, may have sent its Delete already.
 */
export const RESUMED_REMOVAL_AFTER_MS = 2000;

/** Wait between failed unassignment attempts: 2 s, 4 s, 8 s… capped at 5 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.min(attempts, 20));
}

/**
 * Ends a grant's access: active → deprovisioning (when its expiry is reached, never earlier), then
 * unassign, then expired or revoked. Holds the grant's lease so that among several replicas exactly
 * one removes the assignment; a repeat finds the grant finished and does nothing.
 *
 * Round trips (issue 13): given the grant as just read (`known`: a timer's, a sweep's), the lease is
 * taken in the same conditional write as `expiry_reached`; the grant is not read again;
 * `unassignment_confirmed` releases the lease in the same write; the slot (whose assignment this is)
 * is read only for a grant that never became active, and freed only when this grant holds it. An
 * expiry costs three DynamoDB operations: expire+lease, confirm+release, free the slot.
 * Whenever a folded write's condition fails (the grant changed, another replica holds the lease),
 * the ordinary path (lease, read, commit) decides.
 */
export async function deprovision(
  ctx: EngineContext,
  grantId: GrantId,
  opts: { lease?: HeldLease; known?: Grant } = {},
): Promise<void> {
  if (opts.lease) return deprovisionHeld(ctx, grantId, opts.lease);
  const known = opts.known;
  if (known?.status === 'active' && known.expiresAt !== undefined && !ctx.busy.has(grantId)) {
    if (ctx.clock.now() < known.expiresAt) {
      ctx.scheduler.track(known); // not due yet (a timer set before an extension, or early)
      return;
    }
    await ctx.ownership.ensureFresh(); // a no-op while the heartbeat runs; the lease is taken as who we are now
    const t = transitionGrant(known, { type: 'expiry_reached', actor: EXPIRY, at: ctx.clock.now() });
    if (t) {
      const taken = takeInWrite(ctx, t.next, known);
      await withLease(ctx, grantId, (lease) => deprovisionHeld(ctx, grantId, lease, t.next), taken);
      if (taken.took()) return;
      // Another replica got there first (it holds the lease, or moved the grant on). The owner
      // looks again the ordinary way (an extension may have moved the expiry); a replica that only
      // stepped in for an overdue owner leaves it there: one lost write, not two.
      if (!ctx.ownership.owns(grantId)) return;
    }
  }
  await withLease(ctx, grantId, (lease) => deprovisionHeld(ctx, grantId, lease));
}

/** Whether `grant` took its triple's slot on the way to active (so holds it until it ends). */
export function heldSlotSinceActivation(grant: Grant): boolean {
  return grant.activatedAt !== undefined;
}

async function deprovisionHeld(ctx: EngineContext, grantId: GrantId, lease: HeldLease, known?: Grant): Promise<void> {
  let grant = known ?? (await ctx.store.getGrant(grantId));
  if (!grant) return;
  if (grant.status === 'active') {
    if (grant.expiresAt === undefined || ctx.clock.now() < grant.expiresAt) {
      ctx.scheduler.track(grant); // extended since the timer was set
      return;
    }
    ({ grant } = await commitGrant(
      ctx,
      grantId,
      (g) => (g.status === 'active' ? { type: 'expiry_reached', actor: EXPIRY, at: ctx.clock.now() } : undefined),
      grant,
    ));
  }
  if (grant.status !== 'deprovisioning') return;
  const lastFailure = [...grant.history].reverse().find((e) => e.event === 'unassignment_failed');
  if (lastFailure && ctx.clock.now() < lastFailure.at + retryDelayMs(grant.deprovisionAttempts)) return;

  ctx.scheduler.untrack(grantId);
  const key = grantAssignment(grant);
  const log = ctx.logger.child({
    grantId,
    accountId: grant.accountId,
    permissionSet: grant.permissionSetName,
    principal: grant.principalName,
  });
  // The slot says whose assignment this is: a grant revoked while provisioning, or a stray copy a
  // race left, may share its triple with another live grant, which must keep its access. A grant
  // that was activated took the slot before its assignment, and a live holder's slot is never taken
  // (a claim replaces only a holder that has ended): it holds the slot still, without a read.
  const holderId = heldSlotSinceActivation(grant) ? grantId : await ctx.store.getActiveSlot(key);
  const holdsSlot = holderId === grantId;
  const holder = holderId && !holdsSlot ? await ctx.store.getGrant(holderId) : undefined;
  let sessionCut: SessionCutNote | undefined;
  let keptBy: string | undefined;
  if (holder && isLiveGrant(holder)) {
    // Another live grant owns this assignment (this one was merged or never assigned): leave it.
    log.info({ holder: holder.id }, 'assignment belongs to another grant; not removed');
    if (holder.status === 'deprovisioning') {
      // The holder is ending too: its removal comes, and the sessions of this grant end with it.
      sessionCut = await recordSessionCut(ctx, grant);
    } else {
      keptBy = holder.id;
    }
  } else {
    if (!(await leaseStands(ctx, grantId, lease))) {
      // Our heartbeat or the lease is about to lapse, or the lease was taken: the others may act;
      // leave the call to them.
      log.warn({ owner: lease.owner }, 'membership or lease lapsing; revocation left to another replica');
      return;
    }
    const startedAt = ctx.clock.now();
    try {
      // A resumed removal first looks: if an earlier owner's Delete landed, none is sent again.
      if (resumedRemoval(ctx, grant) && !(await accessRemains(ctx, grant))) {
        log.info({ code: 'ALREADY_REMOVED' }, 'assignment already removed by an earlier attempt; not removed again');
      } else {
        await removeAccess(ctx, grant);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const { grant: failed } = await commitGrant(
        ctx,
        grantId,
        (g) =>
          g.status === 'deprovisioning'
            ? { type: 'unassignment_failed', actor: REVOKER, at: ctx.clock.now(), message }
            : undefined,
        grant,
      );
      log.error(
        { code: isKeylessError(error) ? error.code : 'UNKNOWN', attempts: failed.deprovisionAttempts },
        'unassignment failed; will retry',
      );
      if (failed.deprovisionAttempts === ctx.options.stuckAfterAttempts) {
        await ctx.publish({ type: 'revocation_stuck', grant: failed, attempts: failed.deprovisionAttempts, message });
      }
      return;
    }
    if (grant.endReason === 'expired' && grant.expiresAt !== undefined) {
      log.info({ revocationLagMs: startedAt - grant.expiresAt }, 'assignment removed at expiry');
    }
    // Durable before the grant says it ended: a crash here leaves it deprovisioning, and the cut is
    // recorded again (with a later T) when the sweep resumes it.
    sessionCut = await recordSessionCut(ctx, grant);
  }
  const confirmation = () => {
    const at = ctx.clock.now();
    return {
      type: 'unassignment_confirmed',
      actor: REVOKER,
      at,
      ...(sessionCut ? { sessionCut } : {}),
      ...(keptBy ? { keptBy } : {}),
      // A group membership has no one account whose CloudTrail to read.
      ...(grant.group ? {} : activityDue(ctx, at)),
    } as const;
  };
  const { grant: ended, changed } = await commitReleasing(ctx, grant, lease, 'deprovisioning', confirmation);
  if (holdsSlot) await ctx.store.releaseActiveSlot(key, grantId);
  if (sessionCut && 'from' in sessionCut) requestSessionCutSync(ctx);
  if (changed) {
    log.info({ code: ended.status }, 'access ended');
    await ctx.publish({ type: 'grant_ended', grant: ended });
  }
}

export function deprovisionInBackground(ctx: EngineContext, grantId: GrantId, known?: Grant): void {
  ctx.background(`deprovision:${grantId}`, () => deprovision(ctx, grantId, known ? { known } : {}));
}

/** True when this removal resumes one that may have been sent before (see RESUMED_REMOVAL_AFTER_MS). */
function resumedRemoval(ctx: EngineContext, grant: Grant): boolean {
  if (grant.deprovisionAttempts > 0) return true;
  const moved = [...grant.history].reverse().find((e) => e.to === 'deprovisioning' && e.from !== 'deprovisioning');
  return moved !== undefined && ctx.clock.now() - moved.at >= RESUMED_REMOVAL_AFTER_MS;
}
