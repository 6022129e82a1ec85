import type { AssignmentKey } from '../../../../src';
import { testAlertEngine } from '../../../builders/test-alert-engine';
import { testEngine } from '../../../builders/test-engine';
import { FakeAlertNames } from '../../../fakes/fake-alert-names';
import { InMemoryAlertStore } from '../../../fakes/in-memory-alert-store';
import { ManualClock } from '../../../fakes/manual-clock';
import { RecordingAlertPublisher } from '../../../fakes/recording-alert-publisher';
import { demoSeed } from '../../../fakes/seed';

const seed = demoSeed();
const olga = seed.principals.find((p) => p.userName === 'olga')!;
const permissionSet = seed.permissionSets[0]!;
const account = seed.accounts[0]!;
const stranger = {
  principalId: olga.principalId,
  accountId: account.id,
  permissionSetArn: permissionSet.arn,
} as AssignmentKey;

/** A grant engine (the reconciler) and the security feed on one clock, as the composition root wires them. */
function world(over: { store?: InMemoryAlertStore; names?: FakeAlertNames } = {}) {
  const clock = new ManualClock();
  const grants = testEngine({ clock });
  const publisher = new RecordingAlertPublisher(undefined, () => clock.now());
  const names = over.names ?? new FakeAlertNames();
  const feed = testAlertEngine({
    clock,
    publisher,
    names,
    accounts: seed.accounts.map((a) => ({ id: a.id, name: a.name })),
    ...(over.store ? { store: over.store } : {}),
  });
  const reconcile = async () => feed.engine.recordDrifts(await grants.engine.reconcile());
  return { clock, grants, feed, publisher, names, reconcile };
}

