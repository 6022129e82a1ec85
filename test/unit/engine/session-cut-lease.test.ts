import type { Grant, OwnedPolicy } from '../../../src';
import { testEngine, users } from '../../builders/test-engine';
import { FakeSessionCutPolicies } from '../../fakes/fake-session-cut-policies';
import { InMemoryGrantStore } from '../../fakes/in-memory-grant-store';
import { InMemoryLeaderLease } from '../../fakes/in-memory-leader-lease';
import { ManualClock } from '../../fakes/manual-clock';

const LEASE = 'session-cut-writer';
const LEASE_MS = 15_000;
const sandboxAdmin = {
  account: '222222222222',
  permissionSet: 'AdministratorAccess',
  duration: '2h',
  reason: 'INC-42 restart the queue',
};

/** keyless's policies, with a hook run once at the next list (the writer has read) or the next write (sent). */
class HookedPolicies extends FakeSessionCutPolicies {
  onList: (() => Promise<unknown>) | undefined;
  onWrite: (() => void) | undefined;
  override async list(): Promise<OwnedPolicy[]> {
    const listed = await super.list();
    const hook = this.onList;
    this.onList = undefined;
    await hook?.();
    return listed;
  }
  override async create(slot: number, content: string): Promise<OwnedPolicy> {
    const created = await super.create(slot, content);
    const hook = this.onWrite;
    this.onWrite = undefined;
    hook?.();
    return created;
  }
}

/** The lease, able to refuse one owner's renewals for a while (its process paused, its calls lost). */
class FlakyLease extends InMemoryLeaderLease {
  refused: string | undefined;
  override async acquire(name: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean> {
    if (owner === this.refused) return false;
    return super.acquire(name, owner, nowMs, ttlMs);
  }
}

/** Two replicas on one store, one set of policies and one lease; the same clock. */
function setup() {
  const store = new InMemoryGrantStore();
  const clock = new ManualClock();
  const policies = new HookedPolicies({ now: () => clock.now() });
  const lease = new FlakyLease();
  const replica = (replicaId: string) =>
    testEngine({
      store,
      clock,
      idPrefix: replicaId,
      sessionCuts: { store, policies, lease },
      // No sweep while the clock moves: each test runs the writers itself.
      options: {
        replicaId,
        leaseMs: LEASE_MS,
        sweepIntervalMs: 3_600_000,
        sessionCut: { enabled: true, skewSeconds: 30 },
      },
    });
  return { store, clock, policies, lease, a: replica('replica-1'), b: replica('replica-2') };
}

/** Rita's grant, ended with End now while a third replica holds the lease: the cut is recorded, not yet written. */
async function endedWithCutPending(t: ReturnType<typeof setup>): Promise<Grant> {
  const { request } = await t.a.engine.requestAccess({ requester: users.rita, ...sandboxAdmin });
  await t.a.engine.idle();
  const grant = (await t.a.engine.getGrant((await t.a.engine.getRequest(request.id))!.grantId!))!;
  await t.lease.acquire(LEASE, 'replica-3', t.clock.now(), LEASE_MS);
  await t.a.engine.revoke({ grantId: grant.id, actor: users.rita });
  await t.a.engine.idle();
  await t.lease.release(LEASE, 'replica-3');
  expect(t.policies.writes).toEqual([]);
  return (await t.a.engine.getGrant(grant.id))!;
}

const ritaPending = (t: ReturnType<typeof setup>) =>
  [...t.store.sessionCuts.values()].flatMap((c) => c.pending.map((p) => p.grantId));

describe('the session-cut writer and its lease', () => {
  it('writes nothing once its lease lapsed and another replica wrote in between, even though it could take the lease again', async () => {
    const t = setup();
    const grant = await endedWithCutPending(t);
    // Replica 1's writer has read the records and the policies, then stalls past its lease; meanwhile
    // replica 2 takes the lease, writes, marks the grant, and lets the lease go.
    t.policies.onList = async () => {
      t.lease.refused = 'replica-1';
      t.clock.advance(LEASE_MS + 1);
      expect((await t.b.engine.syncSessionCuts())?.marked).toBe(1);
      t.lease.refused = undefined;
    };
    expect(await t.a.engine.syncSessionCuts()).toBeUndefined();
    // One write: replica 2's. Replica 1 sent none after its lease lapsed.
    expect(t.policies.writes).toHaveLength(1);
    expect((await t.a.engine.getGrant(grant.id))?.sessionsCutAt).toBeDefined();
  });

  it('marks nothing when the lease passed to another replica during its write; the next holder marks after rewriting', async () => {
    const t = setup();
    const grant = await endedWithCutPending(t);
    t.policies.onWrite = () => {
      t.lease.leases.set(LEASE, { owner: 'replica-2', deadline: t.clock.now() + LEASE_MS });
    };
    expect(await t.a.engine.syncSessionCuts()).toBeUndefined();
    expect((await t.a.engine.getGrant(grant.id))?.sessionsCutAt).toBeUndefined();
    expect(ritaPending(t)).toEqual([grant.id]);

    // Replica 2's run renders the policies from the records again and marks the grant.
    const report = await t.b.engine.syncSessionCuts();
    expect(report?.marked).toBe(1);
    expect((await t.b.engine.getGrant(grant.id))?.sessionsCutAt).toBeDefined();
    expect(ritaPending(t)).toEqual([]);
  });

  it('does not write while another replica holds the lease', async () => {
    const t = setup();
    const grant = await endedWithCutPending(t);
    await t.lease.acquire(LEASE, 'replica-2', t.clock.now(), LEASE_MS);
    expect(await t.a.engine.syncSessionCuts()).toBeUndefined();
    expect(t.policies.writes).toEqual([]);
    expect(ritaPending(t)).toEqual([grant.id]);
  });
});
