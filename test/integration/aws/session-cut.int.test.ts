/**
 * Ending live sessions (issue 15), AWS side: keyless's own SCPs through the real Organizations adapter,
 * and access portal sessions in the local AWS emulator that the SCPs deny or spare.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AwsSessionCutPolicies,
  portalRoleCredentials,
  renderVerifyPolicy,
  s3Probe,
  verifySessionCut,
  type SessionCredentials,
} from '../../../adapters/aws/organizations';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { sessionCutChecks, type Check } from '../../../adapters/main/doctor';
import { findSsoToken, runVerifySessionCut } from '../../../adapters/main/verify-session-cut';
import { clientConfig } from './emulator-harness';

const ROOT = 'r-ab12';
const SANDBOX = '222222222222';
const MANAGEMENT = '100000000001';

let emulator: RunningAwsEmulator;
let organizations: OrganizationsClient;

beforeAll(async () => {
  emulator = await startAwsEmulator({ seed: loadDemoSeed(), port: 0 });
  organizations = new OrganizationsClient(clientConfig(emulator.url));
});
afterAll(async () => {
  organizations.destroy();
  await emulator.stop();
});
beforeEach(() => emulator.reset());

const adapter = (targets: string[] = [ROOT], prefix = 'keyless-session-cut') =>
  new AwsSessionCutPolicies(organizations, {
    prefix,
    targets,
    retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 },
  });

async function admin(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** `aws sso login` as a user, then the portal's GetRoleCredentials. */
async function session(user: string, account: string, permissionSet: string): Promise<SessionCredentials> {
  const { accessToken } = (await admin('/_emulator/sso/login', { user })) as { accessToken: string };
  return portalRoleCredentials({ endpoint: emulator.url, accessToken, accountId: account, roleName: permissionSet });
}

async function assign(user: string, account: string, permissionSet: string): Promise<string> {
  const world = emulator.state.world;
  const u = world.userByName(user)!;
  const ps = world.permissionSetByName(permissionSet)!;
  world.assignments.set(`${u.id}#${account}#${ps.arn}`, {
    principalId: u.id,
    principalType: 'USER',
    accountId: account,
    permissionSetArn: ps.arn,
  });
  return u.id;
}

function unassign(user: string, account: string, permissionSet: string): void {
  const world = emulator.state.world;
  world.assignments.delete(`${world.userByName(user)!.id}#${account}#${world.permissionSetByName(permissionSet)!.arn}`);
}

