import {
  ErrorCodes,
  grantAssignment,
  grantCreated,
  isKeylessError,
  isLiveGrant,
  parseGrantId,
  systemActor,
  type AccessRequest,
  type Grant,
  type GrantId,
} from '../domain';
import { commitGrant, commitRequest, withLease } from './commit';
import type { EngineContext } from './deps';
import { deprovision } from './deprovision';

const PROVISIONER = systemActor('provisioner');

/** The grant an approved request creates: derived from the request, so a retry finds the same one. */
export function grantIdFor(request: Pick<AccessRequest, 'id'>): GrantId {
  return parseGrantId(`${request.id}-g`);
}

export function fulfilInBackground(ctx: EngineContext, request: Pick<AccessRequest, 'id'>): void {
  ctx.background(`fulfil:${request.id}`, () => fulfil(ctx, request.id));
}

/**
 * Turns an approved request into access: extends the live grant it names, or records a new grant
 * (provisioning) and links it, then activates it. Every step is idempotent, so the sweep may run it
 * again after a crash at any point.
 */
export async function fulfil(ctx: EngineContext, requestId: string): Promise<void> {
  const request = await ctx.store.getRequest(requestId as AccessRequest['id']);
  if (!request || request.status !== 'approved' || request.grantId) return;

  if (request.extendsGrantId && (await applyExtension(ctx, request, request.extendsGrantId))) {
    await link(ctx, request, request.extendsGrantId);
    return;
  }

  const grantId = grantIdFor(request);
  const now = ctx.clock.now();
  const grant = grantCreated(
    {
      id: grantId,
      status: 'provisioning',
      requestId: request.id,
      requester: request.requester,
      principalId: request.principalId,
      principalName: request.principalName,
      accountId: request.accountId,
      accountName: request.accountName,
      permissionSetArn: request.permissionSetArn,
      permissionSetName: request.permissionSetName,
      rule: request.rule,
      breakGlass: request.kind === 'break_glass',
      durationSeconds: request.durationSeconds,
      createdAt: now,
      deprovisionAttempts: 0,
    },
    PROVISIONER,
  ).next;
  try {
    await ctx.store.createGrant(grant);
  } catch (error) {
    if (!isKeylessError(error, ErrorCodes.VersionConflict)) throw error;
  }
  const linked = await link(ctx, request, grantId);
  if (request.kind === 'break_glass') {
    await ctx.publish({ type: 'break_glass_used', grant, request: linked });
  }
  await activate(ctx, grantId);
}

async function link(ctx: EngineContext, request: AccessRequest, grantId: GrantId): Promise<AccessRequest> {
  const { request: linked } = await commitRequest(ctx, request.id, (r) =>
    r.status === 'approved' && !r.grantId
      ? { type: 'link_grant', actor: PROVISIONER, at: ctx.clock.now(), grantId }
      : undefined,
  );
  return linked;
}

/** Adds an approved extension's time to a live grant, once. False when the grant is no longer live. */
async function applyExtension(ctx: EngineContext, request: AccessRequest, grantId: GrantId): Promise<boolean> {
  const { grant, changed } = await commitGrant(ctx, grantId, (g) =>
    (g.status === 'active' || g.status === 'provisioning') &&
    !g.history.some((e) => e.details?.requestId === request.id)
      ? {
          type: 'extended',
          actor: PROVISIONER,
          at: ctx.clock.now(),
          addSeconds: request.durationSeconds,
          requestId: request.id,
          reason: request.reason,
        }
      : undefined,
  );
  const applied = grant.history.some((e) => e.event === 'extended' && e.details?.requestId === request.id);
  if (changed) {
    ctx.scheduler.track(grant);
    await ctx.publish({
      type: 'grant_extended',
      grant,
      actor: request.approvals.at(-1)?.actor ?? PROVISIONER,
      addSeconds: request.durationSeconds,
    });
  }
  return applied;
}

/**
 * provisioning → assign → active (or failed). Holds the grant's lease; claims the one-active-grant
 * slot first, so two grants never share (and later tear down) one assignment.
 */
