import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, isKeylessError } from '../../../../src';
import { loadConfig, PLAYGROUND_POLICY } from '../../../../adapters/main/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, '/');
    return [];
  } catch (error) {
    if (!isKeylessError(error, ErrorCodes.ConfigInvalid)) throw error;
    return error.details.problems as string[];
  }
}

describe('configuration', () => {
  it('starts the local playground with no settings at all', () => {
    const config = loadConfig({}, '/tmp');
    expect(config).toMatchObject({
      mode: 'local',
      host: '127.0.0.1',
      port: 3000,
      table: 'keyless',
      policyFile: PLAYGROUND_POLICY,
    });
    expect(config.teams?.authDisabled).toBe(true);
    expect(config.slack).toBeUndefined();
  });

  it('switches to production when chat credentials are set, listening on every interface', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-config-'));
    const policy = join(dir, 'keyless.yaml');
    writeFileSync(
      policy,
      'identityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-1111111111111111", identityStoreId: d-1234567890, region: eu-west-1 }\n',
    );
    const config = loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-123',
        SLACK_SIGNING_SECRET: 'a-signing-secret',
        KEYLESS_POLICY_FILE: policy,
        KEYLESS_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
      },
      dir,
    );
    expect(config).toMatchObject({ mode: 'production', host: '0.0.0.0', slack: { botToken: 'xoxb-123' } });
    expect(config.teams).toBeUndefined();
  });

  it('takes Slack in Socket Mode with an app-level token and no signing secret, and asks for the bot token', () => {
    expect(
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-123', SLACK_APP_TOKEN: 'xapp-1-abc', KEYLESS_MODE: 'local' }),
    ).toMatchObject({ slack: { botToken: 'xoxb-123', appToken: 'xapp-1-abc' } });
    expect(problemsOf({ SLACK_APP_TOKEN: 'xapp-1-abc' })).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN: Slack needs/),
    ]);
  });

  it('reports every problem of the environment and the policy file at once', () => {
    const problems = problemsOf({
      KEYLESS_PORT: 'abc',
      KEYLESS_LOG_LEVEL: 'loud',
      SLACK_BOT_TOKEN: 'not-a-token',
      MICROSOFT_APP_ID: 'not-a-uuid',
      KEYLESS_POLICY_FILE: '/no/such/policy.yaml',
      KEYLESS_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^KEYLESS_PORT: /),
      expect.stringMatching(/^KEYLESS_LOG_LEVEL: /),
      expect.stringMatching(/^SLACK_BOT_TOKEN: must be a bot token/),
      expect.stringMatching(/^MICROSOFT_APP_ID: /),
      expect.stringMatching(/^SLACK_SIGNING_SECRET: Slack needs both/),
      expect.stringMatching(/^MICROSOFT_APP_PASSWORD: /),
      expect.stringMatching(/^policy file \/no\/such\/policy.yaml: cannot be read/),
    ]);
  });

  it('reports the policy file’s own problems with their paths, and YAML errors with their line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-config-'));
    writeFileSync(join(dir, 'bad.yaml'), 'identityCenter: { region: mars }\nrules: []\n');
    writeFileSync(join(dir, 'broken.yaml'), 'rules:\n  - name: [unclosed\n');
    expect(problemsOf({ KEYLESS_POLICY_FILE: join(dir, 'bad.yaml') })).toEqual(
      expect.arrayContaining([
        expect.stringContaining('policy identityCenter.instanceArn'),
        expect.stringContaining('policy identityCenter.region'),
      ]),
    );
    expect(problemsOf({ KEYLESS_POLICY_FILE: join(dir, 'broken.yaml') })).toEqual([
      expect.stringMatching(/broken\.yaml \(line \d+\)/),
    ]);
  });

  it('refuses production without a policy file, and disabled auth outside local mode', () => {
    expect(problemsOf({ KEYLESS_MODE: 'production', KEYLESS_LOCAL_AUTH_DISABLED: 'true' })).toEqual([
      'KEYLESS_POLICY: production needs a policy (a file path, ssm:/name or s3://bucket/key)',
      'KEYLESS_MEMBER_ROLE_EXTERNAL_ID: production needs the ExternalId the member-account roles require (member-roles.yml)',
      'SLACK_BOT_TOKEN: production needs Slack (SLACK_BOT_TOKEN) or Teams (MICROSOFT_APP_ID) credentials',
      'KEYLESS_LOCAL_AUTH_DISABLED: authentication can be disabled in local mode only',
    ]);
  });
});