const probe = () => s3Probe({ region: 'us-east-1', endpoint: emulator.url });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('AwsSessionCutPolicies on the local AWS emulator', () => {
  it('creates a slot attached to the targets, lists it with its content, replaces it and removes it', async () => {
    const policies = adapter([ROOT, 'ou-ab12-22222222']);
    const content = renderVerifyPolicy('u-1', SANDBOX, new Date('2026-01-01T00:00:00Z'));
    const created = await policies.create(3, content);
    expect(created).toEqual({ id: expect.stringMatching(/^p-/), slot: 3, content });
    expect(await policies.list()).toEqual([created]);
    const state = (await admin('/_emulator/organizations/policies')) as {
      policies: { id: string; name: string; targets: string[]; tags: Record<string, string> }[];
    };
    const mine = state.policies.find((p) => p.id === created.id)!;
    expect(mine.name).toBe('keyless-session-cut-3');
    expect(mine.targets.sort()).toEqual(['ou-ab12-22222222', ROOT]);
    expect(mine.tags).toEqual({ keyless: 'session-cut' });

    const replaced = renderVerifyPolicy('u-2', SANDBOX, new Date('2026-01-01T00:00:00Z'));
    await policies.update(created.id, replaced);
    expect((await policies.list())[0]!.content).toBe(replaced);
    // Creating the same slot again replaces its content and keeps one policy.
    const again = await policies.create(3, content);
    expect(again.id).toBe(created.id);
    expect(await policies.list()).toHaveLength(1);

    await policies.remove(created.id);
    expect(await policies.list()).toEqual([]);
    // Removing what is gone already is not an error.
    await expect(policies.remove(created.id)).resolves.toBeUndefined();
  });

  it('lists only its own slots: not FullAWSAccess, not another prefix, not the verify policy', async () => {
    await adapter([ROOT], 'someone-else').create(1, renderVerifyPolicy('u', SANDBOX, new Date()));
    await adapter([ROOT], 'keyless-session-cut-verify').create(0, renderVerifyPolicy('u', SANDBOX, new Date()));
    const mine = await adapter().create(0, renderVerifyPolicy('u', SANDBOX, new Date()));
    expect((await adapter().list()).map((p) => p.id)).toEqual([mine.id]);
  });

  it('retries a ConcurrentModificationException on UpdatePolicy until it goes through', async () => {
    const policies = adapter();
    const created = await policies.create(0, renderVerifyPolicy('u-1', SANDBOX, new Date()));
    await admin('/_emulator/faults', { conflictNext: { count: 3, operation: 'UpdatePolicy' } });
    const next = renderVerifyPolicy('u-9', SANDBOX, new Date());
    await policies.update(created.id, next);
    expect((await policies.list())[0]!.content).toBe(next);
    const log = (await admin('/_emulator/log')) as { entries: { operation: string; outcome: string }[] };
    expect(log.entries.filter((e) => e.operation === 'UpdatePolicy').map((e) => e.outcome)).toEqual([
      'ConcurrentModificationException',
      'ConcurrentModificationException',
      'ConcurrentModificationException',
      'ok',
    ]);
  });

  it('says which target is full when it already has 5 SCPs', async () => {
    const filler = adapter([ROOT], 'filler');
    for (let i = 0; i < 4; i++) await filler.create(i, renderVerifyPolicy(`u-${i}`, SANDBOX, new Date()));
    await expect(adapter().create(0, renderVerifyPolicy('u', SANDBOX, new Date()))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(
        `already has 5 service control policies attached, the most AWS allows (${ROOT})`,
      ),
    });
  });

  it('says that SCPs must be enabled when the organization has not enabled them', async () => {
    emulator.state.world.scpEnabled = false;
    await expect(adapter().create(0, renderVerifyPolicy('u', SANDBOX, new Date()))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('Service control policies are not enabled'),
    });
  });

  it('refuses a policy over 5,120 characters with a readable error', async () => {
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: Array.from({ length: 100 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Deny', Action: '*', Resource: '*' })),
    });
    expect(big.length).toBeGreaterThan(5120);
    await expect(adapter().create(0, big)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('access portal sessions and the SCPs that end them (local AWS emulator)', () => {
  it('refuses a session to a user without the assignment, as the portal does (ForbiddenException: No access)', async () => {
    await expect(session('olga', SANDBOX, 'ReadOnlyAccess')).rejects.toThrow(/ForbiddenException: No access/);
  });

  it('a session taken during the grant works after the assignment is gone, and stops once keyless cuts it; a new grant works', async () => {
    const userId = await assign('rita', SANDBOX, 'ReadOnlyAccess');
    const old = await session('rita', SANDBOX, 'ReadOnlyAccess');
    const sts = new STSClient({ ...clientConfig(emulator.url), credentials: old });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(SANDBOX);
    expect(me.Arn).toMatch(
      /^arn:aws:sts::222222222222:assumed-role\/AWSReservedSSO_ReadOnlyAccess_[0-9a-f]{16}\/rita$/,
    );

    // End now removes the assignment: the live session is untouched by that alone.
    unassign('rita', SANDBOX, 'ReadOnlyAccess');
    expect(await probe()(old)).toEqual({ ok: true });
    await expect(session('rita', SANDBOX, 'ReadOnlyAccess')).rejects.toThrow(/No access/);

    await sleep(1100);
    const t = new Date(Math.floor(Date.now() / 1000) * 1000);
    await adapter().create(0, renderVerifyPolicy(userId, SANDBOX, t));
    expect(await probe()(old)).toEqual({
      ok: false,
      byScp: true,
      message: expect.stringMatching(
        /^User: arn:aws:sts::222222222222:assumed-role\/AWSReservedSSO_ReadOnlyAccess_\w+\/rita is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in a service control policy$/,
      ),
    });
    // GetCallerIdentity is never denied, as in AWS.
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: SANDBOX });
    sts.destroy();

    // A new grant for the same person afterwards works: its session is issued after T.
    while (Date.now() <= t.getTime()) await sleep(50);
    await assign('rita', SANDBOX, 'ReadOnlyAccess');
    const fresh = await session('rita', SANDBOX, 'ReadOnlyAccess');
    expect(await probe()(fresh)).toEqual({ ok: true });
  });

  it('spares other people and the management account (SCPs never apply there)', async () => {
    const ritaId = await assign('rita', SANDBOX, 'ReadOnlyAccess');
    await assign('rita', MANAGEMENT, 'ReadOnlyAccess');
    await assign('ann', SANDBOX, 'ReadOnlyAccess');
    const ritaSandbox = await session('rita', SANDBOX, 'ReadOnlyAccess');
    const ritaManagement = await session('rita', MANAGEMENT, 'ReadOnlyAccess');
    const ann = await session('ann', SANDBOX, 'ReadOnlyAccess');
    await sleep(1100);
    const all = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: {
            StringEquals: { 'identitystore:UserId': ritaId },
            DateLessThan: { 'aws:TokenIssueTime': new Date().toISOString() },
          },
        },
      ],
    });
    await adapter().create(0, all);
    expect((await probe()(ritaSandbox)).ok).toBe(false);
    expect(await probe()(ritaManagement)).toEqual({ ok: true });
    expect(await probe()(ann)).toEqual({ ok: true });
  });

  it('verify-session-cut proves the deny and cleans up after itself', async () => {
    const userId = await assign('rita', SANDBOX, 'ReadOnlyAccess');
    const lines: string[] = [];
    const verifier = adapter([ROOT], 'keyless-session-cut-verify');
    const result = await verifySessionCut(
      {
        policies: verifier,
        takeSession: () => session('rita', SANDBOX, 'ReadOnlyAccess'),
        probe: probe(),
        now: Date.now,
        sleep,
        print: (line) => lines.push(line),
      },
      { userId, accountId: SANDBOX, waitMs: 5000, pollMs: 100 },
    );
    expect(result.ok).toBe(true);
    expect(lines.join('\n')).toContain('✓ The old session is denied by the service control policy');
    expect(lines.join('\n')).toContain('✓ A fresh session taken after the cut works.');
    expect(await verifier.list()).toEqual([]);
  });

  it('verify-session-cut fails, readably, in the management account where SCPs do not apply', async () => {
    const userId = await assign('rita', MANAGEMENT, 'ReadOnlyAccess');
    const lines: string[] = [];
    const verifier = adapter([ROOT], 'keyless-session-cut-verify');
    const result = await verifySessionCut(
      {
        policies: verifier,
        takeSession: () => session('rita', MANAGEMENT, 'ReadOnlyAccess'),
        probe: probe(),
        now: Date.now,
        sleep,
        print: (line) => lines.push(line),
      },
      { userId, accountId: MANAGEMENT, waitMs: 300, pollMs: 100 },
    );
    expect(result.ok).toBe(false);
    expect(lines.join('\n')).toContain('✗ The old session still works');
    expect(lines.join('\n')).toContain('not the management account');
    expect(await verifier.list()).toEqual([]);
  });

  it("a session lasts the permission set's session duration", async () => {
    await assign('rita', SANDBOX, 'AdministratorAccess');
    const old = await session('rita', SANDBOX, 'AdministratorAccess');
    expect(old.expiration.getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(old.expiration.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
  });
});

