import {
  ErrorCodes,
  boundedCap,
  grantAssignment,
  grantCapSeconds,
  grantCreated,
  isKeylessError,
  isLiveGrant,
  parseGrantId,
  systemActor,
  type AccessRequest,
  type Actor,
  type DomainEvent,
  type Grant,
  type GrantEvent,
  type GrantId,
} from '../domain';
import { commitGrant, commitReleasing, commitRequest, leaseStands, withLease, type HeldLease } from './commit';
import type { EngineContext } from './deps';
import { grantAccess, removeAccess } from './access-target';
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
  const capSeconds = capOf(request);
  // Access that starts later: created scheduled, and started by the timer or the sweep at its start.
  const later = request.startsAt !== undefined && request.startsAt > now;
  const grant = grantCreated(
    {
      id: grantId,
      status: later ? 'scheduled' : 'provisioning',
      ...(later ? { startsAt: request.startsAt } : {}),
      requestId: request.id,
      requester: request.requester,
      principalId: request.principalId,
      principalName: request.principalName,
      accountId: request.accountId,
      accountName: request.accountName,
      permissionSetArn: request.permissionSetArn,
      permissionSetName: request.permissionSetName,
      ...(request.group ? { group: request.group } : {}),
      rule: request.rule,
      breakGlass: request.kind === 'break_glass',
      durationSeconds: Math.min(request.durationSeconds, capSeconds),
      capSeconds,
      createdAt: now,
      deprovisionAttempts: 0,
      ...(request.bundle ? { bundleId: request.bundle.id } : {}),
    },
    PROVISIONER,
  ).next;
  try {
    await ctx.store.createGrant(grant);
  } catch (error) {
    if (!isKeylessError(error, ErrorCodes.VersionConflict)) throw error;
  }
  const { request: linked, changed } = await link(ctx, request, grantId);
  // Announced by the replica whose write linked the grant, so once however many sweeps race here.
  if (request.kind === 'break_glass' && changed) {
    await ctx.publish({ type: 'break_glass_used', grant, request: linked });
  }
  const stored = later ? await ctx.store.getGrant(grantId) : undefined;
  if (stored?.status === 'scheduled') {
    ctx.scheduler.track(stored);
    if (changed) await ctx.publish({ type: 'grant_scheduled', grant: stored, request: linked });
    return;
  }
  await activate(ctx, grantId);
}

function link(
  ctx: EngineContext,
  request: AccessRequest,
  grantId: GrantId,
): Promise<{ request: AccessRequest; changed: boolean }> {
  return commitRequest(ctx, request.id, (r) =>
    r.status === 'approved' && !r.grantId
      ? { type: 'link_grant', actor: PROVISIONER, at: ctx.clock.now(), grantId }
      : undefined,
  );
}

/** The maximum of the rule that approved a request (requests recorded before caps: their duration). */
function capOf(request: Pick<AccessRequest, 'capSeconds' | 'durationSeconds'>): number {
  return boundedCap(request.capSeconds, request.durationSeconds);
}

/**
 * The event that applies an approved request `requestId` to a live grant, once: the grant machine
 * moves the end to the later end (or adds, for `extend`), cut to `capSeconds` (grant-term.ts).
 */
function extension(
  ctx: EngineContext,
  g: Grant,
  ask: { requestId: string; requestedSeconds: number; capSeconds: number; addsTime: boolean; reason?: string },
): GrantEvent | undefined {
  if (g.status !== 'active' && g.status !== 'provisioning') return undefined;
  if (g.requestId === ask.requestId || g.history.some((e) => e.details?.requestId === ask.requestId)) return undefined;
  return {
    type: 'extended',
    actor: PROVISIONER,
    at: ctx.clock.now(),
    requestedSeconds: ask.requestedSeconds,
    capSeconds: ask.capSeconds,
    mode: ask.addsTime ? 'add' : 'later_end',
    requestId: ask.requestId,
    ...(ask.reason ? { reason: ask.reason } : {}),
  };
}

/** What the requester is told after an extension: the real end, what was really added, and any cut. */
export function extendedEvent(grant: Grant, requestId: string, actor: Actor): DomainEvent | undefined {
  const audit = grant.history.find((e) => e.event === 'extended' && e.details?.requestId === requestId);
  if (!audit) return undefined;
  const d = audit.details ?? {};
  const previous = typeof d.previousExpiresAt === 'number' ? d.previousExpiresAt : undefined;
  return {
    type: 'grant_extended',
    grant,
    actor,
    addSeconds: typeof d.addedSeconds === 'number' ? d.addedSeconds : 0,
    requestedSeconds: typeof d.requestedSeconds === 'number' ? d.requestedSeconds : 0,
    capped: d.capped === true,
    ...(previous !== undefined ? { previousExpiresAt: previous } : {}),
  };
}

/** Applies an approved extension to a live grant, once. False when the grant is no longer live. */
async function applyExtension(ctx: EngineContext, request: AccessRequest, grantId: GrantId): Promise<boolean> {
  const { grant, changed } = await commitGrant(ctx, grantId, (g) =>
    extension(ctx, g, {
      requestId: request.id,
      requestedSeconds: request.durationSeconds,
      capSeconds: capOf(request),
      addsTime: request.addsTime === true,
      reason: request.reason,
    }),
  );
  const applied = grant.history.some((e) => e.event === 'extended' && e.details?.requestId === request.id);
  if (changed) {
    ctx.scheduler.track(grant);
    const event = extendedEvent(grant, request.id, request.approvals.at(-1)?.actor ?? PROVISIONER);
    if (event) await ctx.publish(event);
  }
  return applied;
}

