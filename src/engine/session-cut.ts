import {
  ErrorCodes,
  cutInForce,
  cutMoment,
  cutRetainUntil,
  isKeylessError,
  membersOfDocument,
  packSessionCuts,
  sessionCutAtExpiry,
  systemActor,
  type Grant,
  type PackedCuts,
  type SessionCut,
  type SessionCutNote,
} from '../domain';
import type { OwnedPolicy } from '../ports';
import { commitGrant } from './commit';
import { forEachLimit } from './concurrency';
import type { EngineContext } from './deps';

const WRITER = systemActor('session-cut');
const LEASE = 'session-cut-writer';
/** The longest session an Identity Center permission set allows, when its own is unknown. */
const LONGEST_SESSION_SECONDS = 12 * 3600;

export interface SessionCutSyncReport {
  people: number;
  policies: number;
  writes: number;
  marked: number;
  removed: number;
  maxChars: number;
  packing: PackedCuts['packing'] | 'none';
}

async function sessionSecondsOf(ctx: EngineContext, grant: Grant): Promise<number> {
  try {
    const sets = await ctx.identity.listPermissionSets();
    return sets.find((s) => s.arn === grant.permissionSetArn)?.sessionDurationSeconds ?? LONGEST_SESSION_SECONDS;
  } catch (error) {
    ctx.logger.warn({ err: error, grantId: grant.id }, 'session duration unknown; the longest is assumed');
    return LONGEST_SESSION_SECONDS;
  }
}

/**
 * Does a scheduled expiry of a grant under `rule` end its open sessions (when they outlive it)? The
 * policy's `sessionCut.atExpiry` (the rule's, else the top level), else the engine option. False
 * whenever session cut is off, and in the management account (no service control policy reaches it).
 */
export function expiryCutsSessions(ctx: EngineContext, rule: string | undefined, accountId?: string): boolean {
  const o = ctx.options.sessionCut;
  if (!o.enabled || !ctx.sessionCuts) return false;
  if (accountId !== undefined && o.managementAccountId !== undefined && accountId === o.managementAccountId) {
    return false;
  }
  return sessionCutAtExpiry(ctx.policy(), rule) ?? o.expiryCutsWhenSessionOutlives;
}

/**
 * Called once the grant's assignment is gone, before the grant is recorded as ended, so that a crash
 * in between leaves the grant deprovisioning and the sweep records the cut again (a later T, merged).
 * Records the person's cut durably and answers what the grant should say; undefined when no cut is
 * due (the feature is off, or a scheduled expiry the policy's `sessionCut.atExpiry` (else the engine
 * option) leaves alone: a refused extension after expiry ends nothing early).
 */
export async function recordSessionCut(ctx: EngineContext, grant: Grant): Promise<SessionCutNote | undefined> {
  const o = ctx.options.sessionCut;
  const deps = ctx.sessionCuts;
  if (!o.enabled || !deps) return undefined;
  // A group membership reaches whatever the group is assigned: no one account to cut (README).
  if (grant.group) return undefined;
  const early = grant.endReason === 'revoked';
  let sessionSeconds: number | undefined;
  if (!early) {
    const atExpiry = sessionCutAtExpiry(ctx.policy(), grant.rule) ?? o.expiryCutsWhenSessionOutlives;
    if (!atExpiry || grant.activatedAt === undefined || grant.expiresAt === undefined) {
      return undefined;
    }
    sessionSeconds = await sessionSecondsOf(ctx, grant);
    if (sessionSeconds * 1000 <= grant.expiresAt - grant.activatedAt) return undefined;
  }
  if (o.managementAccountId !== undefined && grant.accountId === o.managementAccountId) {
    ctx.logger.warn(
      { grantId: grant.id, accountId: grant.accountId },
      'sessions in the management account are not ended',
    );
    return { skipped: 'management_account' };
  }
  sessionSeconds ??= await sessionSecondsOf(ctx, grant);
  const removedAt = ctx.clock.now();
  const from = cutMoment(removedAt + o.skewSeconds * 1000);
  await deps.store.recordSessionCut({
    principalId: grant.principalId,
    cutFrom: from,
    target: { accountId: grant.accountId, permissionSetName: grant.permissionSetName },
    retainUntil: cutRetainUntil(from, sessionSeconds, o.skewSeconds),
    grant: { grantId: grant.id, removedAt },
  });
  return { from };
}

/**
 * Asks this replica's writer to run (now, or again right after the run in progress). The writer
 * runs in the background; a replica that finds another one writing tries again shortly, and the
 * sweep re-drives whatever is pending after a crash.
 */
export function requestSessionCutSync(ctx: EngineContext): void {
  if (!ctx.options.sessionCut.enabled || !ctx.sessionCuts) return;
  const state = ctx.sessionCutState;
  if (state.running) {
    state.again = true;
    return;
  }
  ctx.background('session-cut-sync', async () => {
    state.running = true;
    try {
      do {
        state.again = false;
        const report = await syncSessionCuts(ctx);
        if (report === undefined) {
          retryLater(ctx, ctx.options.sessionCut.retryDelayMs); // another replica writes: look again soon
          return;
        }
      } while (state.again && !ctx.lifecycle.stopping);
    } catch (error) {
      state.failures++;
      retryLater(ctx, Math.min(30_000, ctx.options.sessionCut.retryDelayMs * 2 ** Math.min(state.failures, 7)));
      throw error;
    } finally {
      state.running = false;
    }
  });
}