describe('keyless doctor with KEYLESS_SESSION_CUT=on (local AWS emulator)', () => {
  const byName = (checks: Check[], name: string) => checks.find((c) => c.name === name);

  it('finds SCPs enabled, its own policies writable, free slots, and names the management account as not covered', async () => {
    await adapter().create(0, renderVerifyPolicy('u', SANDBOX, new Date()));
    const checks = await sessionCutChecks({ prefix: 'keyless-session-cut', targets: [ROOT] }, organizations);
    expect(byName(checks, 'session cut: SCPs')).toMatchObject({ status: 'ok' });
    expect(byName(checks, 'session cut: own policies')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('1 policy(ies)'),
    });
    expect(byName(checks, `session cut: slots at ${ROOT}`)).toMatchObject({
      status: 'ok',
      detail: "2 of 5 SCPs attached (1 of them keyless's)",
    });
    expect(byName(checks, 'session cut: management account')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`SCPs never apply to the management account (${MANAGEMENT})`),
    });
    const log = (await admin('/_emulator/log')) as { entries: { operation: string }[] };
    expect(log.entries.map((e) => e.operation)).toContain('UpdatePolicy');
  });

  it('fails when SCPs are not enabled, and when a target is full without keyless', async () => {
    const filler = adapter([ROOT], 'filler');
    for (let i = 0; i < 4; i++) await filler.create(i, renderVerifyPolicy(`u-${i}`, SANDBOX, new Date()));
    const full = await sessionCutChecks(
      { prefix: 'keyless-session-cut', targets: [ROOT, 'ou-ab12-22222222'] },
      organizations,
    );
    expect(byName(full, `session cut: slots at ${ROOT}`)).toMatchObject({
      status: 'fail',
      detail: `${ROOT} has 5 SCPs attached, the most AWS allows: keyless cannot attach its policy`,
    });
    expect(byName(full, 'session cut: slots at ou-ab12-22222222')).toMatchObject({ status: 'ok' });

    emulator.state.world.scpEnabled = false;
    const off = await sessionCutChecks({ prefix: 'keyless-session-cut', targets: [ROOT] }, organizations);
    expect(byName(off, 'session cut: SCPs')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('enable-policy-type --root-id r-ab12 --policy-type SERVICE_CONTROL_POLICY'),
    });
  });

  it('fails with the fix when keyless may not list policies', async () => {
    await admin('/_emulator/faults', { deny: ['ListPolicies'] });
    const checks = await sessionCutChecks({ prefix: 'keyless-session-cut', targets: [ROOT] }, organizations);
    expect(byName(checks, 'session cut: own policies')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('iam-policy-session-cut.json'),
    });
  });
});

