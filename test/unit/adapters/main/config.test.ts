import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, isKeylessError, parseSpan } from '../../../../src';
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
      { SLACK_BOT_TOKEN: 'xoxb-123', SLACK_SIGNING_SECRET: 'a-signing-secret', KEYLESS_POLICY_FILE: policy },
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
      expect.stringMatching(/broken\.yaml \(line 2, column 11\): Flow sequence/),
    ]);
  });

  it.each([
    // [the file, where the mistake is (1-based line and column, as an editor shows them)]
    ['an unclosed [ is shown where it opens, not where the parser gave up', 'a: 1\nb: [1\nc: 3\n', 2, 4],
    ['an unclosed { likewise', 'a: "ok"\nb: {c: 1\n', 2, 4],
    ['an unclosed quote likewise', 'x: 1\ny: "unterminated\nz: 2\n', 2, 4],
    ['a duplicate key on its own line', 'a: 1\na: 2\n', 2, 1],
    ['a tab used as indentation', 'a:\n\t- b\n', 2, 1],
  ])('places a YAML error at its line and column: %s', (_name, yaml, line, column) => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-config-'));
    writeFileSync(join(dir, 'p.yaml'), yaml);
    expect(problemsOf({ KEYLESS_POLICY_FILE: join(dir, 'p.yaml') })).toEqual([
      expect.stringContaining(`p.yaml (line ${line}, column ${column}): `),
    ]);
  });

  it.each(['15m', '1h30m', 'PT15M', '2h', '1d', ' 90m '])(
    'reads KEYLESS_RECONCILE_EVERY=%p with the one duration reader',
    (text) => {
      const config = loadConfig({ KEYLESS_RECONCILE_EVERY: text }, '/tmp');
      expect(config.reconcileEveryMs).toBe(parseSpan(text) * 1000);
    },
  );

  it('reads the forms a request and the policy file accept, to the same value', () => {
    expect(loadConfig({ KEYLESS_RECONCILE_EVERY: '1h30m' }, '/tmp').reconcileEveryMs).toBe(90 * 60_000);
    expect(loadConfig({ KEYLESS_RECONCILE_EVERY: 'PT15M' }, '/tmp').reconcileEveryMs).toBe(15 * 60_000);
    expect(loadConfig({}, '/tmp').reconcileEveryMs).toBe(15 * 60_000);
  });

  it.each([
    ['soon', /^KEYLESS_RECONCILE_EVERY: "soon" is not a duration; write 90m, 2h, 1h30m, 1d .* PT15M/],
    ['15', /^KEYLESS_RECONCILE_EVERY: "15" is not a duration/],
    ['0s', /^KEYLESS_RECONCILE_EVERY: "0s" is not a duration/],
    ['0m', /^KEYLESS_RECONCILE_EVERY: "0m" is out of range: it must be between 1m and 1d/],
    ['PT0S', /^KEYLESS_RECONCILE_EVERY: "PT0S" is out of range/],
    ['PT30S', /^KEYLESS_RECONCILE_EVERY: "PT30S" is out of range/],
    ['2d', /^KEYLESS_RECONCILE_EVERY: "2d" is out of range/],
    ['-5m', /^KEYLESS_RECONCILE_EVERY: "-5m" is not a duration/],
  ])('refuses KEYLESS_RECONCILE_EVERY=%p, naming the variable and the accepted forms', (text, message) => {
    expect(problemsOf({ KEYLESS_RECONCILE_EVERY: text })).toEqual([expect.stringMatching(message)]);
  });

  it('refuses the same text in the policy file as in the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-config-'));
    const base =
      'identityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-1111111111111111", identityStoreId: d-1234567890, region: eu-west-1 }\n';
    writeFileSync(join(dir, 'soon.yaml'), `${base}approvalWindow: soon\n`);
    writeFileSync(join(dir, 'mixed.yaml'), `${base}approvalWindow: 1h30m\nreminderBefore: PT15M\n`);
    expect(problemsOf({ KEYLESS_POLICY_FILE: join(dir, 'soon.yaml') })).toEqual([
      expect.stringMatching(/^policy approvalWindow: must be a duration between 1m and 30d: 90m, 2h, 1h30m, 1d/),
    ]);
    const policy = loadConfig({ KEYLESS_POLICY_FILE: join(dir, 'mixed.yaml') }, dir).policy;
    expect(policy.approvalWindowSeconds).toBe(5400);
    expect(policy.reminderBeforeSeconds).toBe(900);
  });

  it('refuses production without a policy file, and disabled auth outside local mode', () => {
    expect(problemsOf({ KEYLESS_MODE: 'production', KEYLESS_LOCAL_AUTH_DISABLED: 'true' })).toEqual([
      'KEYLESS_POLICY_FILE: production needs a policy file',
      'SLACK_BOT_TOKEN: production needs Slack (SLACK_BOT_TOKEN) or Teams (MICROSOFT_APP_ID) credentials',
      'KEYLESS_LOCAL_AUTH_DISABLED: authentication can be disabled in local mode only',
    ]);
  });
});
