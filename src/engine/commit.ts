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
    const lease: HeldLease = { owner, released: false };
    const renewLater = () => {
      renewal = ctx.clock.setTimer(ctx.clock.now() + ctx.options.leaseMs / 3, () => {
        if (done) return;
        const now = ctx.clock.now();
        ctx.store
          .acquireLease(id, owner, now, now + ctx.options.leaseMs)
          .catch((error: unknown) => ctx.logger.warn({ grantId, err: error }, 'could not renew a lease'))
          .finally(() => {
            if (!done) renewLater();
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