describe('keyless verify-session-cut (local AWS emulator)', () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyless-verify-'));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: emulator.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(user: string): Promise<string> {
    const { accessToken, expiresAt } = (await admin('/_emulator/sso/login', { user })) as {
      accessToken: string;
      expiresAt: number;
    };
    // The shape `aws sso login` caches.
    const file = join(dir, 'token.json');
    writeFileSync(
      file,
      JSON.stringify({
        startUrl: 'https://d-1234567890.awsapps.com/start',
        region: 'us-east-1',
        accessToken,
        expiresAt: new Date(expiresAt).toISOString(),
      }),
    );
    return file;
  }

  it('says the cut works, prints no token, and leaves no policy behind', async () => {
    const userId = await assign('rita', SANDBOX, 'ReadOnlyAccess');
    const file = await signIn('rita');
    const lines: string[] = [];
    const ok = await runVerifySessionCut(
      { userId, account: SANDBOX, permissionSet: 'ReadOnlyAccess', ssoTokenFile: file, targets: ROOT, wait: '5' },
      process.env,
      (line) => lines.push(line),
    );
    expect(ok).toBe(true);
    expect(lines.at(-1)).toBe(`The session cut works in ${SANDBOX}: keyless can end live sessions there.`);
    const token = (JSON.parse(readFileSync(file, 'utf8')) as { accessToken: string }).accessToken;
    expect(lines.join('\n')).not.toContain(token);
    const state = (await admin('/_emulator/organizations/policies')) as { policies: { name: string }[] };
    expect(state.policies.map((p) => p.name)).toEqual(['FullAWSAccess']);
  });

  it('refuses, readably, without targets or with a user who lacks the assignment', async () => {
    const file = await signIn('olga');
    const olga = emulator.state.world.userByName('olga')!.id;
    delete process.env.KEYLESS_SESSION_CUT_TARGETS;
    await expect(
      runVerifySessionCut(
        { userId: olga, account: SANDBOX, permissionSet: 'ReadOnlyAccess', ssoTokenFile: file },
        process.env,
        () => {},
      ),
    ).rejects.toThrow(/--targets or KEYLESS_SESSION_CUT_TARGETS/);
    await expect(
      runVerifySessionCut(
        { userId: olga, account: SANDBOX, permissionSet: 'ReadOnlyAccess', ssoTokenFile: file, targets: ROOT },
        process.env,
        () => {},
      ),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        'The access portal refused a session for ReadOnlyAccess in 222222222222 (ForbiddenException: No access)',
      ),
    });
  });

  it('finds no sign-in in an empty cache and says to run aws sso login', () => {
    expect(() => findSsoToken(undefined, Date.now(), dir)).toThrow(/No unexpired access portal sign-in/);
  });
});

describe('manifest/aws/iam-policy-session-cut.json', () => {
  it('lists exactly the Organizations actions the adapter and doctor send (TagResource for the tags of CreatePolicy)', async () => {
    const policies = adapter([ROOT, 'ou-ab12-22222222']);
    const created = await policies.create(0, renderVerifyPolicy('u', SANDBOX, new Date()));
    await policies.update(created.id, renderVerifyPolicy('v', SANDBOX, new Date()));
    expect(await policies.list()).toHaveLength(1);
    await policies.remove(created.id);
    await sessionCutChecks({ prefix: 'keyless-session-cut', targets: [ROOT] }, organizations);
    const log = (await admin('/_emulator/log')) as { entries: { service: string; operation: string }[] };
    const sent = new Set(
      log.entries.filter((e) => e.service === 'organizations').map((e) => `organizations:${e.operation}`),
    );
    sent.add('organizations:TagResource');
    // ListRoots is in the base policy (the catalog reads the tree).
    sent.delete('organizations:ListRoots');
    const file = JSON.parse(
      readFileSync(join(__dirname, '../../../manifest/aws/iam-policy-session-cut.json'), 'utf8'),
    ) as { Statement: { Action: string[] }[] };
    const granted = new Set(file.Statement.flatMap((s) => s.Action));
    expect([...granted].sort()).toEqual([...sent].sort());
  });
});
