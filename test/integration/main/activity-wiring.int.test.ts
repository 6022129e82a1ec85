/**
 * The activity timing as `keyless start` wires it (adapters/main/compose.ts): KEYLESS_ACTIVITY and
 * KEYLESS_ACTIVITY_FIRST_AFTER read by the configuration reach the engine, on the local AWS emulator
 * and DynamoDB. A grant ended with End now is due for its first lookup at the delay set; with
 * KEYLESS_ACTIVITY=off none is scheduled.
 */
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { startKeyless, type Keyless } from '../../../adapters/main/compose';
import { loadConfig } from '../../../adapters/main/config';
import { silentLogger, type ChatUser, type Engine, type Grant } from '../../../src';
import { uniqueTableName } from '../../support/dynamodb-client';
import { startDynalite } from '../../support/dynalite';

jest.setTimeout(90_000);

const rita: ChatUser = { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Rita gets ReadOnlyAccess in the sandbox (auto-approved by the playground policy), then ends it. */
async function endedGrant(engine: Engine): Promise<Grant> {
  const { request } = await engine.requestAccess({
    requester: rita,
    account: '222222222222',
    permissionSet: 'ReadOnlyAccess',
    duration: '1h',
    reason: 'INC-42 read the queue metrics',
  });
  const grant = await until('the grant to be active', async () => {
    const id = (await engine.getRequest(request.id))?.grantId;
    const g = id ? await engine.getGrant(id) : undefined;
    return g?.status === 'active' ? g : undefined;
  });
  await engine.revoke({ grantId: grant.id, actor: rita, reason: 'done early' });
  return until('the grant to end', async () => {
    const g = await engine.getGrant(grant.id);
    return g?.status === 'revoked' ? g : undefined;
  });
}

describe('the activity settings wired by startKeyless', () => {
  const saved = { ...process.env };
  let emulator: RunningAwsEmulator | undefined;
  let dynamo: { endpoint: string; stop: () => Promise<void> } | undefined;
  let keyless: Keyless | undefined;

  beforeAll(async () => {
    [emulator, dynamo] = await Promise.all([startAwsEmulator({ seed: loadDemoSeed(), port: 0 }), startDynalite()]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: emulator.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAACTIVITYWIRING01',
      AWS_SECRET_ACCESS_KEY: 'activity-wiring',
    });
  });

  afterEach(async () => {
    await keyless?.stop();
    keyless = undefined;
  });

  afterAll(async () => {
    await Promise.all([emulator?.stop(), dynamo?.stop()]);
    process.env = saved;
  });

  const start = (env: Record<string, string>) =>
    startKeyless(
      loadConfig({
        KEYLESS_MODE: 'local',
        KEYLESS_PORT: '0',
        KEYLESS_TABLE: uniqueTableName(),
        KEYLESS_POLICY_RELOAD_EVERY: '0',
        KEYLESS_SWEEP_MS: '500',
        KEYLESS_SESSION_CUT: 'off',
        ...env,
      }),
      { logger: silentLogger, createTable: true, scanAtStart: false },
    );

  it('schedules the first lookup at KEYLESS_ACTIVITY_FIRST_AFTER after the end', async () => {
    keyless = await start({ KEYLESS_ACTIVITY_FIRST_AFTER: '7m', KEYLESS_ACTIVITY_FINAL_AFTER: '45m' });
    const ended = await endedGrant(keyless.engine);
    expect(ended.activity).toEqual({ step: 0, dueAt: ended.endedAt! + 7 * 60_000 });
  });

  it('schedules none with KEYLESS_ACTIVITY=off', async () => {
    keyless = await start({ KEYLESS_ACTIVITY: 'off' });
    const ended = await endedGrant(keyless.engine);
    expect(ended.endedAt).toBeDefined();
    expect(ended.activity).toBeUndefined();
  });
});
