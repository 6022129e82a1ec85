import { ErrorCodes } from '../../../src';
import { startSecurityFeedEnv, type SecurityFeedEnv } from './security-feed-harness';

const PROD = '111111111111';
const DAY = 86_400_000;

describe('the IAM scanner against the emulator', () => {
  let env: SecurityFeedEnv;
  beforeAll(async () => {
    env = await startSecurityFeedEnv({
      accounts: [
        {
          accountId: PROD,
          root: { passwordLastUsedDaysAgo: 2, mfa: false, accessKeys: 1 },
          users: [
            {
              name: 'bob',
              keys: [
                {
                  id: 'AKIABOB0000000000001',
                  createdDaysAgo: 120,
                  lastUsedDaysAgo: 3,
                  service: 'ec2',
                  region: 'eu-west-1',
                },
              ],
            },
            { name: 'never', keys: [{ id: 'AKIANEVER00000000001', createdDaysAgo: 30 }] },
            { name: 'pathed', path: '/machine/ci/' },
          ],
        },
      ],
    });
  });
  afterAll(() => env.stop());

  it('reads the credential report, its <root_account> row and the account summary', async () => {
    const snapshot = await env.scanner.readAccount(PROD);
    expect(snapshot.reportCsv.split('\n')[1]).toMatch(/^<root_account>,arn:aws:iam::111111111111:root,/);
    expect(snapshot.reportCsv).toContain('\nbob,');
    expect(snapshot.summary).toEqual({ accountAccessKeysPresent: 1, accountMfaEnabled: 0 });
    expect(Math.abs(snapshot.reportGeneratedAt - Date.now())).toBeLessThan(60_000);
  });

  it('reuses a credential report younger than 4 hours instead of generating another', async () => {
    env.emulator.log.clear();
    await env.scanner.readAccount(PROD);
    await env.scanner.readAccount(PROD);
    expect(env.emulator.state.security.iam.accounts.get(PROD)!.report).toBeDefined();
    const generations = env.emulator.log.entries({ operation: 'GenerateCredentialReport' }).map((e) => e.outcome);
    expect(generations).toEqual(['ok', 'ok']);
  });

  it('waits for a report that is still being generated, and backs off when generation is rate limited', async () => {
    const iam = env.emulator.state.security.iam;
    iam.accounts.get(PROD)!.report = undefined;
    iam.reportDelayMs = 30;
    iam.limitExceededNext = 2;
    env.emulator.log.clear();
    const snapshot = await env.scanner.readAccount(PROD);
    iam.reportDelayMs = 0;
    expect(snapshot.reportCsv).toContain('bob');
    const outcomes = env.emulator.log.entries({ operation: 'GenerateCredentialReport' }).map((e) => e.outcome);
    expect(outcomes.slice(0, 2)).toEqual(['LimitExceeded', 'LimitExceeded']);
    expect(outcomes.length).toBeGreaterThan(3);
  });

  it('maps keys to ids, status and creation time, and reads their last use', async () => {
    const [key] = await env.scanner.listAccessKeys(PROD, 'bob');
    expect(key).toMatchObject({ accessKeyId: 'AKIABOB0000000000001', status: 'Active' });
    expect(Date.now() - key!.createdAt).toBeGreaterThan(119 * DAY);
    const used = await env.scanner.keyLastUsed(PROD, 'AKIABOB0000000000001');
    expect(used).toMatchObject({ userName: 'bob', service: 'ec2', region: 'eu-west-1' });
    expect(await env.scanner.keyLastUsed(PROD, 'AKIANEVER00000000001')).toEqual({
      userName: 'never',
      lastUsedAt: null,
    });
  });

  it('deactivates a key through the remediation role only, and reactivates it', async () => {
    env.emulator.state.security.iam.calls.length = 0;
    await env.scanner.setAccessKeyStatus(PROD, 'never', 'AKIANEVER00000000001', 'Inactive');
    expect(env.emulator.state.security.iam.findKey(PROD, 'AKIANEVER00000000001')!.status).toBe('Inactive');
    await env.scanner.setAccessKeyStatus(PROD, 'never', 'AKIANEVER00000000001', 'Active');
    expect(env.emulator.state.security.iam.calls.map((c) => `${c.roleName}:${c.operation}`)).toEqual([
      'keyless-remediation:UpdateAccessKey',
      'keyless-remediation:UpdateAccessKey',
    ]);
  });

  it('deletes a key through the remediation role, and answers NoSuchEntity for a key already gone', async () => {
    const iam = env.emulator.state.security.iam;
    const key = iam.createKey(PROD, 'never');
    expect(() => iam.createKey(PROD, 'never')).toThrow(/AccessKeysPerUser/);
    await env.scanner.deleteAccessKey(PROD, 'never', key.id);
    expect(iam.findKey(PROD, key.id)).toBeUndefined();
    expect(iam.calls.at(-1)).toMatchObject({ operation: 'DeleteAccessKey', roleName: 'keyless-remediation' });
    await expect(env.scanner.deleteAccessKey(PROD, 'never', key.id)).rejects.toThrow();
  });

  it('puts the IAM path in the report ARN, as IAM does', async () => {
    const iam = env.emulator.state.security.iam;
    const snapshot = await env.scanner.readAccount(PROD);
    expect(snapshot.reportCsv).toContain(`\npathed,arn:aws:iam::${PROD}:user/machine/ci/pathed,`);
    expect(iam.reportCsv(PROD)).toContain(`\nbob,arn:aws:iam::${PROD}:user/bob,`);
  });

  it('assumes the audit role with the configured ExternalId', async () => {
    env.emulator.state.security.iam.calls.length = 0;
    await env.scanner.listAccessKeys(PROD, 'bob');
    expect(env.emulator.state.security.iam.calls[0]).toMatchObject({
      roleName: 'keyless-audit',
      accountId: PROD,
      externalId: 'keyless-ext-1',
    });
  });

  it('reports an account without IAM (or without the role) as access denied', async () => {
    await expect(env.scanner.readAccount('222222222222')).rejects.toMatchObject({ code: ErrorCodes.AwsAccessDenied });
  });
});