export async function activate(ctx: EngineContext, grantId: GrantId): Promise<void> {
  await withLease(ctx, grantId, async () => {
    const grant = await ctx.store.getGrant(grantId);
    if (!grant) return;
    if (grant.status === 'deprovisioning') return deprovision(ctx, grantId, { leaseHeld: true });
    if (grant.status !== 'provisioning') return;

    if (!(await claimSlot(ctx, grant))) return;
    const key = grantAssignment(grant);
    const log = ctx.logger.child({
      grantId,
      accountId: grant.accountId,
      permissionSet: grant.permissionSetName,
      principal: grant.principalName,
    });
    try {
      await ctx.identity.assign(key);
    } catch (error) {
      if (isKeylessError(error) && error.retryable) {
        log.warn({ code: error.code }, 'assignment will be retried by the sweep');
        return;
      }
      const code = isKeylessError(error) ? error.code : ErrorCodes.AssignmentFailed;
      const message = error instanceof Error ? error.message : String(error);
      const { grant: failed, changed } = await commitGrant(ctx, grantId, (g) =>
        g.status === 'provisioning'
          ? { type: 'assignment_failed', actor: PROVISIONER, at: ctx.clock.now(), code, message }
          : undefined,
      );
      if (changed) {
        await ctx.store.releaseActiveSlot(key, grantId);
        log.error({ code }, 'assignment failed');
        await ctx.publish({ type: 'grant_failed', grant: failed });
      }
      return;
    }
    const { grant: after, changed } = await commitGrant(ctx, grantId, (g) =>
      g.status === 'provisioning'
        ? { type: 'assignment_confirmed', actor: PROVISIONER, at: ctx.clock.now() }
        : undefined,
    );
    if (after.status === 'deprovisioning') return deprovision(ctx, grantId, { leaseHeld: true });
    if (changed && after.status === 'active') {
      log.info({ timeToAccessMs: (after.activatedAt ?? 0) - after.createdAt }, 'access granted');
      ctx.scheduler.track(after);
      const request = await ctx.store.getRequest(after.requestId);
      if (request) await ctx.publish({ type: 'grant_activated', grant: after, request });
    }
  });
}

/**
 * Takes the one-active-grant slot for `grant`. When another live grant holds it, an active or
 * provisioning holder absorbs this grant's time (never a second assignment); a holder being torn
 * down makes this grant wait for the next sweep.
 */
async function claimSlot(ctx: EngineContext, grant: Grant): Promise<boolean> {
  const key = grantAssignment(grant);
  const holderId = await ctx.store.getActiveSlot(key);
  if (!holderId || holderId === grant.id) return ctx.store.claimActiveSlot(key, grant.id);
  const holder = await ctx.store.getGrant(holderId);
  if (!holder || !isLiveGrant(holder)) return ctx.store.claimActiveSlot(key, grant.id, holderId);
  if (holder.status === 'deprovisioning') {
    ctx.logger.info({ grantId: grant.id, holder: holderId }, 'waiting for the previous grant to end');
    return false;
  }
  // A race let two approved requests reach provisioning for one triple: merge into the holder.
  const { grant: extended, changed } = await commitGrant(ctx, holderId, (g) =>
    (g.status === 'active' || g.status === 'provisioning') &&
    !g.history.some((e) => e.details?.requestId === grant.requestId)
      ? {
          type: 'extended',
          actor: PROVISIONER,
          at: ctx.clock.now(),
          addSeconds: grant.durationSeconds,
          requestId: grant.requestId,
        }
      : undefined,
  );
  if (changed) ctx.scheduler.track(extended);
  const message = `Merged into grant ${holderId}, which already gives this access.`;
  await commitGrant(ctx, grant.id, (g) =>
    g.status === 'provisioning'
      ? { type: 'assignment_failed', actor: PROVISIONER, at: ctx.clock.now(), code: 'MERGED', message }
      : undefined,
  );
  if (changed)
    await ctx.publish({
      type: 'grant_extended',
      grant: extended,
      actor: PROVISIONER,
      addSeconds: grant.durationSeconds,
    });
  return false;
}
