import { silentLogger, type ChatUser } from '../../../src';
import { loadConfig } from '../../../adapters/main/config';
import { startKeyless, type Keyless } from '../../../adapters/main/compose';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { startEmbeddedDynamo } from '../../../adapters/local/embedded-dynamodb';

const olga: ChatUser = { platform: 'slack', id: 'U0OLGA', displayName: 'Olga', email: 'olga@example.com' };

describe('the composed keyless server', () => {
  let aws: RunningAwsEmulator;
  let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
  let keyless: Keyless;
  const saved = { ...process.env };

  beforeAll(async () => {
    [aws, dynamo] = await Promise.all([startAwsEmulator({ seed: loadDemoSeed() }), startEmbeddedDynamo()]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIATEST',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    keyless = await startKeyless(loadConfig({ KEYLESS_PORT: '0', KEYLESS_SWEEP_MS: '200' }), { logger: silentLogger });
  });

  afterAll(async () => {
    await keyless?.stop();
    await Promise.all([aws?.stop(), dynamo?.stop()]);
    process.env = saved;
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${keyless.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${keyless.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'ok', aws: 'ok' });
  });

  it('grants through the real store and the AWS emulator, and counts it in /metrics', async () => {
    const { request } = await keyless.engine.requestAccess({
      requester: olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '1h',
      reason: 'read the logs',
    });
    await keyless.engine.idle();
    const grant = await keyless.engine.getGrant((await keyless.engine.getRequest(request.id))!.grantId!);
    expect(grant?.status).toBe('active');
    expect(aws.state.assignments().some((a) => a.accountId === '222222222222')).toBe(true);
    const metrics = await (await fetch(`${keyless.url}/metrics`)).text();
    expect(metrics).toMatch(/^keyless_active_grants 1$/m);
    expect(metrics).toMatch(/^keyless_grants_total\{state="active"\} 1$/m);
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    expect((await fetch(`${keyless.url}/nope`)).status).toBe(404);
    expect((await fetch(`${keyless.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('leads the security duties alone: one drift made behind its back is one alert, named, counted once', async () => {
    // A second replica on the same table: it does not lead while the first one renews its lease.
    const second = await startKeyless(
      loadConfig({ KEYLESS_PORT: '0', KEYLESS_SWEEP_MS: '200', KEYLESS_REPLICA_ID: 'replica-two' }),
      { logger: silentLogger, scanAtStart: false },
    );
    try {
      expect(keyless.leadership.isLeader()).toBe(true);
      expect(second.leadership.isLeader()).toBe(false);
      const olgaId = (await keyless.identity.resolvePrincipal('olga@example.com')).principalId;
      const admin = (await keyless.identity.listPermissionSets()).find((p) => p.name === 'AdministratorAccess')!;
      const prod = (await keyless.identity.listAccounts()).find((a) => a.name === 'prod')!;
      await keyless.identity.assign({ principalId: olgaId, accountId: prod.id, permissionSetArn: admin.arn } as never);
      for (let i = 0; i < 3; i++) {
        expect(await second.duties.reconcile()).toBeUndefined();
        expect(await keyless.duties.reconcile()).toMatchObject({ drifts: 1 });
      }
      const drifts = (await keyless.alertStore.listLiveAlerts({ accountId: prod.id })).filter(
        (a) => a.finding.kind === 'unknown_assignment',
      );
      expect(drifts).toHaveLength(1);
      expect(drifts[0]!.occurrences).toBe(3);
      expect(drifts[0]!.finding.title).toBe(
        'Olga Finance (olga@example.com) has AdministratorAccess without a keyless grant',
      );
      const metrics = await (await fetch(`${keyless.url}/metrics`)).text();
      expect(metrics).toMatch(/^keyless_assignment_drift_total\{kind="unknown_assignment"\} 1$/m);
    } finally {
      await second.stop();
    }
    // Another replica stopping leaves the leader leading.
    expect(keyless.leadership.isLeader()).toBe(true);
  });
});
