import {
  Leadership,
  createSecurityDuties,
  silentLogger,
  type AssignmentKey,
  type LeaderLease,
  type SecurityDuties,
} from '../../../../src';
import { testAlertEngine } from '../../../builders/test-alert-engine';
import { testEngine } from '../../../builders/test-engine';
import { FakeAlertNames } from '../../../fakes/fake-alert-names';
import { FakeIdentityCenter } from '../../../fakes/fake-identity-center';
import { InMemoryAlertStore } from '../../../fakes/in-memory-alert-store';
import { InMemoryGrantStore } from '../../../fakes/in-memory-grant-store';
import { ManualClock } from '../../../fakes/manual-clock';
import { RecordingAlertPublisher } from '../../../fakes/recording-alert-publisher';
import { demoSeed } from '../../../fakes/seed';

const TTL = 60_000;
const PERIOD = 15 * 60_000;
const seed = demoSeed();
const stranger = {
  principalId: seed.principals[4]!.principalId,
  accountId: seed.accounts[0]!.id,
  permissionSetArn: seed.permissionSets[0]!.arn,
} as AssignmentKey;

/** Replicas as the composition root builds them: their own engines, one table, one Identity Center. */
function cluster() {
  const clock = new ManualClock();
  const alertStore = new InMemoryAlertStore();
  const grantStore = new InMemoryGrantStore();
  const identity = new FakeIdentityCenter(seed);
  const publisher = new RecordingAlertPublisher(undefined, () => clock.now());
  const runs: string[] = [];
  const replica = (owner: string, lease: LeaderLease = alertStore) => {
    const grants = testEngine({ clock, store: grantStore, identity, options: { replicaId: owner } });
    const feed = testAlertEngine({ clock, store: alertStore, publisher, names: new FakeAlertNames() });
    const leadership = new Leadership(
      { lease, clock, logger: silentLogger },
      { name: 'security-duties', owner, ttlMs: TTL },
    );
    const duties: SecurityDuties = createSecurityDuties({
      leadership,
      reconcile: async () => {
        runs.push(owner);
        return grants.engine.reconcile();
      },
      alerts: feed.engine,
      clock,
    });
    return { owner, leadership, duties, feed };
  };
  return { clock, alertStore, identity, publisher, runs, replica };
}

/** One reconcile period: every replica renews its lease on its heartbeat, then its reconcile timer fires. */
async function period(c: ReturnType<typeof cluster>, replicas: ReturnType<ReturnType<typeof cluster>['replica']>[]) {
  for (let t = 0; t < PERIOD; t += TTL / 3) {
    for (const r of replicas) await r.leadership.renew();
    c.clock.advance(TTL / 3);
  }
  for (const r of replicas) await r.duties.reconcile();
}

describe('one leader for the security duties', () => {
  it('runs reconcile once per period across three replicas, and posts one drift once over many periods', async () => {
    const c = cluster();
    const replicas = ['r1', 'r2', 'r3'].map((o) => c.replica(o));
    c.identity.plant(stranger);
    for (let i = 0; i < 10; i++) await period(c, replicas);
    expect(c.runs).toHaveLength(10);
    expect(new Set(c.runs).size).toBe(1);
    expect(c.publisher.ofType('alert_raised')).toHaveLength(1);
    expect(c.publisher.ofType('alert_updated')).toHaveLength(9);
    expect(replicas.filter((r) => r.leadership.isLeader())).toHaveLength(1);
  });

  it('hands over when the leader stops: one run per period still, and no new post after a restart', async () => {
    const c = cluster();
    let replicas = ['r1', 'r2', 'r3'].map((o) => c.replica(o));
    c.identity.plant(stranger);
    await period(c, replicas);
    const leader = replicas.find((r) => r.leadership.isLeader())!;
    // The leader crashes: it neither renews nor releases. Its lease lapses and another takes over.
    replicas = replicas.filter((r) => r !== leader);
    await period(c, replicas);
    // It comes back as a new process (new engines, new owner id) while another leads.
    replicas.push(c.replica(`${leader.owner}-restarted`));
    for (let i = 0; i < 5; i++) await period(c, replicas);
    expect(c.runs).toHaveLength(7);
    expect(c.runs[1]).not.toBe(leader.owner);
    expect(c.publisher.ofType('alert_raised')).toHaveLength(1);
    expect((await c.alertStore.getAlert(c.publisher.ofType('alert_raised')[0]!.alert.dedupeKey))!.occurrences).toBe(7);
  });

  it('hands over at once on a graceful stop', async () => {
    const c = cluster();
    const [a, b] = [c.replica('a'), c.replica('b')];
    expect(await a.leadership.renew()).toBe(true);
    expect(await b.leadership.renew()).toBe(false);
    await a.leadership.release();
    expect(a.leadership.isLeader()).toBe(false);
    expect(await b.leadership.renew()).toBe(true);
  });

  it('gates scans, the digest and blind-spot checks the same way', async () => {
    const c = cluster();
    const [a, b] = [c.replica('a'), c.replica('b')];
    await a.leadership.renew();
    expect(await b.duties.scanAll()).toMatchObject({ skipped: expect.any(String), accounts: 0 });
    expect(await b.duties.postDigest()).toBeUndefined();
    expect(await b.duties.checkBlindSpots()).toEqual({ silentRegions: [], snoozesEnded: 0 });
    expect((await a.duties.scanAll()).skipped).toBeUndefined();
  });

  it('does not lead when the store cannot be reached', async () => {
    const c = cluster();
    const broken: LeaderLease = {
      acquire: () => Promise.reject(new Error('ProvisionedThroughputExceeded')),
      release: () => Promise.resolve(),
    };
    const r = c.replica('x', broken);
    c.identity.plant(stranger);
    expect(await r.duties.reconcile()).toBeUndefined();
    expect(c.runs).toEqual([]);
  });
});
