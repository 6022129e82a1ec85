import {
  ErrorCodes,
  KeylessError,
  assignmentKeyString,
  grantAssignment,
  type AssignmentKey,
  type GrantId,
} from '../../../src';
import { FakeIdentityCenter } from '../../fakes/fake-identity-center';
import { InMemoryGrantStore } from '../../fakes/in-memory-grant-store';
import { ManualClock } from '../../fakes/manual-clock';
import { demoSeed } from '../../fakes/seed';
import { testEngine, users } from '../../builders/test-engine';

const sandboxRead = { account: 'sandbox', permissionSet: 'ReadOnlyAccess', duration: '10m', reason: 'read the logs' };

describe('surviving crashes, retries and replicas', () => {
  it('resumes a grant left in provisioning by a crashed replica once its lease lapses', async () => {
    const t = testEngine();
    t.identity.failNext('assign', new KeylessError(ErrorCodes.Throttled, 'Rate exceeded'));
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    expect(grant.status).toBe('provisioning');
    // A replica that died while assigning left its lease behind.
    await t.store.acquireLease(grant.id, 'replica-dead', t.clock.now(), t.clock.now() + 15_000);

    const b = testEngine({ store: t.store, identity: t.identity, clock: t.clock, options: { replicaId: 'replica-2' } });
    await b.engine.sweep();
    expect((await b.engine.getGrant(grant.id))?.status).toBe('provisioning'); // lease still held
    t.clock.advance(15_001);
    await b.engine.sweep();
    expect((await b.engine.getGrant(grant.id))?.status).toBe('active');
  });

  it('never marks a grant failed while the clean-up of its failed assignment failed too', async () => {
    const t = testEngine();
    // An earlier attempt created the assignment and lost the answer (a crash); this one is refused,
    // and the clean-up that follows fails as well.
    const refused = () => new KeylessError(ErrorCodes.AssignmentFailed, 'ConflictException');
    t.identity.failNext('assign', refused());
    t.identity.failNext('unassign', refused());
    t.identity.failNext('assign', refused());
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    t.identity.plant(grantAssignment(grant)); // what the lost earlier attempt left
    // Not failed (a failed grant has no expiry): still provisioning, its slot kept, retried.
    expect((await t.engine.getGrant(grant.id))?.status).toBe('provisioning');
    expect(t.notifier.ofType('grant_failed')).toHaveLength(0);
    t.clock.advance(2_000);
    await t.engine.sweep();
    await t.engine.idle();
    // The second attempt is refused too; its clean-up works: failed, and nothing left behind.
    expect((await t.engine.getGrant(grant.id))?.status).toBe('failed');
    expect(t.identity.has(grantAssignment(grant))).toBe(false);
    expect(t.notifier.ofType('grant_failed')).toHaveLength(1);
  });

  it('keeps renewing its lease while an assignment takes longer than a lease period', async () => {
    const a = testEngine();
    let release!: () => void;
    a.identity.confirm = () => new Promise<void>((resolve) => (release = resolve));
    await a.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await new Promise((r) => setImmediate(r));
    const grant = [...a.store.grants.values()][0]!;
    const b = testEngine({ store: a.store, identity: a.identity, clock: a.clock, options: { replicaId: 'replica-2' } });
    // Replica 1 stays a live member (its sweep heartbeats, as a running replica's timer does):
    // its lease is renewed past a whole lease period and never taken.
    for (let i = 0; i < 10; i++) {
      a.clock.advance(3_000);
      await new Promise((r) => setImmediate(r));
      await a.engine.sweep();
      await b.engine.sweep();
    }
    expect(a.identity.assignCalls).toHaveLength(1); // replica 2 never took over the live replica's work
    release();
    await a.engine.idle();
    expect((await a.engine.getGrant(grant.id))?.status).toBe('active');
  });

  it('renews a lease with little time left before it calls Identity Center, and never calls under a lost one', async () => {
    const options = { leaseMs: 1500, fenceMarginMs: 1000 };
    const t = testEngine({ options });
    const renewals: boolean[] = [];
    const acquire = t.store.acquireLease.bind(t.store);
    let refuse = false;
    t.store.acquireLease = async (id, owner, now, until, opts) => {
      if (opts?.renewal) {
        renewals.push(!refuse);
        if (refuse) return false; // another replica took it meanwhile
        return acquire(id, owner, now, until, opts);
      }
      const took = await acquire(id, owner, now, until, opts);
      // The store was slow: by the time the lease is taken, less than the fence margin is left.
      t.clock.advance(1000);
      return took;
    };
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    expect(grant.status).toBe('active');
    expect(renewals).toEqual([true]); // renewed once, right before the assign
    refuse = true;
    await t.engine.revoke({ grantId: grant.id, actor: users.olga });
    await t.engine.idle();
    expect(renewals).toEqual([true, false]);
    expect(t.identity.unassignCalls).toHaveLength(0);
    expect((await t.engine.getGrant(grant.id))?.status).toBe('deprovisioning');
    // Once the lease is this replica's again, the sweep finishes the removal.
    refuse = false;
    t.clock.advance(5_000);
    await t.engine.sweep();
    await t.engine.idle();
    expect(t.identity.unassignCalls).toHaveLength(1);
    expect((await t.engine.getGrant(grant.id))?.status).toBe('revoked');
  });

  it('fulfils an approved request whose grant was never written', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({
      requester: users.rita,
      account: 'prod',
      permissionSet: 'AdministratorAccess',
      duration: '1h',
      reason: 'INC-9 failover',
    });
    // Simulate a crash right after the approving write: record the quorum without the engine's follow-up.
    const stored = t.store.requests.get(request.id)!;
    t.store.requests.set(request.id, { ...stored, status: 'approved', version: stored.version + 1 });
    await t.engine.sweep();
    const linked = await t.engine.getRequest(request.id);
    expect((await t.engine.getGrant(linked!.grantId!))?.status).toBe('active');
  });

  it('drives a grant left in deprovisioning to its end after a restart', async () => {
    const t = testEngine();
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    t.identity.failNext('unassign', new KeylessError(ErrorCodes.Throttled, 'Rate exceeded'));
    await t.engine.revoke({ grantId: grant.id, actor: users.olga });
    await t.engine.idle();
    expect(await t.engine.getGrant(grant.id)).toMatchObject({ status: 'deprovisioning', deprovisionAttempts: 1 });

    const restarted = testEngine({ store: t.store, identity: t.identity, clock: t.clock });
    await restarted.engine.sweep();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('deprovisioning'); // backing off
    t.clock.advance(2000);
    await restarted.engine.sweep();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('revoked');
    expect(t.identity.has(grantAssignment(grant))).toBe(false);
  });

  it('does not send a Delete again when an earlier attempt removed the assignment and lost the answer', async () => {
    const t = testEngine();
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    // The Delete lands in AWS; its answer is lost (a crash, a timeout).
    t.identity.confirm = async (op, key) => {
      if (op !== 'unassign') return;
      t.identity.assignments.delete(assignmentKeyString(key));
      throw new KeylessError(ErrorCodes.Throttled, 'the answer was lost');
    };
    await t.engine.revoke({ grantId: grant.id, actor: users.olga });
    await t.engine.idle();
    expect(await t.engine.getGrant(grant.id)).toMatchObject({ status: 'deprovisioning', deprovisionAttempts: 1 });
    t.identity.confirm = () => Promise.resolve();

    const restarted = testEngine({
      store: t.store,
      identity: t.identity,
      clock: t.clock,
      options: { replicaId: 'replica-2' },
    });
    t.clock.advance(2000);
    await restarted.engine.sweep();
    await restarted.engine.idle();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('revoked');
    expect(t.identity.unassignCalls).toHaveLength(1); // one Delete, not two
    expect(t.identity.hasAssignmentCalls).toEqual([grantAssignment(grant)]);
  });

  it('sends the Delete again when the assignment is still there after a failed attempt', async () => {
    const t = testEngine();
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    t.identity.failNext('unassign', new KeylessError(ErrorCodes.Throttled, 'Rate exceeded'));
    await t.engine.revoke({ grantId: grant.id, actor: users.olga });
    await t.engine.idle();
    expect(t.identity.hasAssignmentCalls).toHaveLength(0); // a fresh removal does not look first
    t.clock.advance(2000);
    await t.engine.sweep();
    await t.engine.idle();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('revoked');
    expect(t.identity.unassignCalls).toHaveLength(2);
    expect(t.identity.has(grantAssignment(grant))).toBe(false);
  });

  it('calls for a person when a revocation keeps failing, and keeps trying', async () => {
    const t = testEngine({ options: { stuckAfterAttempts: 2 } });
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    for (let i = 0; i < 3; i++)
      t.identity.failNext('unassign', new KeylessError(ErrorCodes.AwsAccessDenied, 'not authorized'));
    t.clock.advance(10 * 60_000);
    await t.engine.sweep();
    await t.engine.idle();
    t.clock.advance(5_000);
    await t.engine.sweep();
    t.clock.advance(10_000);
    await t.engine.sweep();
    expect(t.notifier.ofType('revocation_stuck')).toHaveLength(1);
    t.clock.advance(20_000);
    await t.engine.sweep();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('expired');
  });

  it('revokes each grant exactly once with three replicas racing on one store', async () => {
    const store = new InMemoryGrantStore();
    const identity = new FakeIdentityCenter(demoSeed());
    const clock = new ManualClock();
    const replicas = [1, 2, 3].map((n) =>
      testEngine({ store, identity, clock, options: { replicaId: `replica-${n}` } }),
    );
    const requesters = [users.olga, users.rita, users.ann, users.bob, users.carl, users.sam];
    for (const requester of requesters)
      await replicas[0]!.engine.requestAccess({ requester, ...sandboxRead, duration: '4m' });
    await replicas[0]!.engine.idle();
    clock.advance(1_000); // a heartbeat later, every replica knows the other two
    await Promise.all(replicas.map((r) => r.engine.sweep())); // each replica arms the timers of its share
    expect(replicas.map((r) => r.engine.armedTimers).reduce((a, b) => a + b, 0)).toBe(requesters.length);
    clock.advance(10 * 60_000);
    await Promise.all(replicas.map((r) => r.engine.idle()));
    await Promise.all(replicas.map((r) => r.engine.sweep()));
    const perKey = new Map<string, number>();
    for (const k of identity.unassignCalls) perKey.set(JSON.stringify(k), (perKey.get(JSON.stringify(k)) ?? 0) + 1);
    expect([...perKey.values()]).toEqual(requesters.map(() => 1));
    expect([...store.grants.values()].every((g) => g.status === 'expired')).toBe(true);
  });

  it('never removes an assignment that another live grant owns', async () => {
    const t = testEngine();
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const live = [...t.store.grants.values()][0]!;
    // A grant for the same triple that never became active (merged, or revoked before its claim
    // went through) is revoked: the live grant's assignment stays.
    const { activatedAt: _activatedAt, ...unactivated } = live;
    const stray = { ...unactivated, id: 'stray-grant-1' as GrantId, status: 'provisioning' as const };
    await t.store.createGrant(stray);
    await t.engine.revoke({ grantId: stray.id, actor: users.olga });
    await t.engine.idle();
    expect((await t.engine.getGrant(stray.id))?.status).toBe('revoked');
    expect(t.identity.has(grantAssignment(live))).toBe(true);
    expect(t.identity.unassignCalls).toHaveLength(0);
  });

  it('waits for a grant being torn down before assigning its successor', async () => {
    const t = testEngine();
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const first = [...t.store.grants.values()][0]!;
    t.identity.failNext('unassign', new KeylessError(ErrorCodes.Throttled, 'Rate exceeded'));
    await t.engine.revoke({ grantId: first.id, actor: users.olga });
    await t.engine.idle();
    const { request } = await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const second = await t.engine.getGrant((await t.engine.getRequest(request.id))!.grantId!);
    expect(second?.status).toBe('provisioning');
    t.clock.advance(2000);
    await t.engine.sweep();
    await t.engine.sweep();
    expect((await t.engine.getGrant(first.id))?.status).toBe('revoked');
    expect((await t.engine.getGrant(second!.id))?.status).toBe('active');
    expect(t.identity.has(grantAssignment(first))).toBe(true);
  });
});

