import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAYGROUND_POLICY, loadConfig } from '../../../../adapters/main/config';
import { policyOnCallRefs } from '../../../../src';

const IC =
  'identityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-1111111111111111", identityStoreId: d-1234567890, region: eu-west-1 }\n';
const ON_CALL_RULE = `rules:
  - name: on-call
    accounts: ["111111111111"]
    permissionSets: [AdministratorAccess]
    requesters: { groups: [engineers] }
    approvers: { oncall: ["pagerduty:PSRE001"] }
`;

function setup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyless-pd-'));
  writeFileSync(join(dir, 'keyless.yaml'), IC + ON_CALL_RULE);
  return dir;
}

const problems = (env: NodeJS.ProcessEnv, dir: string): string => {
  try {
    loadConfig({ KEYLESS_MODE: 'local', KEYLESS_POLICY_FILE: join(dir, 'keyless.yaml'), ...env }, dir);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('PagerDuty configuration', () => {
  it('refuses to start in production when the policy names on-call schedules and no PagerDuty key is set', () => {
    const dir = setup();
    expect(problems({ KEYLESS_MODE: 'production' }, dir)).toContain(
      'KEYLESS_PAGERDUTY_TOKEN: the policy names on-call schedules (pagerduty:PSRE001)',
    );
  });

  it('needs no key in local mode: the playground gives its loopback PagerDuty a token of its own', () => {
    const dir = setup();
    expect(problems({}, dir)).not.toContain('KEYLESS_PAGERDUTY_TOKEN');
    const config = loadConfig({ KEYLESS_MODE: 'local', KEYLESS_POLICY_FILE: join(dir, 'keyless.yaml') }, dir);
    expect(config.pagerDuty).toBeUndefined();
  });

  it('the playground policy names a schedule of the loopback PagerDuty, and starts without a key in local mode only', () => {
    const dir = setup();
    const local = loadConfig({ KEYLESS_MODE: 'local' }, dir);
    expect(local.policyFile).toBe(PLAYGROUND_POLICY);
    expect(policyOnCallRefs(local.policy)).toEqual(['pagerduty:PPROD01']);
    expect(local.pagerDuty).toBeUndefined();
    expect(problems({ KEYLESS_MODE: 'production', KEYLESS_POLICY_FILE: PLAYGROUND_POLICY }, dir)).toContain(
      'KEYLESS_PAGERDUTY_TOKEN: the policy names on-call schedules (pagerduty:PPROD01)',
    );
  });

  it('takes the key and a loopback URL, and never puts the key in an error', () => {
    const dir = setup();
    const config = loadConfig(
      {
        KEYLESS_MODE: 'local',
        KEYLESS_POLICY_FILE: join(dir, 'keyless.yaml'),
        KEYLESS_PAGERDUTY_TOKEN: 'pd-secret-key-1',
        KEYLESS_PAGERDUTY_API_URL: 'http://127.0.0.1:4999',
      },
      dir,
    );
    expect(config.pagerDuty).toEqual({ token: 'pd-secret-key-1', apiUrl: 'http://127.0.0.1:4999' });
    expect(problems({ KEYLESS_PAGERDUTY_TOKEN: 'short' }, dir)).not.toContain('short"');
  });

  it('refuses a PagerDuty URL other than PagerDuty’s own in production', () => {
    const dir = setup();
    const message = problems(
      {
        KEYLESS_MODE: 'production',
        KEYLESS_PAGERDUTY_TOKEN: 'pd-secret-key-1',
        KEYLESS_PAGERDUTY_API_URL: 'http://127.0.0.1:4999',
      },
      dir,
    );
    expect(message).toContain('KEYLESS_PAGERDUTY_API_URL: production talks to https://api.pagerduty.com');
  });
});