describe('assignment drift in the security feed', () => {
  it('posts one drift once, naming the person and the permission set, not their ids', async () => {
    const w = world();
    w.grants.identity.plant(stranger);
    const report = await w.reconcile();
    expect(report).toMatchObject({ drifts: 1, raised: 1, repeated: 0, resolved: 0 });
    const [raised] = w.publisher.ofType('alert_raised');
    const f = raised!.alert.finding;
    expect(f.kind).toBe('unknown_assignment');
    expect(f.title).toBe(`Olga (olga@example.com) has ${permissionSet.name} without a keyless grant`);
    expect(f.account).toEqual({ id: account.id, name: account.name });
    expect(f.principal).toEqual({ type: 'person', name: 'Olga (olga@example.com)' });
    expect(f.evidence.permissionSet).toBe(permissionSet.name);
    expect(f.evidence.unresolvedNames).toBeUndefined();
    expect(JSON.stringify(f)).not.toContain(permissionSet.arn);
    expect(f.title).not.toContain(olga.principalId);
  });

  it('counts the same drift on its message on every later reconcile, never posting it again', async () => {
    const w = world();
    w.grants.identity.plant(stranger);
    for (let i = 0; i < 19; i++) {
      await w.reconcile();
      w.clock.advance(10_000);
    }
    expect(w.publisher.ofType('alert_raised')).toHaveLength(1);
    const posted = (await w.feed.engine.getAlert(w.publisher.ofType('alert_raised')[0]!.alert.dedupeKey))!;
    expect(posted.messages.map((m) => m.platform)).toEqual(['slack', 'teams']);
    const updates = w.publisher.ofType('alert_updated');
    expect(updates).toHaveLength(18);
    for (const u of updates) {
      expect(u.change).toBe('seen');
      expect(u.alert.messages).toEqual(posted.messages);
    }
    const last = updates.at(-1)!.alert;
    expect(last.occurrences).toBe(19);
    expect(last.lastSeenAt).toBe(w.clock.now() - 10_000);
    expect(last.firstSeenAt).toBe(posted.firstSeenAt);
  });

  it('does not post it again after a restart: the dedupe lives in the store', async () => {
    const store = new InMemoryAlertStore();
    const first = world({ store });
    first.grants.identity.plant(stranger);
    await first.reconcile();
    const second = world({ store });
    second.grants.identity.plant(stranger);
    await second.reconcile();
    expect(first.publisher.ofType('alert_raised')).toHaveLength(1);
    expect(second.publisher.ofType('alert_raised')).toHaveLength(0);
    expect(second.publisher.ofType('alert_updated')[0]!.alert.occurrences).toBe(2);
  });

  it('resolves the alert once the assignment is removed, and posts again only if the drift comes back', async () => {
    const w = world();
    w.grants.identity.plant(stranger);
    await w.reconcile();
    await w.grants.identity.unassign(stranger);
    w.clock.advance(60_000);
    expect(await w.reconcile()).toMatchObject({ drifts: 0, resolved: 1 });
    const resolved = w.publisher.ofType('alert_updated').at(-1)!;
    expect(resolved.change).toBe('resolved');
    expect(resolved.alert.status).toBe('resolved');
    expect(await w.reconcile()).toMatchObject({ resolved: 0 });
    w.grants.identity.plant(stranger);
    await w.reconcile();
    const raised = w.publisher.ofType('alert_raised');
    expect(raised).toHaveLength(2);
    expect(raised[1]!.alert.incident).toBe(2);
  });

  it('keeps one alert per fact: another person, account or permission set is another alert', async () => {
    const w = world();
    const rita = seed.principals.find((p) => p.userName === 'rita')!;
    w.grants.identity.plant(stranger);
    w.grants.identity.plant({ ...stranger, principalId: rita.principalId } as AssignmentKey);
    w.grants.identity.plant({ ...stranger, accountId: seed.accounts[1]!.id } as AssignmentKey);
    await w.reconcile();
    await w.reconcile();
    expect(w.publisher.ofType('alert_raised')).toHaveLength(3);
  });

  it('shows the ids when Identity Center cannot name them, and says so', async () => {
    const names = new FakeAlertNames();
    names.failing = true;
    const w = world({ names });
    w.grants.identity.plant(stranger);
    await w.reconcile();
    const f = w.publisher.ofType('alert_raised')[0]!.alert.finding;
    expect(f.principal.name).toBe(`user ${olga.principalId}`);
    expect(f.evidence.permissionSet).toBe(permissionSet.arn);
    expect(f.evidence.unresolvedNames).toMatch(/did not give the name of the user .* or the permission set/);
    // Still one fact: when the names come back, the same alert is updated.
    names.failing = false;
    await w.reconcile();
    expect(w.publisher.ofType('alert_raised')).toHaveLength(1);
    expect(w.publisher.ofType('alert_updated')[0]!.alert.finding.principal.name).toBe('Olga (olga@example.com)');
  });

  it('looks each name up once per reconcile', async () => {
    const w = world();
    w.grants.identity.plant(stranger);
    w.grants.identity.plant({ ...stranger, accountId: seed.accounts[1]!.id } as AssignmentKey);
    await w.reconcile();
    expect(w.names.calls).toBe(2);
  });

  it('keeps a snoozed drift snoozed while later reconciles count it', async () => {
    const w = world();
    w.grants.identity.plant(stranger);
    await w.reconcile();
    const key = w.publisher.ofType('alert_raised')[0]!.alert.dedupeKey;
    await w.feed.engine.snooze({
      dedupeKey: key,
      actor: { platform: 'slack', id: 'U0SAM', displayName: 'Sam', email: 'sam@example.com' },
      days: 7,
      reason: 'known migration',
    });
    w.clock.advance(15 * 60_000);
    await w.reconcile();
    const alert = (await w.feed.engine.getAlert(key))!;
    expect(alert.status).toBe('snoozed');
    expect(alert.occurrences).toBe(2);
  });

  it('posts a drift whose first post reached no channel on the next reconcile, once', async () => {
    const w = world();
    w.grants.identity.plant(stranger);
    w.publisher.failWith = new Error('slack and teams are down');
    await w.reconcile();
    w.publisher.failWith = undefined;
    w.clock.advance(60_000);
    await w.reconcile();
    w.clock.advance(60_000);
    await w.reconcile();
    expect(w.publisher.types()).toEqual(['alert_raised', 'alert_updated']);
    const key = w.publisher.ofType('alert_raised')[0]!.alert.dedupeKey;
    expect((await w.feed.engine.getAlert(key))!.messages).toHaveLength(2);
    expect(w.feed.engine.stats.raised).toBe(1);
  });
});
