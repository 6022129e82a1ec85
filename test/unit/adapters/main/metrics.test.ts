import { createAlertEngine, dedupeKeys, silentLogger, type AssignmentDrift, type AssignmentKey } from '../../../../src';
import { FanOutAlertPublisher } from '../../../../adapters/main/fan-out-alert-publisher';
import { aGrant } from '../../../builders';
import { demoPolicy } from '../../../builders/policy';
import { FakeAlertNames } from '../../../fakes/fake-alert-names';
import { FakeIdentityCenter } from '../../../fakes/fake-identity-center';
import { InMemoryAlertStore } from '../../../fakes/in-memory-alert-store';
import { ManualClock } from '../../../fakes/manual-clock';
import { RecordingAlertPublisher } from '../../../fakes/recording-alert-publisher';
import { demoSeed } from '../../../fakes/seed';
import { countingLogger, KeylessMetrics } from '../../../../adapters/main/metrics';

describe('metrics', () => {
  it('counts warnings and errors that carry a code, with the platform of the logger that wrote them', async () => {
    const metrics = new KeylessMetrics();
    const logger = countingLogger(silentLogger, metrics);
    logger.warn({ code: 'THROTTLED' }, 'assignment will be retried');
    logger.warn({ code: 'THROTTLED' }, 'assignment will be retried');
    logger
      .child({ platform: 'slack' })
      .error({ err: Object.assign(new Error('x'), { code: 'ratelimited' }) }, 'chat call failed');
    logger.error({}, 'no code: not counted');
    logger.info({ code: 'IGNORED' }, 'info is not counted');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^keyless_errors_total\{code="THROTTLED",level="warn",platform="none"\} 2$/m);
    expect(text).toMatch(/^keyless_errors_total\{code="ratelimited",level="error",platform="slack"\} 1$/m);
    expect(text).not.toMatch(/IGNORED/);
  });

  it('measures the lag from an early end’s assignment removal to the accepted session cut', async () => {
    const metrics = new KeylessMetrics();
    await metrics.publish({ type: 'sessions_cut', grant: aGrant({ status: 'revoked' }), lagSeconds: 1.5 });
    await metrics.publish({ type: 'session_cut_failed', code: 'SESSION_CUT_NO_ROOM', message: 'full', people: 9 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^keyless_session_cut_lag_seconds_count 1$/m);
    expect(text).toMatch(/^keyless_session_cut_lag_seconds_sum 1.5$/m);
    expect(text).toMatch(/^keyless_session_cut_lag_seconds_bucket\{le="1"\} 0$/m);
    expect(text).toMatch(/^keyless_session_cut_lag_seconds_bucket\{le="2"\} 1$/m);
    expect(text).toMatch(/^keyless_session_cut_failures_total\{code="SESSION_CUT_NO_ROOM"\} 1$/m);
  });

  it('reports the active grants from the store at scrape time', async () => {
    const metrics = new KeylessMetrics();
    metrics.watchStore({ listGrants: async () => [{}, {}] as never });
    expect(await metrics.registry.metrics()).toMatch(/^keyless_active_grants 2$/m);
  });

  it('counts a drift once when it is found, not on every reconcile that sees it again; again when it comes back', async () => {
    const metrics = new KeylessMetrics();
    const seed = demoSeed();
    const clock = new ManualClock();
    const store = new InMemoryAlertStore();
    // The composition root fans the feed's events out to the chat publishers and to the metrics.
    const publisher = new FanOutAlertPublisher([new RecordingAlertPublisher(), metrics], silentLogger);
    const feed = createAlertEngine({
      store,
      publisher,
      clock,
      logger: silentLogger,
      policy: () => demoPolicy(),
      directory: new FakeIdentityCenter(seed),
      accounts: async () => seed.accounts.map((a) => ({ id: a.id, name: a.name })),
      names: new FakeAlertNames(),
    });
    const drift = (kind: AssignmentDrift['kind'], n: number): AssignmentDrift => ({
      kind,
      assignment: {
        principalId: seed.principals[n]!.principalId,
        accountId: seed.accounts[0]!.id,
        permissionSetArn: seed.permissionSets[0]!.arn,
      } as AssignmentKey,
      removed: false,
      detectedAt: clock.now(),
    });
    const count = async (kind: string) =>
      Number(
        (await metrics.registry.metrics()).match(
          new RegExp(`^keyless_assignment_drift_total\\{kind="${kind}"\\} (\\d+)$`, 'm'),
        )?.[1] ?? 0,
      );
    for (let i = 0; i < 18; i++) {
      await feed.recordDrifts([drift('unknown_assignment', 0), drift('outlived_grant', 1)]);
      clock.advance(10_000);
    }
    expect(await count('unknown_assignment')).toBe(1);
    expect(await count('outlived_grant')).toBe(1);
    // A post retried after chat was down is not a new fact.
    await metrics.publishAlert({
      type: 'alert_raised',
      alert: {
        ...(await store.getAlert(
          dedupeKeys.drift(
            'outlived_grant',
            seed.principals[1]!.principalId,
            seed.accounts[0]!.id,
            seed.permissionSets[0]!.arn,
          ),
        ))!,
      },
    });
    expect(await count('outlived_grant')).toBe(1);
    await feed.recordDrifts([drift('outlived_grant', 1)]); // the unknown assignment was removed: resolved
    await feed.recordDrifts([drift('unknown_assignment', 0), drift('outlived_grant', 1)]); // and it is back
    expect(await count('unknown_assignment')).toBe(2);
    expect(await count('outlived_grant')).toBe(1);
  });
});
