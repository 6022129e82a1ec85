import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, isKeylessError, parseSpan } from '../../../../src';
import {
  DEMO_EXTERNAL_ID_ISSUER,
  LOCAL_SLACK_TEAM_ID,
  LOCAL_TEAMS_TENANT_ID,
  loadConfig,
  PLAYGROUND_POLICY,
} from '../../../../adapters/main/config';

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
        KEYLESS_SLACK_TEAM_IDS: 'T0123ABCD',
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

  it('reads KEYLESS_AUDITORS as emails and Slack user groups, and names a malformed group', () => {
    const config = loadConfig(
      { KEYLESS_AUDITORS: 'Olga@Example.com, subteam:S0123ABC ,@Security-Auditors,sam@example.com' },
      '/tmp',
    );
    expect(config.audit.auditors).toEqual(['olga@example.com', 'sam@example.com']);
    expect(config.audit.auditorGroups).toEqual(['subteam:S0123ABC', '@Security-Auditors']);
    expect(loadConfig({ KEYLESS_AUDITORS: 'olga@example.com' }, '/tmp').audit.auditorGroups).toBeUndefined();
    const problems = problemsOf({ KEYLESS_AUDITORS: 'olga@example.com,subteam:s-lower,@' });
    expect(problems.join('\n')).toContain('"subteam:s-lower" is not a Slack user group');
    expect(problems.join('\n')).toContain('"@" is not a Slack user group');
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
      'MICROSOFT_APP_TENANT_ID: a SingleTenant bot needs MICROSOFT_APP_TENANT_ID',
      expect.stringMatching(/^KEYLESS_SLACK_TEAM_IDS: production with Slack needs/),
      expect.stringMatching(/^KEYLESS_TEAMS_TENANT_IDS: production with Teams needs/),
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

  describe('activity timing (KEYLESS_ACTIVITY, KEYLESS_ACTIVITY_FIRST_AFTER, KEYLESS_ACTIVITY_FINAL_AFTER)', () => {
    it('looks up activity 5 and 20 minutes after a grant ends unless told otherwise', () => {
      expect(loadConfig({}, '/tmp').activity).toEqual({
        enabled: true,
        firstAfterMs: 5 * 60_000,
        finalAfterMs: 20 * 60_000,
      });
    });

    it('reads the delays with the one duration reader, and the off switch', () => {
      expect(
        loadConfig({ KEYLESS_ACTIVITY_FIRST_AFTER: '10m', KEYLESS_ACTIVITY_FINAL_AFTER: 'PT1H' }, '/tmp').activity,
      ).toEqual({ enabled: true, firstAfterMs: 10 * 60_000, finalAfterMs: 3_600_000 });
      expect(loadConfig({ KEYLESS_ACTIVITY: 'off' }, '/tmp').activity.enabled).toBe(false);
      expect(loadConfig({ KEYLESS_ACTIVITY: 'on' }, '/tmp').activity.enabled).toBe(true);
    });

    it.each([
      [{ KEYLESS_ACTIVITY: 'no' }, /^KEYLESS_ACTIVITY: .*"on".*"off"/],
      [{ KEYLESS_ACTIVITY_FIRST_AFTER: 'soon' }, /^KEYLESS_ACTIVITY_FIRST_AFTER: "soon" is not a duration; write 90m/],
      [
        { KEYLESS_ACTIVITY_FIRST_AFTER: 'PT30S' },
        /^KEYLESS_ACTIVITY_FIRST_AFTER: "PT30S" is out of range: it must be between 1m and 6h/,
      ],
      [
        { KEYLESS_ACTIVITY_FINAL_AFTER: '2d' },
        /^KEYLESS_ACTIVITY_FINAL_AFTER: "2d" is out of range: it must be between 2m and 1d/,
      ],
      [
        { KEYLESS_ACTIVITY_FIRST_AFTER: '30m' },
        /^KEYLESS_ACTIVITY_FINAL_AFTER: the final activity lookup \(20m after a grant ends\) must come after the early one \(KEYLESS_ACTIVITY_FIRST_AFTER, 30m\)$/,
      ],
      [
        { KEYLESS_ACTIVITY_FIRST_AFTER: '15m', KEYLESS_ACTIVITY_FINAL_AFTER: '15m' },
        /^KEYLESS_ACTIVITY_FINAL_AFTER: the final activity lookup \(15m after a grant ends\) must come after/,
      ],
    ])('refuses %p, naming the variable and what it accepts', (env, message) => {
      expect(problemsOf(env)).toEqual([expect.stringMatching(message)]);
    });
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
      'KEYLESS_POLICY: production needs a policy (a file path, ssm:/name or s3://bucket/key)',
      'KEYLESS_MEMBER_ROLE_EXTERNAL_ID: production needs the ExternalId the member-account roles require (member-roles.yml)',
      'SLACK_BOT_TOKEN: production needs Slack (SLACK_BOT_TOKEN) or Teams (MICROSOFT_APP_ID) credentials',
      'KEYLESS_LOCAL_AUTH_DISABLED: authentication can be disabled in local mode only',
    ]);
  });

  describe('who is served', () => {
    const policyFile = () => {
      const dir = mkdtempSync(join(tmpdir(), 'keyless-config-'));
      const file = join(dir, 'keyless.yaml');
      writeFileSync(
        file,
        'identityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-1111111111111111", identityStoreId: d-1234567890, region: eu-west-1 }\n',
      );
      return file;
    };
    const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const APP_ID = 'b2c1a7e4-5f3d-4c8a-9e21-6d0f1a2b3c4d';
    const slackEnv = {
      SLACK_BOT_TOKEN: 'xoxb-123',
      SLACK_SIGNING_SECRET: 'a-signing-secret',
      KEYLESS_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
    };
    const teamsEnv = {
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'secret',
      MICROSOFT_APP_TENANT_ID: TENANT,
      KEYLESS_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
    };

    it('requires the Slack workspace list and the Teams tenant list outside local mode, reporting both at once', () => {
      expect(problemsOf({ ...slackEnv, ...teamsEnv, KEYLESS_POLICY_FILE: policyFile() })).toEqual([
        'KEYLESS_SLACK_TEAM_IDS: production with Slack needs the Slack team ids (T…) and/or Enterprise Grid ids (E…) keyless serves',
        'KEYLESS_TEAMS_TENANT_IDS: production with Teams needs the Entra ID tenant ids keyless serves',
      ]);
    });

    it('reads the lists trimmed and without duplicates, team (T…) and enterprise (E…) ids alike', () => {
      const config = loadConfig({
        ...slackEnv,
        ...teamsEnv,
        KEYLESS_POLICY_FILE: policyFile(),
        KEYLESS_SLACK_TEAM_IDS: ' T0123ABCD, E0GRID42 ,T0123ABCD,',
        KEYLESS_TEAMS_TENANT_IDS: `${TENANT}`,
      });
      expect(config.slack?.allowedTeamIds).toEqual(['T0123ABCD', 'E0GRID42']);
      expect(config.teams?.allowedTenantIds).toEqual([TENANT]);
    });

    it('names every id that is not a Slack team/enterprise id or a tenant GUID', () => {
      const problems = problemsOf({
        ...slackEnv,
        ...teamsEnv,
        KEYLESS_POLICY_FILE: policyFile(),
        KEYLESS_SLACK_TEAM_IDS: 'T0123ABCD,U0PERSON,acme',
        KEYLESS_TEAMS_TENANT_IDS: 'contoso.onmicrosoft.com',
      });
      expect(problems).toEqual([
        expect.stringMatching(/^KEYLESS_SLACK_TEAM_IDS: "U0PERSON" is not a Slack team id/),
        expect.stringMatching(/^KEYLESS_SLACK_TEAM_IDS: "acme" is not a Slack team id/),
        expect.stringMatching(/^KEYLESS_TEAMS_TENANT_IDS: "contoso.onmicrosoft.com" is not an Entra ID tenant id/),
      ]);
      expect(problemsOf({ ...slackEnv, KEYLESS_POLICY_FILE: policyFile(), KEYLESS_SLACK_TEAM_IDS: ' , ' })).toEqual([
        expect.stringMatching(/^KEYLESS_SLACK_TEAM_IDS: must list at least one/),
      ]);
    });

    it('makes the Teams bot SingleTenant by default, which needs its home tenant', () => {
      const withoutTenant = { ...teamsEnv, MICROSOFT_APP_TENANT_ID: undefined, KEYLESS_TEAMS_TENANT_IDS: TENANT };
      expect(problemsOf({ ...withoutTenant, KEYLESS_POLICY_FILE: policyFile() })).toEqual([
        'MICROSOFT_APP_TENANT_ID: a SingleTenant bot needs MICROSOFT_APP_TENANT_ID',
      ]);
      const config = loadConfig({ ...teamsEnv, KEYLESS_TEAMS_TENANT_IDS: TENANT, KEYLESS_POLICY_FILE: policyFile() });
      expect(config.teams).toMatchObject({ appType: 'SingleTenant', tenantId: TENANT, allowedTenantIds: [TENANT] });
      // MultiTenant stays possible, explicitly.
      expect(
        problemsOf({
          ...withoutTenant,
          MICROSOFT_APP_TYPE: 'MultiTenant',
          KEYLESS_POLICY_FILE: policyFile(),
        }),
      ).toEqual([]);
    });

    it('serves the loopback workspace and tenant in local mode, with the demo SCIM issuer', () => {
      const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-123', SLACK_APP_TOKEN: 'xapp-1-abc', KEYLESS_MODE: 'local' });
      expect(config.slack?.allowedTeamIds).toEqual([LOCAL_SLACK_TEAM_ID]);
      expect(config.teams?.allowedTenantIds).toEqual([LOCAL_TEAMS_TENANT_ID]);
      expect(config.aws.externalIdIssuer).toBe(DEMO_EXTERNAL_ID_ISSUER);
    });

    it('looks people up by external id in production only when the issuer is set', () => {
      const base = { ...slackEnv, KEYLESS_SLACK_TEAM_IDS: 'T0123ABCD', KEYLESS_POLICY_FILE: policyFile() };
      expect(loadConfig(base).aws.externalIdIssuer).toBeUndefined();
      expect(
        loadConfig({ ...base, KEYLESS_IDENTITY_EXTERNAL_ID_ISSUER: 'https://scim.aws.com/abc' }).aws.externalIdIssuer,
      ).toBe('https://scim.aws.com/abc');
    });
  });
});

describe('local mode defaults', () => {
  it('serve exactly the loopback workspace, tenant and demo issuer (written in config, which loads no local code)', async () => {
    const workspace = await import('../../../../adapters/local/slack-workspace/workspace');
    const connector = await import('../../../../adapters/local/teams-connector/world');
    const seed = await import('../../../../adapters/local/aws-emulator/seed');
    expect(LOCAL_SLACK_TEAM_ID).toBe(workspace.LOCAL_SLACK_TEAM_ID);
    expect(LOCAL_TEAMS_TENANT_ID).toBe(connector.LOCAL_TEAMS_TENANT_ID);
    expect(DEMO_EXTERNAL_ID_ISSUER).toBe(seed.DEMO_EXTERNAL_ID_ISSUER);
  });
});
