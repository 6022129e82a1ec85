/**
 * The playground's live-session panel: a session taken through the access portal keeps working after
 * the assignment is removed, and stops once a keyless session-cut policy names the person.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { DeleteAccountAssignmentCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { AwsSessionCutPolicies, renderVerifyPolicy } from '../../../adapters/aws/organizations';
import { stableUuid } from '../../../adapters/local/aws-emulator/world';
import { loadConfig } from '../../../adapters/main/config';
import { startPlayground, type Playground } from '../../../adapters/main/playground';
import { silentLogger } from '../../../src';

interface Session {
  id: string;
  account: string;
  permissionSet: string;
  last?: { ok: boolean; message: string };
}
interface PanelState {
  aws: {
    assignments: { principal: string; account: string; permissionSet: string }[];
    sessions: Session[];
    cutPolicies: string[];
    accounts: { id: string; name: string }[];
    permissionSets: string[];
  };
}

const PROD = '111111111111';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';

describe('the playground live-session panel', () => {
  let playground: Playground;
  const saved = { ...process.env };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(new URL(path, playground.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const state = async (as: string) =>
    (await (await fetch(new URL(`/api/state?as=${as}`, playground.url))).json()) as PanelState;
  const aws = () => ({
    endpoint: playground.awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

  beforeAll(async () => {
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    // This test writes the cut policy by hand: keyless's own writer (on by default here) stays off.
    const config = loadConfig({ KEYLESS_PORT: '0', KEYLESS_SWEEP_MS: '500', KEYLESS_SESSION_CUT: 'off' });
    playground = await startPlayground(config, { logger: silentLogger, ephemeral: true });
  });
  afterAll(async () => {
    await playground?.stop();
    process.env = saved;
  });

  it('shows a session that outlives its assignment, and is denied once keyless cuts it', async () => {
    // No assignment: the portal refuses, and the page says why.
    const refused = await post('/api/aws/session/take', {
      as: 'rita',
      accountId: PROD,
      permissionSet: 'AdministratorAccess',
    });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain(
      'The access portal refused a session for AdministratorAccess in prod: No access',
    );

    await post('/api/aws/assign-outside-keyless', { as: 'rita' });
    for (let i = 0; i < 50 && !(await state('rita')).aws.assignments.some((a) => a.principal === 'rita'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const initial = await state('rita');
    expect(initial.aws.accounts).toEqual(expect.arrayContaining([{ id: PROD, name: 'prod' }]));
    expect(initial.aws.permissionSets).toContain('AdministratorAccess');
    expect(initial.aws.cutPolicies).toEqual([]);

    const taken = await post('/api/aws/session/take', {
      as: 'rita',
      accountId: PROD,
      permissionSet: 'AdministratorAccess',
    });
    expect(taken.status).toBe(200);
    const id = (taken.body.answer as { id: string }).id;
    expect((await post('/api/aws/session/try', { as: 'rita', id })).body.answer).toMatchObject({ ok: true });

    // The assignment goes (what End now does): the session still works.
    const ssoAdmin = new SSOAdminClient(aws());
    const ps = initial.aws.permissionSets.indexOf('AdministratorAccess');
    expect(ps).toBeGreaterThanOrEqual(0);
    await ssoAdmin.send(
      new DeleteAccountAssignmentCommand({
        InstanceArn: INSTANCE,
        TargetId: PROD,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-000000000000000a',
        PrincipalType: 'USER',
        PrincipalId: stableUuid('user:rita'),
      }),
    );
    ssoAdmin.destroy();
    for (let i = 0; i < 100 && (await state('rita')).aws.assignments.some((a) => a.principal === 'rita'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await state('rita')).aws.assignments.filter((a) => a.principal === 'rita')).toEqual([]);
    expect((await post('/api/aws/session/try', { as: 'rita', id })).body.answer).toMatchObject({ ok: true });

    // keyless cuts it: a policy denying rita's sessions issued before now.
    await new Promise((r) => setTimeout(r, 1100));
    const organizations = new OrganizationsClient(aws());
    await new AwsSessionCutPolicies(organizations, { prefix: 'keyless-session-cut', targets: ['r-ab12'] }).create(
      0,
      renderVerifyPolicy(stableUuid('user:rita'), PROD, new Date(Math.floor(Date.now() / 1000) * 1000)),
    );
    organizations.destroy();
    const denied = (await post('/api/aws/session/try', { as: 'rita', id })).body.answer as {
      ok: boolean;
      message: string;
    };
    expect(denied.ok).toBe(false);
    expect(denied.message).toContain('with an explicit deny in a service control policy');
    const after = await state('rita');
    expect(after.aws.cutPolicies).toEqual(['keyless-session-cut-0']);
    expect(after.aws.sessions).toEqual([
      expect.objectContaining({
        id,
        account: 'prod',
        permissionSet: 'AdministratorAccess',
        last: expect.objectContaining({ ok: false }),
      }),
    ]);
    // The page never sees the session's secret.
    expect(JSON.stringify(after)).not.toMatch(/secretAccessKey|sessionToken/);
  });
});