describe('reconciliation', () => {
  const stranger = (accountId = '111111111111'): AssignmentKey =>
    ({
      principalId: '90670000-0000-0000-0000-000000000005',
      accountId,
      permissionSetArn: demoSeed().permissionSets[0]!.arn,
    }) as AssignmentKey;

  it('reports an assignment that no grant explains, and leaves it by default', async () => {
    const t = testEngine();
    t.identity.plant(stranger());
    const drifts = await t.engine.reconcile();
    expect(drifts).toEqual([expect.objectContaining({ kind: 'unknown_assignment', removed: false })]);
    // The grant engine does not post it: the security feed records it as one alert per fact.
    expect(t.notifier.ofType('assignment_drift')).toHaveLength(0);
    expect(t.identity.has(stranger())).toBe(true);
  });

  it('answers completely or throws: an assignment it could not check must not read as no drift', async () => {
    const t = testEngine();
    t.identity.plant(stranger());
    t.identity.plant(stranger('222222222222'));
    jest.spyOn(t.store, 'getActiveSlot').mockRejectedValueOnce(new Error('ProvisionedThroughputExceeded'));
    await expect(t.engine.reconcile()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await t.engine.reconcile()).toHaveLength(2);
  });

  it('removes it when the policy says so', async () => {
    const base = testEngine().policy;
    const t = testEngine({ policy: { ...base, reconcile: { removeUnknown: true, managedPermissionSets: [] } } });
    t.identity.plant(stranger());
    expect((await t.engine.reconcile())[0]?.removed).toBe(true);
    expect(t.identity.has(stranger())).toBe(false);
  });

  it('leaves assignments that live grants explain alone', async () => {
    const t = testEngine();
    await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'AdministratorAccess',
      duration: '1h',
      reason: 'fix',
    });
    await t.engine.idle();
    expect(await t.engine.reconcile()).toEqual([]);
  });

  it('marks and reports an active grant whose assignment vanished', async () => {
    const t = testEngine();
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    t.identity.assignments.clear();
    const drifts = await t.engine.reconcile();
    await t.engine.idle();
    expect(drifts).toEqual([expect.objectContaining({ kind: 'vanished_assignment', grantId: grant.id })]);
    expect((await t.engine.getGrant(grant.id))?.status).toBe('revoked');
  });
});
