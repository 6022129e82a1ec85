import {
  grantAssignment,
  isKeylessError,
  isLiveGrant,
  systemActor,
  type GrantId,
  type SessionCutNote,
} from '../domain';
import { commitGrant, withLease } from './commit';
import type { EngineContext } from './deps';
import { recordSessionCut, requestSessionCutSync } from './session-cut';

const REVOKER = systemActor('revoker');

/** Wait between failed unassignment attempts: 2 s, 4 s, 8 s… capped at 5 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.min(attempts, 20));
}

/**
 * Ends a grant's access: active → deprovisioning (when its expiry is reached, never earlier), then
 * unassign, then expired or revoked. Holds the grant's lease so that among several replicas exactly
 * one removes the assignment; a repeat finds the grant finished and does nothing.
 */
export async function deprovision(
  ctx: EngineContext,
  grantId: GrantId,
  opts: { leaseHeld?: boolean } = {},
): Promise<void> {
  const run = () => deprovisionHeld(ctx, grantId);
  if (opts.leaseHeld) return run();
  await withLease(ctx, grantId, run);
}

async function deprovisionHeld(ctx: EngineContext, grantId: GrantId): Promise<void> {
  let grant = await ctx.store.getGrant(grantId);
  if (!grant) return;
  if (grant.status === 'active') {
    if (grant.expiresAt === undefined || ctx.clock.now() < grant.expiresAt) {
      ctx.scheduler.track(grant); // extended since the timer was set
      return;
    }
    ({ grant } = await commitGrant(
      ctx,
      grantId,
      (g) =>
        g.status === 'active'
          ? { type: 'expiry_reached', actor: systemActor('expiry'), at: ctx.clock.now() }
          : undefined,
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
  let sessionCut: SessionCutNote | undefined;
  const holderId = await ctx.store.getActiveSlot(key);
  const holder = holderId && holderId !== grantId ? await ctx.store.getGrant(holderId) : undefined;
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
    const startedAt = ctx.clock.now();
    try {
      await ctx.identity.unassign(key);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const { grant: failed } = await commitGrant(ctx, grantId, (g) =>
        g.status === 'deprovisioning'
          ? { type: 'unassignment_failed', actor: REVOKER, at: ctx.clock.now(), message }
          : undefined,
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
  const { grant: ended, changed } = await commitGrant(
    ctx,
    grantId,
    (g) =>
      g.status === 'deprovisioning'
        ? {
            type: 'unassignment_confirmed',
            actor: REVOKER,
            at: ctx.clock.now(),
            ...(sessionCut ? { sessionCut } : {}),
            ...(keptBy ? { keptBy } : {}),
          }
        : undefined,
    grant,
  );
  await ctx.store.releaseActiveSlot(key, grantId);
  if (sessionCut && 'from' in sessionCut) requestSessionCutSync(ctx);
  if (changed) {
    log.info({ code: ended.status }, 'access ended');
    await ctx.publish({ type: 'grant_ended', grant: ended });
  }
}

export function deprovisionInBackground(ctx: EngineContext, grantId: GrantId): void {
  ctx.background(`deprovision:${grantId}`, () => deprovision(ctx, grantId));
}