function retryLater(ctx: EngineContext, delayMs: number): void {
  const state = ctx.sessionCutState;
  if (state.retryTimer || ctx.lifecycle.stopping) return;
  state.retryTimer = ctx.clock.setTimer(ctx.clock.now() + delayMs, () => {
    state.retryTimer = undefined;
    requestSessionCutSync(ctx);
  });
}

/**
 * The sweep's part: writes when a cut waits (recorded, not yet in force), when one has passed its
 * retention, or now and then to repair the policies (edited by hand, a write lost in a crash).
 */
export async function sweepSessionCuts(ctx: EngineContext): Promise<void> {
  const deps = ctx.sessionCuts;
  if (!ctx.options.sessionCut.enabled || !deps) return;
  const now = ctx.clock.now();
  const last = ctx.sessionCutState.lastSyncAt;
  const due = last === undefined || now - last >= ctx.options.sessionCut.resyncEveryMs;
  if (!due) {
    const cuts = await deps.store.listSessionCuts();
    if (!cuts.some((c) => c.pending.length > 0 || !cutInForce(c, now))) return;
  }
  requestSessionCutSync(ctx);
}

/**
 * The writer: under the one lease of all replicas, renders every cut in force into keyless's
 * policies, writes what changed, then marks the covered grants `sessionsCutAt` and forgets the cuts
 * whose retention has passed. Undefined when another replica holds the lease.
 *
 * Writes that add a person to a policy go before writes that take one away, so that a person whose
 * statement moves between policies is covered at every moment; an empty policy is removed last.
 * Failures throw (the cuts stay recorded; the caller retries with backoff).
 */
export async function syncSessionCuts(ctx: EngineContext): Promise<SessionCutSyncReport | undefined> {
  const deps = ctx.sessionCuts;
  if (!ctx.options.sessionCut.enabled || !deps) return undefined;
  const owner = ctx.options.replicaId;
  const ttl = ctx.options.leaseMs;
  const takenAt = ctx.clock.now();
  if (!(await deps.lease.acquire(LEASE, owner, takenAt, ttl))) return undefined;
  // Until when this replica is sure it has held the lease without a break. A renewal after a lapse
  // does not count: another replica may have taken the lease, written and released it in between.
  let heldUntil = takenAt + ttl;
  const renewHeld = async (): Promise<boolean> => {
    const at = ctx.clock.now();
    if (at + ctx.options.fenceMarginMs >= heldUntil) {
      heldUntil = 0;
      return false;
    }
    if (!(await deps.lease.acquire(LEASE, owner, at, ttl))) {
      heldUntil = 0;
      return false;
    }
    heldUntil = at + ttl;
    return true;
  };
  let done = false;
  let renewal = ctx.clock.setTimer(ctx.clock.now() + ttl / 3, function renew() {
    if (done) return;
    renewHeld()
      .catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not renew the session-cut lease'))
      .finally(() => {
        if (!done) renewal = ctx.clock.setTimer(ctx.clock.now() + ttl / 3, renew);
      });
  });
  // Renewing is also how the writer checks, right before each write and after them, that it still
  // holds the lease: the check fails once the lease lapsed (this replica paused, a slow call) or
  // another replica took it over, and then it must not write.
  const stillHeld = renewHeld;
  try {
    const report = await writeHeld(ctx, stillHeld);
    if (report === LEASE_LOST) {
      ctx.logger.warn(
        { component: 'session-cut', replicaId: owner },
        'the session-cut lease passed to another replica during a write; it rewrites the policies from the recorded cuts',
      );
      return undefined;
    }
    ctx.sessionCutState.lastSyncAt = ctx.clock.now();
    ctx.sessionCutState.failures = 0;
    return report;
  } finally {
    done = true;
    renewal.cancel();
    await deps.lease.release(LEASE, owner).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'could not release the session-cut lease; it will lapse');
    });
  }
}

const LEASE_LOST = 'lease_lost';

/**
 * Writes under the lease. Organizations has no conditional update (UpdatePolicy cannot say "only if
 * the content is still what I read"), so the lease is checked again right before every write, and
 * once more after the writes: a writer that lost it writes nothing more, marks no grant and leaves
 * every cut recorded, so the replica holding the lease now (or this one, once it gets it back)
 * renders the policies again from the durable records and overwrites whatever a late write left.
 * What remains: a write already sent when the lease lapsed lands anyway; it is repaired by the next
 * holder's run, which the losing writer asks for (its caller retries shortly), within seconds.
 */