/**
 * provisioning → assign → active (or failed). Holds the grant's lease; claims the one-active-grant
 * slot first, so two grants never share (and later tear down) one assignment.
 */
export async function activate(
  ctx: EngineContext,
  grantId: GrantId,
  opts: {
    /** The lease taken by a write that also moved the grant (a scheduled start), and the grant it wrote. */
    taken?: { owner: string; take: () => Promise<boolean>; grant: Grant };
  } = {},
): Promise<void> {
  await withLease(
    ctx,
    grantId,
    (lease) => activateHeld(ctx, grantId, lease, opts.taken?.grant),
    opts.taken ? { owner: opts.taken.owner, take: opts.taken.take } : undefined,
  );
}

async function activateHeld(ctx: EngineContext, grantId: GrantId, lease: HeldLease, known?: Grant): Promise<void> {
  const grant = known ?? (await ctx.store.getGrant(grantId));
  if (!grant) return;
  if (grant.status === 'deprovisioning') return deprovision(ctx, grantId, { lease });
  if (grant.status !== 'provisioning') return;

  if (!(await claimSlot(ctx, grant))) return;
  const key = grantAssignment(grant);
  const log = ctx.logger.child({
    grantId,
    accountId: grant.accountId,
    permissionSet: grant.permissionSetName,
    principal: grant.principalName,
  });
  if (!(await leaseStands(ctx, grantId, lease))) {
    // Our heartbeat or the lease is about to lapse, or the lease was taken: the others may act;
    // leave the call to them.
    log.warn({ owner: lease.owner }, 'membership or lease lapsing; activation left to another replica');
    return;
  }
  try {
    await grantAccess(ctx, grant);
  } catch (error) {
    if (isKeylessError(error) && error.retryable) {
      log.warn({ code: error.code }, 'assignment will be retried by the sweep');
      return;
    }
    const code = isKeylessError(error) ? error.code : ErrorCodes.AssignmentFailed;
    const message = error instanceof Error ? error.message : String(error);
    // An earlier attempt may have created the assignment and lost its answer (a crash, a timeout):
    // a failed grant must leave nothing behind. Deleting is idempotent, and this grant holds the
    // triple's slot and its lease, so no other grant's access is touched. Should the clean-up fail,
    // the grant stays provisioning (with its slot) and the sweep tries again: it is marked failed
    // only once nothing can be left behind, never with an assignment that no expiry would remove.
    try {
      // The assign may have taken long: the lease must still stand for this second call.
      if (!(await leaseStands(ctx, grantId, lease))) {
        log.warn({ owner: lease.owner }, 'lease lapsing before the clean-up; left to the sweep');
        return;
      }
      await removeAccess(ctx, grant);
    } catch (cleanup) {
      log.warn(
        { code: isKeylessError(cleanup) ? cleanup.code : 'UNKNOWN' },
        'clean-up after a failed assignment failed; the sweep tries again',
      );
      return;
    }
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
  // Confirmed and the lease released in one write, unless the grant changed meanwhile (a revoke
  // while provisioning): then the ordinary read-and-commit decides.
  const { grant: after, changed } = await commitReleasing(ctx, grant, lease, 'provisioning', () => ({
    type: 'assignment_confirmed',
    actor: PROVISIONER,
    at: ctx.clock.now(),
  }));
  if (after.status === 'deprovisioning') return deprovision(ctx, grantId, { lease });
  if (changed && after.status === 'active') {
    log.info({ timeToAccessMs: (after.activatedAt ?? 0) - after.createdAt }, 'access granted');
    ctx.scheduler.track(after);
    const request = await ctx.store.getRequest(after.requestId);
    if (request) await ctx.publish({ type: 'grant_activated', grant: after, request });
  }
}

/**
 * Takes the one-active-grant slot for `grant`. When another live grant holds it, an active or
 * provisioning holder absorbs this grant's time (never a second assignment); a holder being torn
 * down makes this grant wait for the next sweep.
 */
async function claimSlot(ctx: EngineContext, grant: Grant): Promise<boolean> {
  const key = grantAssignment(grant);
  // Most claims find the slot free or already this grant's: one conditional write, no read.
  if (await ctx.store.claimActiveSlot(key, grant.id)) return true;
  const holderId = await ctx.store.getActiveSlot(key);
  if (!holderId || holderId === grant.id) return ctx.store.claimActiveSlot(key, grant.id);
  const holder = await ctx.store.getGrant(holderId);
  if (!holder || !isLiveGrant(holder)) return ctx.store.claimActiveSlot(key, grant.id, holderId);
  if (holder.status === 'deprovisioning') {
    ctx.logger.info({ grantId: grant.id, holder: holderId }, 'waiting for the previous grant to end');
    return false;
  }
  // A race let two approved requests reach provisioning for one triple: merge into the holder, which
  // then ends at the later of the two ends, cut to the cap (never the sum of the two durations).
  const { grant: extended, changed } = await commitGrant(ctx, holderId, (g) =>
    extension(ctx, g, {
      requestId: grant.requestId,
      requestedSeconds: grant.durationSeconds,
      capSeconds: grantCapSeconds(grant),
      addsTime: false,
    }),
  );
  if (changed) ctx.scheduler.track(extended);
  const message = `Merged into grant ${holderId}, which already gives this access.`;
  await commitGrant(ctx, grant.id, (g) =>
    g.status === 'provisioning'
      ? { type: 'assignment_failed', actor: PROVISIONER, at: ctx.clock.now(), code: 'MERGED', message }
      : undefined,
  );
  if (changed) {
    const event = extendedEvent(extended, grant.requestId, PROVISIONER);
    if (event) await ctx.publish(event);
  }
  return false;
}
