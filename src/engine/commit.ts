import {
  ErrorCodes,
  KeylessError,
  isKeylessError,
  parseGrantId,
  parseRequestId,
  transitionGrant,
  transitionRequest,
  type AccessRequest,
  type Grant,
  type GrantEvent,
  type GrantId,
  type GrantStatus,
  type RequestEvent,
} from '../domain';
import type { TimerHandle } from '../ports';
import type { EngineContext } from './deps';

const MAX_ATTEMPTS = 8;

/**
 * Applies an event to the latest stored request, retrying on a lost race (another writer changed the
 * version meanwhile). Returns the request as stored after the event, and whether it changed.
 * `event` is a function of the fresh record, so it is re-derived on each attempt.
 */
export async function commitRequest(
  ctx: EngineContext,
  id: string,
  event: (current: AccessRequest) => RequestEvent | undefined,
): Promise<{ request: AccessRequest; changed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const current = await ctx.store.getRequest(parseRequestId(id));
    if (!current) throw new KeylessError(ErrorCodes.RequestNotFound, `There is no request ${id}.`);
    const e = event(current);
    const t = e && transitionRequest(current, e);
    if (!t) return { request: current, changed: false };
    try {
      await ctx.store.saveRequest(t.next, current.version);
      return { request: t.next, changed: true };
    } catch (error) {
      if (!isKeylessError(error, ErrorCodes.VersionConflict) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** The same as commitRequest, for grants. */
export async function commitGrant(
  ctx: EngineContext,
  id: string,
  event: (current: Grant) => GrantEvent | undefined,
  /** The record as just read, to save a read on the first attempt. */
  known?: Grant,
): Promise<{ grant: Grant; changed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const current = attempt === 1 && known ? known : await ctx.store.getGrant(parseGrantId(id));
    if (!current) throw new KeylessError(ErrorCodes.GrantNotFound, `There is no grant ${id}.`);
    const e = event(current);
    const t = e && transitionGrant(current, e);
    if (!t) return { grant: current, changed: false };
    try {
      await ctx.store.saveGrant(t.next, current.version);
      return { grant: t.next, changed: true };
    } catch (error) {
      if (!isKeylessError(error, ErrorCodes.VersionConflict) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** A lease this replica holds on a grant while `withLease` runs its work. */
export interface HeldLease {
  /** The member id the lease was taken under. */
  owner: string;
  /** Set by work that released the lease in its last write (`saveGrantWithLease`). */
  released: boolean;
  /**
   * Until when the lease is known to be this replica's (epoch ms): from the clock read before the
   * write that took or last renewed it, so never later than what the store holds.
   */
  until: number;
  /** Set when a renewal found the lease taken: no Identity Center call may follow. */
  lost: boolean;
}

/**
 * A lease taken in the same conditional write that saves `next` (the grant as `known` moved on by
 * one event): for `withLease`'s `taken`. `took()` tells afterwards whether that write applied.
 */
export function takeInWrite(
  ctx: EngineContext,
  next: Grant,
  known: Grant,
): { owner: string; take: () => Promise<boolean>; took: () => boolean } {
  const owner = ctx.ownership.memberId;
  const departed = ctx.ownership.departed;
  let took = false;
  return {
    owner,
    take: async () => {
      const now = ctx.clock.now();
      took = await ctx.store.saveGrantWithLease(next, known.version, {
        take: { owner, nowMs: now, untilMs: now + ctx.options.leaseMs, ...(departed.length ? { departed } : {}) },
      });
      return took;
    },
    took: () => took,
  };
}

/**
 * The last write of work under `lease`: `event` applied to `grant` as read, and the lease released
 * in the same write. When the grant changed meanwhile, the ordinary read-and-commit applies it if
 * the grant is still `status` (and the lease is released by `withLease`).
 */
export async function commitReleasing(
  ctx: EngineContext,
  grant: Grant,
  lease: HeldLease,
  status: GrantStatus,
  event: () => GrantEvent,
): Promise<{ grant: Grant; changed: boolean }> {
  const t = transitionGrant(grant, event());
  if (t && (await ctx.store.saveGrantWithLease(t.next, grant.version, { release: { owner: lease.owner } }))) {
    lease.released = true;
    return { grant: t.next, changed: true };
  }
  return commitGrant(ctx, grant.id, (g) => (g.status === status ? event() : undefined));
}

/**
 * Renews `lease` now (ahead of other store work) and answers whether it is still this replica's.
 * A renewal refused by the store means another replica took the lease: it is marked lost.
 */
async function renewLease(ctx: EngineContext, grantId: GrantId, lease: HeldLease): Promise<boolean> {
  if (lease.lost) return false;
  const now = ctx.clock.now();
  const until = now + ctx.options.leaseMs;
  if (await ctx.store.acquireLease(grantId, lease.owner, now, until, { renewal: true })) {
    lease.until = Math.max(lease.until, until);
    return true;
  }
  lease.lost = true;
  return false;
}

/**
 * Whether an Identity Center call may be made under `lease` now: this replica's membership has not
 * lapsed (`Ownership.fence`) and the lease itself has more than the fence margin left, renewed
 * first when it has not (a renewal delayed by a busy store, a pause). Checked right before every
 * call that changes access, so that two replicas never act on one grant at once.
 */
export async function leaseStands(ctx: EngineContext, grantId: GrantId, lease: HeldLease): Promise<boolean> {
  if (lease.lost || !(await ctx.ownership.fence(lease.owner))) return false;
  if (ctx.clock.now() < lease.until - ctx.options.fenceMarginMs) return true;
  try {
    return (await renewLease(ctx, grantId, lease)) && ctx.clock.now() < lease.until - ctx.options.fenceMarginMs;
  } catch (error) {
    ctx.logger.warn({ grantId, err: error }, 'could not renew a lease before an Identity Center call');
    return false;
  }
}

/**
 * Runs `work` holding this replica's lease on a grant; returns undefined when another replica holds
 * it. The lease is short and renewed while the work runs (an Identity Center operation can take
 * minutes), so a replica that dies mid-work holds a grant back for at most one lease period, or
 * until the others see its heartbeat lapse (a departed member's leases are void).
 * `taken`: the lease is taken as `owner` by `take` (a write that changes the grant's state too),
 * run under this replica's busy mark like any other.
 */
export async function withLease<T>(
  ctx: EngineContext,
  grantId: string,
  work: (lease: HeldLease) => Promise<T>,
  taken?: { owner: string; take: () => Promise<boolean> },
): Promise<T | undefined> {
  const id = parseGrantId(grantId);
  if (ctx.busy.has(id)) return undefined;
  ctx.busy.add(id);
  let renewal: TimerHandle | undefined;
  let done = false;
  try {
    if (!taken) await ctx.ownership.ensureFresh();
    const owner = taken?.owner ?? ctx.ownership.memberId;
    const lease: HeldLease = { owner, released: false, until: ctx.clock.now() + ctx.options.leaseMs, lost: false };
    const renewLater = () => {
      renewal = ctx.clock.setTimer(ctx.clock.now() + ctx.options.leaseMs / 3, () => {
        if (done || lease.released) return;
        renewLease(ctx, id, lease)
          .then((held) => {
            if (!held) ctx.logger.warn({ grantId }, 'lease taken by another replica; no further call under it');
          })
          .catch((error: unknown) => ctx.logger.warn({ grantId, err: error }, 'could not renew a lease'))
          .finally(() => {
            if (!done && !lease.lost) renewLater();
          });
      });
    };
    if (taken) {
      if (!(await taken.take())) return undefined;
    } else {
      const now = ctx.clock.now();
      const departed = ctx.ownership.departed;
      const got = await ctx.store.acquireLease(
        id,
        owner,
        now,
        now + ctx.options.leaseMs,
        departed.length ? { departed } : undefined,
      );
      if (!got) return undefined;
    }
    renewLater();
    try {
      return await work(lease);
    } finally {
      done = true;
      renewal?.cancel();
      if (!lease.released) {
        await ctx.store.releaseLease(id, owner).catch((error: unknown) => {
          ctx.logger.warn({ grantId, err: error }, 'could not release a lease; it will lapse');
        });
      }
    }
  } finally {
    done = true;
    ctx.busy.delete(id);
  }
}