async function writeHeld(
  ctx: EngineContext,
  stillHeld: () => Promise<boolean>,
): Promise<SessionCutSyncReport | typeof LEASE_LOST> {
  const deps = ctx.sessionCuts!;
  const o = ctx.options.sessionCut;
  const log = ctx.logger.child({ component: 'session-cut' });
  const cuts = await deps.store.listSessionCuts();
  const listedAt = ctx.clock.now();
  const inForce = cuts.filter((c) => cutInForce(c, listedAt));
  const lapsed = cuts.filter((c) => !cutInForce(c, listedAt));
  const existing = (await deps.policies.list()).sort((a, b) => a.slot - b.slot);
  const previous = new Map<string, number>();
  for (const p of existing) for (const id of membersOfDocument(p.content)) previous.set(id, p.slot);

  let packed: PackedCuts;
  try {
    packed = packSessionCuts(inForce, { slots: o.slots, previous });
  } catch (error) {
    if (isKeylessError(error, ErrorCodes.SessionCutNoRoom)) {
      log.error({ code: error.code, people: inForce.length }, error.message);
      if (ctx.sessionCutState.lastFailure !== error.code) {
        ctx.sessionCutState.lastFailure = error.code;
        await ctx.publish({
          type: 'session_cut_failed',
          code: error.code,
          message: error.message,
          people: inForce.length,
        });
      }
    }
    throw error;
  }
  ctx.sessionCutState.lastFailure = undefined;

  const bySlot = new Map<number, OwnedPolicy>(existing.map((p) => [p.slot, p]));
  const gaining: (() => Promise<unknown>)[] = [];
  const others: (() => Promise<unknown>)[] = [];
  const removals: (() => Promise<unknown>)[] = [];
  packed.documents.forEach((doc, slot) => {
    const current = bySlot.get(slot);
    if (!doc) {
      if (current) removals.push(() => deps.policies.remove(current.id));
      return;
    }
    if (!current) {
      gaining.push(() => deps.policies.create(slot, doc));
      return;
    }
    if (current.content === doc) return;
    const had = new Set(membersOfDocument(current.content));
    const adds = packed.members[slot]!.some((id) => !had.has(id));
    (adds ? gaining : others).push(() => deps.policies.update(current.id, doc));
  });
  for (const p of existing) {
    if (p.slot >= packed.documents.length) removals.push(() => deps.policies.remove(p.id));
  }
  // A person moves between policies only when their slot has no room left: then the policies that
  // gain go first. Otherwise every write only adds to or takes from one slot, and all go at once.
  const moved = packed.members.some((ids, slot) => ids.some((id) => previous.has(id) && previous.get(id) !== slot));
  const phases = moved ? [gaining, others, removals] : [[...gaining, ...others, ...removals]];
  let lost = false;
  const guarded = async (write: () => Promise<unknown>) => {
    if (lost || !(await stillHeld())) {
      lost = true;
      return;
    }
    await write();
  };
  for (const phase of phases) {
    await Promise.all(phase.map(guarded));
    if (lost) return LEASE_LOST;
  }
  const writes = gaining.length + others.length + removals.length;
  const acceptedAt = ctx.clock.now();
  // Held all through the writes? Otherwise a newer holder may have written in between: nothing is
  // marked, and the cuts wait for its run.
  if (writes > 0 && !(await stillHeld())) return LEASE_LOST;
  if (writes > 0) {
    log.info(
      { people: inForce.length, policies: packed.documents.filter(Boolean).length, packing: packed.packing, writes },
      'session cuts written',
    );
  }

  let marked = 0;
  let removed = 0;
  const waiting = inForce.filter((c) => c.pending.length > 0);
  const failures = await forEachLimit([...waiting, ...lapsed], 16, async (cut) => {
    marked += await markGrants(ctx, cut, acceptedAt);
    if (cutInForce(cut, listedAt)) {
      await deps.store.settleSessionCut(
        cut.principalId,
        cut.pending.map((p) => p.grantId),
      );
    } else if (await deps.store.deleteSessionCut(cut.principalId, cut.version)) {
      // Past its retention every session it covered has ended on its own; its grants say when it went.
      removed++;
    }
  });
  if (failures.length > 0) throw failures[0];
  return {
    people: inForce.length,
    policies: packed.documents.filter(Boolean).length,
    writes,
    marked,
    removed,
    maxChars: packed.maxChars,
    packing: inForce.length ? packed.packing : 'none',
  };
}

async function markGrants(ctx: EngineContext, cut: SessionCut, acceptedAt: number): Promise<number> {
  let marked = 0;
  for (const p of cut.pending) {
    const { grant, changed } = await commitGrant(ctx, p.grantId, (g) =>
      g.sessionsCutAt === undefined &&
      (g.status === 'deprovisioning' || g.status === 'revoked' || g.status === 'expired')
        ? { type: 'sessions_cut', actor: WRITER, at: acceptedAt, cutFrom: cut.cutFrom, lagMs: acceptedAt - p.removedAt }
        : undefined,
    ).catch((error: unknown) => {
      if (isKeylessError(error, ErrorCodes.GrantNotFound)) return { grant: undefined, changed: false };
      throw error;
    });
    if (!changed || !grant) continue;
    marked++;
    await ctx.publish({ type: 'sessions_cut', grant, lagSeconds: Math.max(0, acceptedAt - p.removedAt) / 1000 });
  }
  return marked;
}
