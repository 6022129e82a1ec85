import {
  credentialsExposed,
  heartbeat,
  rootApiCall,
  rootConsoleSignIn,
} from '../../../../adapters/local/aws-emulator/services/cloudtrail-events';
import { users } from '../../../builders/test-engine';
import { InMemoryAlertStore } from '../../../fakes/in-memory-alert-store';
import { PROD, testAlertEngine } from '../../../builders/test-alert-engine';

describe('root activity through the alert engine', () => {
  it('posts a root console sign-in once, to every security channel, with the account name', async () => {
    const { engine, publisher, clock } = testAlertEngine();
    await engine.ingestEvent(rootConsoleSignIn({ account: PROD.id, at: clock.now() - 60_000, mfa: false }));
    const raised = publisher.ofType('alert_raised');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.alert.finding).toMatchObject({ kind: 'root_console_login', severity: 'critical', account: PROD });
    const stored = await engine.getAlert(raised[0]!.alert.dedupeKey);
    expect(stored!.messages.map((m) => m.platform)).toEqual(['slack', 'teams']);
  });

  it('posts the same event delivered twice only once', async () => {
    const { engine, publisher } = testAlertEngine();
    const event = rootConsoleSignIn({ account: PROD.id, eventId: 'evt-1' });
    expect((await engine.ingestEvent(event)).outcome).toBe('recorded');
    expect((await engine.ingestEvent(JSON.stringify(event))).outcome).toBe('duplicate');
    expect(publisher.events).toHaveLength(1);
    expect(engine.stats.duplicates).toBe(1);
  });

  it('counts a malformed event and goes on', async () => {
    const { engine, publisher } = testAlertEngine();
    expect((await engine.ingestEvent('{"detail-type": 42}')).outcome).toBe('malformed');
    await engine.ingestEvent(rootConsoleSignIn({ account: PROD.id }));
    expect(engine.stats.malformed).toBe(1);
    expect(publisher.ofType('alert_raised')).toHaveLength(1);
  });

  it('puts a repeat of the same incident in its thread, and counts it on the alert message, instead of a new message', async () => {
    const { engine, publisher, clock } = testAlertEngine();
    await engine.ingestEvent(rootApiCall({ account: PROD.id, eventName: 'DeleteTrail', at: clock.now() }));
    const posted = publisher.ofType('alert_raised')[0]!;
    clock.advance(10 * 60_000);
    await engine.ingestEvent(rootApiCall({ account: PROD.id, eventName: 'StopLogging', at: clock.now() }));
    expect(publisher.types()).toEqual(['alert_raised', 'alert_repeated', 'alert_updated']);
    const repeated = publisher.ofType('alert_repeated')[0]!;
    expect(repeated.alert.messages).toHaveLength(2);
    expect(repeated.finding.evidence.eventName).toBe('StopLogging');
    const updated = publisher.ofType('alert_updated')[0]!;
    expect(updated.alert.dedupeKey).toBe(posted.alert.dedupeKey);
    expect(updated.alert.occurrences).toBe(2);
    expect(updated.alert.lastSeenAt).toBe(clock.now());
  });

  it('posts a new message when root is used again after the incident window', async () => {
    const { engine, publisher, clock } = testAlertEngine({ options: { incidentWindowMs: 3600_000 } });
    await engine.ingestEvent(rootConsoleSignIn({ account: PROD.id, mfa: true }));
    clock.advance(2 * 3600_000);
    await engine.ingestEvent(rootConsoleSignIn({ account: PROD.id, mfa: true }));
    expect(publisher.types()).toEqual(['alert_raised', 'alert_raised']);
    expect(publisher.ofType('alert_raised')[1]!.alert.incident).toBe(2);
  });

  it('makes a burst of failed root sign-ins one alert whose count grows', async () => {
    const { engine, publisher, clock } = testAlertEngine();
    for (let i = 0; i < 5; i++) {
      await engine.ingestEvent(rootConsoleSignIn({ account: PROD.id, failed: true }));
      clock.advance(5_000);
    }
    expect(publisher.ofType('alert_raised')).toHaveLength(1);
    expect(publisher.ofType('alert_repeated')).toHaveLength(0);
    const updates = publisher.ofType('alert_updated');
    expect(updates.at(-1)!.alert.finding.evidence.count).toBe(5);
  });

  it('sends read-only root calls and AssumeRoot sessions to the digest, not to a message', async () => {
    const { engine, publisher } = testAlertEngine();
    await engine.ingestEvent(rootApiCall({ account: PROD.id, eventName: 'ListUsers', readOnly: true }));
    await engine.ingestEvent(
      rootApiCall({
        account: PROD.id,
        eventName: 'DeleteBucketPolicy',
        assumedRoot: 'arn:aws:sts::1:assumed-role/x/y',
      }),
    );
    expect(publisher.events).toHaveLength(0);
    const digest = await engine.postDigest();
    expect(digest!.dedupeKeys).toHaveLength(2);
    expect(
      publisher
        .ofType('digest_posted')[0]!
        .alerts.map((a) => a.finding.kind)
        .sort(),
    ).toEqual(['root_assumed_session', 'root_read_only_call']);
  });

  it('raises an exposed key from AWS Health with the key to deactivate', async () => {
    const { engine, publisher } = testAlertEngine();
    await engine.ingestEvent(credentialsExposed({ account: PROD.id, accessKeyId: 'AKIAEXPOSED000001234' }));
    expect(publisher.ofType('alert_raised')[0]!.alert.finding).toMatchObject({
      kind: 'credentials_exposed',
      accessKeyId: 'AKIAEXPOSED000001234',
      evidence: { keyLast4: '1234' },
    });
  });

  it('labels root activity in an announced window with who announced it, and still posts it', async () => {
    const { engine, publisher, clock } = testAlertEngine();
    await engine.announceRootWindow({ actor: users.sam, account: 'prod', duration: '2h', reason: 'close the account' });
    await engine.ingestEvent(rootConsoleSignIn({ account: PROD.id, at: clock.now() + 60_000, mfa: true }));
    const [raised] = publisher.ofType('alert_raised');
    expect(raised!.alert.finding.expected).toMatchObject({ by: { id: 'slack:U0SAM' }, reason: 'close the account' });
  });

  it('relabels a live root alert when its window is announced afterwards', async () => {
    const { engine, publisher, clock } = testAlertEngine();
    await engine.ingestEvent(rootConsoleSignIn({ account: PROD.id, at: clock.now() - 60_000, mfa: true }));
    await engine.announceRootWindow({ actor: users.sam, account: PROD.id, duration: '1h', reason: 'billing' });
    expect(publisher.ofType('alert_updated').at(-1)!.alert.finding.expected?.reason).toBe('billing');
  });

  it('processes an event again after a failure, even though it was claimed', async () => {
    const store = new InMemoryAlertStore();
    const create = store.createAlert.bind(store);
    let failures = 1;
    store.createAlert = async (alert) => {
      if (failures-- > 0) throw new Error('table unavailable');
      return create(alert);
    };
    const { engine, publisher } = testAlertEngine({ store });
    const event = rootConsoleSignIn({ account: PROD.id, eventId: 'evt-retry' });
    await expect(engine.ingestEvent(event)).rejects.toThrow('table unavailable');
    expect((await engine.ingestEvent(event)).outcome).toBe('recorded');
    expect(publisher.ofType('alert_raised')).toHaveLength(1);
  });

  it('keeps track of the regions it hears from, heartbeats included', async () => {
    const { engine, store, clock } = testAlertEngine({
      options: { expectedRegions: ['us-east-1', 'eu-west-1'], regionSilenceMs: 3600_000 },
    });
    await engine.ingestEvent(heartbeat({ account: PROD.id, region: 'eu-west-1' }));
    clock.advance(30 * 60_000);
    await engine.ingestEvent(heartbeat({ account: PROD.id, region: 'us-east-1' }));
    expect(Object.keys(await store.listRegionsSeen()).sort()).toEqual(['eu-west-1', 'us-east-1']);
    clock.advance(45 * 60_000);
    expect((await engine.checkBlindSpots()).silentRegions).toEqual(['eu-west-1']);
    await engine.ingestEvent(heartbeat({ account: PROD.id, region: 'eu-west-1' }));
    expect((await engine.checkBlindSpots()).silentRegions).toEqual([]);
    expect((await engine.getAlert('region:eu-west-1:region_silent'))!.status).toBe('resolved');
  });
});
