/**
 * The session cut as `keyless start` wires it (adapters/main/compose.ts): KEYLESS_SESSION_CUT=on in
 * the configuration, the real composition on the local AWS emulator (Identity Center, Organizations,
 * the access portal) and DynamoDB. A portal session taken during a grant works, and is denied once
 * the grant is ended with End now. The playground does the same by default, unless KEYLESS_SESSION_CUT=off.
 */
import { portalRoleCredentials, s3Probe, type SessionCredentials } from '../../../adapters/aws/organizations';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { startKeyless, type Keyless } from '../../../adapters/main/compose';
import { loadConfig } from '../../../adapters/main/config';
import { startPlayground } from '../../../adapters/main/playground';
import { silentLogger, type ChatUser, type Engine, type Grant } from '../../../src';
import { uniqueTableName } from '../../support/dynamodb-client';
import { startDynalite } from '../../support/dynalite';

jest.setTimeout(90_000);

const rita: ChatUser = { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' };
const SANDBOX = '222222222222';
const READONLY = 'ReadOnlyAccess';
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

/** `aws sso login` as rita on the emulator, then the portal's role credentials. */
async function portalSession(awsUrl: string): Promise<SessionCredentials> {
  const login = await fetch(`${awsUrl}/_emulator/sso/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'rita' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  return portalRoleCredentials({ endpoint: awsUrl, accessToken, accountId: SANDBOX, roleName: READONLY });
}

/** Rita gets ReadOnlyAccess in the sandbox (auto-approved by the playground policy), takes a session, then ends the grant. */
async function grantSessionEndNow(
  engine: Engine,
  awsUrl: string,
): Promise<{ ended: Grant; before: unknown; after: unknown }> {
  const { request } = await engine.requestAccess({
    requester: rita,
    account: SANDBOX,
    permissionSet: READONLY,
    duration: '1h',
    reason: 'INC-42 read the queue metrics',
  });
  const grant = await until('the grant to be active', async () => {
    const id = (await engine.getRequest(request.id))?.grantId;
    const g = id ? await engine.getGrant(id) : undefined;
    return g?.status === 'active' ? g : undefined;
  });
  const probe = s3Probe({ region: 'us-east-1', endpoint: awsUrl });
  const session = await portalSession(awsUrl);
  const before = await probe(session);
  // aws:TokenIssueTime has one-second precision: End now comes in a later second than the session.
  await sleep(1100);
  await engine.revoke({ grantId: grant.id, actor: rita, reason: 'done early' });
  const ended = await until('the grant to end', async () => {
    const g = await engine.getGrant(grant.id);
    return g?.status === 'revoked' && (g.sessionsCutAt !== undefined || g.sessionCut === undefined) ? g : undefined;
  });
  return { ended, before, after: await probe(session) };
}

describe('the session cut wired by startKeyless (KEYLESS_SESSION_CUT=on)', () => {
  const saved = { ...process.env };
  let emulator: RunningAwsEmulator | undefined;
  let dynamo: { endpoint: string; stop: () => Promise<void> } | undefined;
  let keyless: Keyless | undefined;

  afterAll(async () => {
    await keyless?.stop();
    await Promise.all([emulator?.stop(), dynamo?.stop()]);
    process.env = saved;
  });

  it('denies a session taken during the grant once End now ended it', async () => {
    [emulator, dynamo] = await Promise.all([startAwsEmulator({ seed: loadDemoSeed(), port: 0 }), startDynalite()]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: emulator.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIASESSIONCUTWIRING',
      AWS_SECRET_ACCESS_KEY: 'session-cut-wiring',
    });
    const config = loadConfig({
      KEYLESS_MODE: 'local',
      KEYLESS_PORT: '0',
      KEYLESS_TABLE: uniqueTableName(),
      KEYLESS_POLICY_RELOAD_EVERY: '0',
      KEYLESS_SWEEP_MS: '500',
      KEYLESS_SESSION_CUT: 'on',
    });
    expect(config.sessionCut).toEqual({ targets: ['r-ab12'], prefix: 'keyless-session-cut' });
    keyless = await startKeyless(config, { logger: silentLogger, createTable: true, scanAtStart: false });

    const { ended, before, after } = await grantSessionEndNow(keyless.engine, emulator.url);
    expect(before).toEqual({ ok: true });
    expect(ended.sessionCut).toHaveProperty('from');
    expect(ended.sessionsCutAt).toBeGreaterThanOrEqual(ended.assignmentRemovedAt!);
    expect(after).toMatchObject({ ok: false, byScp: true });
  });
});

describe('the playground cuts sessions by default', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  for (const setting of [undefined, 'off'] as const) {
    it(
      setting === undefined
        ? 'ends the session on End now with no setting'
        : 'leaves it open with KEYLESS_SESSION_CUT=off',
      async () => {
        for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
        const config = loadConfig({
          KEYLESS_PORT: '0',
          KEYLESS_SWEEP_MS: '500',
          ...(setting ? { KEYLESS_SESSION_CUT: setting } : {}),
        });
        const playground = await startPlayground(config, { logger: silentLogger, ephemeral: true, scanAtStart: false });
        try {
          const { ended, before, after } = await grantSessionEndNow(playground.keyless.engine, playground.awsUrl);
          expect(before).toEqual({ ok: true });
          if (setting === 'off') {
            expect(ended.sessionCut).toBeUndefined();
            expect(after).toEqual({ ok: true });
          } else {
            expect(ended.sessionsCutAt).toBeDefined();
            expect(after).toMatchObject({ ok: false, byScp: true });
          }
        } finally {
          await playground.stop();
        }
      },
    );
  }
});
