import {
  assignmentKeyString,
  grantAssignment,
  ownerOf,
  rendezvousRanking,
  shouldActOn,
  type AccountId,
  type Grant,
  type GrantId,
  type PrincipalId,
} from '../../../src';
import { aGrant } from '../../builders';
import { ReplicaCluster } from '../../fakes/replica-cluster';

/**
 * Issue 13, item 1: each grant's timed work has one owner among the live replicas (rendezvous
 * hashing over the heartbeating members); a replica arms timers only for its share; a replica that
 * stops heartbeating has its share taken over within a bounded time; and a wrong partition costs
 * speed, never a revocation.
 */
describe('rendezvous ownership (pure)', () => {
  const keys = Array.from({ length: 1000 }, (_, i) => `grant-${i}`);

  it('gives every key one owner, the same on every replica, spread over the members', () => {
    const members = ['r1', 'r2', 'r3'];
    const counts = new Map<string, number>();
    for (const k of keys) {
      const owner = ownerOf(k, members)!;
      expect(ownerOf(k, [...members].reverse())).toBe(owner);
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    for (const m of members) expect(counts.get(m)!).toBeGreaterThan(keys.length / 4);
  });

  it('moves only the departed member’s keys when one leaves, each to its next in rank', () => {
    const before = ['r1', 'r2', 'r3'];
    const after = ['r1', 'r3'];
    for (const k of keys) {
      const was = ownerOf(k, before)!;
      const now = ownerOf(k, after)!;
      if (was !== 'r2') expect(now).toBe(was);
      else expect(now).toBe(rendezvousRanking(k, before)[1]);
    }
  });

  it('lets the next in rank act once the work has waited a grace period per rank', () => {
    const members = ['r1', 'r2', 'r3'];
    const [first, second, third] = rendezvousRanking('grant-x', members) as [string, string, string];
    expect(shouldActOn(first, 'grant-x', members, 0, 2000)).toBe(true);
    expect(shouldActOn(second, 'grant-x', members, 1999, 2000)).toBe(false);
    expect(shouldActOn(second, 'grant-x', members, 2000, 2000)).toBe(true);
    expect(shouldActOn(third, 'grant-x', members, 2000, 2000)).toBe(false);
    expect(shouldActOn(third, 'grant-x', members, 4000, 2000)).toBe(true);
    // A replica missing from its own view still counts itself in.
    expect(shouldActOn('r9', 'grant-x', members, 10_000, 2000)).toBe(true);
  });
});

const GRANTS = 30;

/** Active grants (distinct triples, assigned in the fake Identity Center) expiring from `at` on, 100 ms apart. */
async function activeGrants(c: ReplicaCluster, at: number): Promise<Grant[]> {
  const grants: Grant[] = [];
  for (let i = 0; i < GRANTS; i++) {
    const g = aGrant({
      id: `own-${String(i).padStart(3, '0')}` as GrantId,
      status: 'active',
      principalId: `p-${i}` as PrincipalId,
      accountId: '111111111111' as AccountId,
      activatedAt: c.clock.now(),
      expiresAt: at + i * 100,
    });
    await c.store.createGrant(g);
    expect(await c.store.claimActiveSlot(grantAssignment(g), g.id)).toBe(true);
    c.identity.assignments.set(assignmentKeyString(grantAssignment(g)), grantAssignment(g));
    grants.push(g);
  }
  return grants;
}

async function startAll(c: ReplicaCluster): Promise<void> {
  await Promise.all(c.replicas.map((r) => r.engine.start()));
  await c.advance(1_000); // one heartbeat: every replica has read the others
}

async function stopAll(c: ReplicaCluster): Promise<void> {
  await Promise.all(c.replicas.filter((r) => !r.life.dead).map((r) => r.engine.stop()));
}

function deletesPerGrant(c: ReplicaCluster): Map<string, number> {
  const n = new Map<string, number>();
  for (const call of c.calls) {
    if (call.op === 'unassign' && call.outcome === 'ok') n.set(call.grantId!, (n.get(call.grantId!) ?? 0) + 1);
  }
  return n;
}

describe('three replicas sharing the timed work', () => {
  it('arm only the timers of their own share: each grant on exactly one replica, its owner', async () => {
    const c = new ReplicaCluster(3);
    const grants = await activeGrants(c, c.clock.now() + 60_000);
    await startAll(c);
    const members = c.replicas[0]!.engine.membership.members;
    expect(members).toHaveLength(3);
    for (const r of c.replicas) expect(r.engine.membership.members).toEqual(members);
    const armed = c.replicas.map((r) => r.engine.armedTimers);
    expect(armed.reduce((a, b) => a + b, 0)).toBe(GRANTS);
    for (const [i, r] of c.replicas.entries()) {
      const share = grants.filter((g) => ownerOf(g.id, members) === r.engine.membership.memberId).length;
      expect({ replica: i, armed: armed[i] }).toEqual({ replica: i, armed: share });
    }
    await c.advance(70_000);
    expect([...c.store.grants.values()].every((g) => g.status === 'expired')).toBe(true);
    // Each grant revoked by its owner's timer, at its expiry instant.
    for (const g of c.store.grants.values()) expect(g.endedAt).toBe(g.expiresAt);
    expect([...deletesPerGrant(c).values()]).toEqual(grants.map(() => 1));
    expect(c.violations).toEqual([]);
    await stopAll(c);
  });

  it('take over the share of a replica that stops heartbeating, within the bound, each grant revoked once', async () => {
    const c = new ReplicaCluster(3);
    const start = c.clock.now();
    // They expire just after the kill, before the others can see it: the blind window.
    const grants = await activeGrants(c, start + 1_500);
    await startAll(c);
    const members = c.replicas[0]!.engine.membership.members;
    const victim = c.replicas[1]!.engine.membership.memberId;
    const victimShare = grants.filter((g) => ownerOf(g.id, members) === victim);
    expect(victimShare.length).toBeGreaterThan(0);
    c.kill(1); // SIGKILL: its timers never fire, its heartbeat stops
    await c.advance(30_000);
    const ended = [...c.store.grants.values()];
    expect(ended.filter((g) => g.status !== 'expired').map((g) => g.id)).toEqual([]);
    expect([...deletesPerGrant(c).values()]).toEqual(grants.map(() => 1));
    expect(c.violations).toEqual([]);
    // The bound: a departed member is seen within memberTtlMs + heartbeatMs, and its due work is
    // taken up by the next in rank after ownershipGraceMs, at that replica's next sweep.
    const bound = 2000 /* grace */ + 2000; /* sweep interval */
    for (const g of ended) {
      const lag = g.endedAt! - g.expiresAt!;
      const mine = victimShare.some((v) => v.id === g.id);
      expect({ grant: g.id, late: lag > (mine ? bound : 0) }).toEqual({ grant: g.id, late: false });
    }
    // The survivors now see two members and share the work between them.
    for (const r of c.replicas.filter((x) => !x.life.dead)) expect(r.engine.membership.members).toHaveLength(2);
    await stopAll(c);
  });

  it('rank a replica that stopped heartbeating out after two and a half beats, before its deadline passes', async () => {
    const c = new ReplicaCluster(3);
    const start = c.clock.now();
    // They expire after the others can tell the victim has stopped, but before its deadline.
    const grants = await activeGrants(c, start + 4_800);
    await startAll(c);
    const members = c.replicas[0]!.engine.membership.members;
    const victim = c.replicas[1]!.engine.membership.memberId;
    const victimShare = new Set(grants.filter((g) => ownerOf(g.id, members) === victim).map((g) => g.id));
    expect(victimShare.size).toBeGreaterThan(0);
    c.kill(1);
    await c.advance(3_500);
    // Its deadline (its last heartbeat + 5 s) has not passed, yet the others rank it out.
    for (const r of c.replicas.filter((x) => !x.life.dead)) expect(r.engine.membership.members).toHaveLength(2);
    await c.advance(30_000);
    const ended = [...c.store.grants.values()];
    expect(ended.filter((g) => g.status !== 'expired').map((g) => g.id)).toEqual([]);
    expect([...deletesPerGrant(c).values()]).toEqual(grants.map(() => 1));
    // Its share was armed by the survivors: revoked on time, not a grace period late.
    const late = ended.filter((g) => victimShare.has(g.id) && g.endedAt! - g.expiresAt! > 500).map((g) => g.id);
    expect(late).toEqual([]);
    await stopAll(c);
  });

  it('still revoke every grant once when every replica wrongly believes it is alone', async () => {
    // No replica reads the others (their membership reads fail): each believes it owns everything.
    const c = new ReplicaCluster(3);
    const grants = await activeGrants(c, c.clock.now() + 10_000);
    const members = c.store.members.bind(c.store);
    c.store.members = () => Promise.reject(new Error('membership unreadable'));
    await Promise.all(c.replicas.map((r) => r.engine.start()));
    await c.advance(30_000);
    c.store.members = members;
    expect([...c.store.grants.values()].every((g) => g.status === 'expired')).toBe(true);
    expect([...deletesPerGrant(c).values()]).toEqual(grants.map(() => 1));
    expect(c.violations).toEqual([]);
    await stopAll(c);
  });
});

describe('replicas stepping in for an overdue owner (issue 13, item 3)', () => {
  it('lose at most one write per grant they did not get: no second try the ordinary way', async () => {
    const c = new ReplicaCluster(3);
    const grants = await activeGrants(c, c.clock.now() + 1_000);
    // Every replica starts long after the expiries: each grant is overdue past every rank's grace.
    await c.advance(30_000);
    const lost = { fold: 0, lease: 0 };
    const store = c.store;
    const fold = store.saveGrantWithLease.bind(store);
    const lease = store.acquireLease.bind(store);
    store.saveGrantWithLease = async (...args) => ((await fold(...args)) ? true : (lost.fold++, false));
    store.acquireLease = async (...args) => ((await lease(...args)) ? true : (lost.lease++, false));
    await Promise.all(c.replicas.map((r) => r.engine.start()));
    await c.advance(5_000);
    expect([...deletesPerGrant(c).values()]).toEqual(grants.map(() => 1));
    expect([...c.store.grants.values()].every((g) => g.status === 'expired')).toBe(true);
    // A replica that is not the owner stops at its lost folded write; only an owner looks again.
    expect(lost.lease).toBeLessThanOrEqual(lost.fold / 2);
    expect(c.violations).toEqual([]);
    await stopAll(c);
  });
});

describe('round trips per revocation (issue 13, item 2)', () => {
  /** Counts every store call by method, from now on. */
  function countCalls(c: ReplicaCluster): Map<string, number> {
    const counts = new Map<string, number>();
    const store = c.store as unknown as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(c.store))) {
      const fn = store[name];
      if (name === 'constructor' || name === 'leaseFree' || typeof fn !== 'function') continue; // leaseFree: the fake's own helper
      store[name] = (...args: unknown[]) => {
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return (fn as (...a: unknown[]) => unknown).apply(c.store, args);
      };
    }
    return counts;
  }

  // Heartbeats and the sweep's list queries are per replica and per second, not per grant: the
  // per-grant path is what must stay at three (expire + lease, confirm + release, free slot): an
  // activated grant holds its slot, so the slot is not read.
  const PERIODIC = new Set(['heartbeat', 'members', 'listGrants', 'listRequests']);

  it.each([1, 3])('costs three store operations per expiry, with %i replica(s)', async (n) => {
    const c = new ReplicaCluster(n);
    const grants = await activeGrants(c, c.clock.now() + 5_000);
    await startAll(c);
    const counts = countCalls(c);
    await c.advance(20_000);
    expect([...c.store.grants.values()].every((g) => g.status === 'expired')).toBe(true);
    expect([...deletesPerGrant(c).values()]).toEqual(grants.map(() => 1));
    const perGrant = [...counts].filter(([m]) => !PERIODIC.has(m)).reduce((a, [, k]) => a + k, 0) / GRANTS;
    expect({ replicas: n, perGrant, counts: Object.fromEntries(counts) }).toEqual({
      replicas: n,
      perGrant: 3,
      counts: expect.objectContaining({
        saveGrantWithLease: 2 * GRANTS,
        releaseActiveSlot: GRANTS,
      }) as unknown,
    });
    await stopAll(c);
  });
});
