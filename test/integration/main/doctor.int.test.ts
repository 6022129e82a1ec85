/**
 * `keyless doctor` end to end against the emulators the playground runs (the local AWS emulator with
 * the demo organization, dynalite with DynamoDB's TTL settings, the loopback Slack workspace and Teams
 * connector): all green on a healthy setup, then each fault injected alone turns
 * its own check red, with its fix, and leaves every other check green.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ensureTable, tableDefinition } from '../../../adapters/dynamodb';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { startEmbeddedDynamo } from '../../../adapters/local/embedded-dynamodb';
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../../adapters/local/slack-workspace';
import { startTeamsConnector, type TeamsConnector } from '../../../adapters/local/teams-connector';
import { loadConfig, PLAYGROUND_POLICY, type KeylessConfig } from '../../../adapters/main/config';
import {
  exitCode,
  renderJson,
  renderText,
  runDoctor,
  type Check,
  type DoctorReport,
} from '../../../adapters/main/doctor';
import { ErrorCodes, isKeylessError } from '../../../src';
import { localDynamoClient, uniqueTableName } from '../../support/dynamodb-client';
import { writePlaygroundPolicyWithoutOnCall } from '../../support/sample-policy';

const EXTERNAL_ID = 'keyless-doctor-test-external-id';
const APP_ID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const APP_PASSWORD = 'the-right-client-secret';
const TENANT = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';
const BOT_TOKEN = 'xoxb-doctor-test-token';
const EVENTBRIDGE_SECRET = 'a-long-random-eventbridge-shared-secret-0123456789';
const MANAGEMENT = '100000000001';
const ORG_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/organization-trail`;

describe('keyless doctor against the emulators', () => {
  let aws: RunningAwsEmulator;
  let dynamo: { url: string; stop: () => Promise<void> };
  let client: DynamoDBClient;
  let slack: RunningSlackWorkspace;
  let teams: TeamsConnector;
  let table: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    const seed = loadDemoSeed();
    // member-roles.yml: both roles in every account, trusting keyless only with the ExternalId.
    seed.roles = [
      { name: 'keyless-scanner', externalId: EXTERNAL_ID },
      { name: 'keyless-key-remediation', externalId: EXTERNAL_ID },
    ];
    [aws, dynamo, slack, teams] = await Promise.all([
      startAwsEmulator({ seed }),
      // The playground's dynalite, answering DynamoDB's TTL settings API.
      startEmbeddedDynamo({ ttlSettings: true }),
      startSlackWorkspace({ signingSecret: 'doctor-test-signing-secret', botToken: BOT_TOKEN }),
      startTeamsConnector({ apps: [{ appId: APP_ID, password: APP_PASSWORD, tenantId: TENANT }] }),
    ]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    client = localDynamoClient(dynamo.url);
    table = uniqueTableName('keyless-doctor');
    await ensureTable(client, table);
  }, 90_000);

  afterAll(async () => {
    client?.destroy();
    await Promise.all([aws?.stop(), dynamo?.stop(), slack?.stop(), teams?.stop()]);
    process.env = saved;
  });

  /** A production deployment on the emulators, as README's "Deploy to AWS" configures it. */
  function healthyConfig(): KeylessConfig {
    const config = loadConfig({
      KEYLESS_MODE: 'production',
      KEYLESS_POLICY_FILE: writePlaygroundPolicyWithoutOnCall(),
      KEYLESS_TABLE: table,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'doctor-test-signing-secret',
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: APP_PASSWORD,
      MICROSOFT_APP_TENANT_ID: TENANT,
      MICROSOFT_APP_TYPE: 'SingleTenant',
      KEYLESS_ROOT_EVENTS_QUEUE_URL: `${aws.url}/${MANAGEMENT}/keyless-root-events`,
      KEYLESS_ALERTS_EVENTBRIDGE_SECRET: EVENTBRIDGE_SECRET,
      KEYLESS_MEMBER_ROLE_EXTERNAL_ID: EXTERNAL_ID,
      KEYLESS_SLACK_TEAM_IDS: slack.state.team.id,
      KEYLESS_TEAMS_TENANT_IDS: TENANT,
    });
    return config;
  }

  const doctor = (config: KeylessConfig = healthyConfig()) =>
    runDoctor(config, { slackApiUrl: slack.apiUrl, teamsLoginUrl: teams.loginUrl(TENANT) });

  const byName = (report: DoctorReport, name: string): Check => {
    const check = report.checks.find((c) => c.name === name);
    if (!check) throw new Error(`no check "${name}" in:\n${renderText(report)}`);
    return check;
  };

  /** The named checks are not ok, each with a fix; every other check is ok. */
  function expectOnly(report: DoctorReport, status: 'warn' | 'fail', ...names: string[]): Check[] {
    const flagged = report.checks.filter((c) => c.status !== 'ok');
    expect(flagged.map((c) => `${c.name}: ${c.status}`).sort()).toEqual(names.map((n) => `${n}: ${status}`).sort());
    for (const c of flagged) expect(c.fix).toEqual(expect.any(String));
    expect(report.ok).toBe(status !== 'fail');
    return names.map((n) => byName(report, n));
  }

  const HEALTHY_CHECKS = [
    'configuration',
    'AWS identity',
    'Identity Center instance',
    'identity store',
    'governed groups',
    'permission sets',
    'session length',
    'DynamoDB table',
    'DynamoDB TTL',
    'root-activity queue',
    'EventBridge secret',
    'CloudTrail organization trail',
    'member-account roles',
    'CloudTrail activity',
    'Slack',
    'Slack scopes',
    'Slack approvals channel',
    'Slack security channel',
    'Slack workspace allow-list',
    'Teams credentials',
    'Teams tenant allow-list',
  ];

  it('is all green on a healthy deployment, and says what it saw', async () => {
    const report = await doctor();
    expect(report.checks.map((c) => c.name)).toEqual(HEALTHY_CHECKS);
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(report).toMatchObject({ ok: true, counts: { ok: HEALTHY_CHECKS.length, warn: 0, fail: 0 } });
    expect(exitCode(report)).toBe(0);
    expect(byName(report, 'member-account roles').detail).toBe(
      'keyless-scanner and keyless-key-remediation assumed in all 9 accounts with the configured ExternalId',
    );
    expect(byName(report, 'CloudTrail activity').detail).toBe(
      'keyless-scanner may cloudtrail:LookupEvents in all 9 accounts (us-east-1)',
    );
    expect(byName(report, 'CloudTrail organization trail').detail).toBe(
      `organization-trail (${ORG_TRAIL_ARN}): an organization trail, in all Regions, logging`,
    );
    expect(byName(report, 'Teams credentials').detail).toContain('got a Bot Framework token');
    expect(teams.tokensIssued.get(APP_ID)).toBeGreaterThan(0);
    expect(renderText(report)).toMatch(/All checks passed\.$/);
  });

  it('writes one JSON document for pipelines, with every check and no secret', async () => {
    const report = await doctor({ ...healthyConfig(), table: 'keyless-missing' });
    const text = renderJson(report);
    const parsed = JSON.parse(text) as DoctorReport;
    expect(parsed.ok).toBe(false);
    expect(exitCode(report)).toBe(1);
    expect(parsed.checks.find((c) => c.name === 'DynamoDB table')).toMatchObject({
      status: 'fail',
      detail: 'DynamoDB table keyless-missing does not exist.',
      fix: expect.stringContaining('npm run table -- create --table keyless-missing'),
    });
    for (const secret of [APP_PASSWORD, BOT_TOKEN, EVENTBRIDGE_SECRET, EXTERNAL_ID]) expect(text).not.toContain(secret);
  });

  it('fails the AWS identity when sts:GetCallerIdentity is refused', async () => {
    aws.faults.deny('GetCallerIdentity');
    try {
      const [check] = expectOnly(await doctor(), 'fail', 'AWS identity');
      expect(check?.detail).toContain('AccessDenied');
      expect(check?.fix).toContain('credentials');
    } finally {
      aws.faults.allow('GetCallerIdentity');
    }
  });

  it('fails a table with another key schema, naming the difference', async () => {
    const wrong = uniqueTableName('keyless-wrong');
    await client.send(
      new CreateTableCommand({
        TableName: wrong,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const [check] = expectOnly(await doctor({ ...healthyConfig(), table: wrong }), 'fail', 'DynamoDB table');
    expect(check?.detail).toContain('key schema is HASH id (S); keyless needs HASH pk (S), RANGE sk (S)');
    expect(check?.detail).toContain('global secondary index byStatusExpiry is missing');
    expect(check?.fix).toContain('KEYLESS_TABLE');
  });

  it('fails a table without TTL in production', async () => {
    const noTtl = uniqueTableName('keyless-nottl');
    await client.send(new CreateTableCommand(tableDefinition(noTtl)));
    const [check] = expectOnly(await doctor({ ...healthyConfig(), table: noTtl }), 'fail', 'DynamoDB TTL');
    expect(check?.detail).toContain('DISABLED');
    expect(check?.fix).toContain(`update-time-to-live --table-name ${noTtl}`);
  });

  it('fails a root-activity queue without a dead-letter queue, and one whose dead-letter queue is gone', async () => {
    aws.state.security.sqs.createQueue('root-events-without-dlq');
    const [none] = expectOnly(
      await doctor({
        ...healthyConfig(),
        alerts: { ...healthyConfig().alerts, queueUrl: `${aws.url}/${MANAGEMENT}/root-events-without-dlq` },
      }),
      'fail',
      'root-activity queue',
    );
    expect(none?.detail).toContain('has no dead-letter queue');
    expect(none?.fix).toContain('redrive policy');

    aws.state.security.sqs.createQueue('root-events-dlq-gone', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: `arn:aws:sqs:us-east-1:${MANAGEMENT}:deleted-dlq`,
        maxReceiveCount: 5,
      }),
    });
    const [gone] = expectOnly(
      await doctor({
        ...healthyConfig(),
        alerts: { ...healthyConfig().alerts, queueUrl: `${aws.url}/${MANAGEMENT}/root-events-dlq-gone` },
      }),
      'fail',
      'root-activity queue',
    );
    expect(gone?.detail).toContain('deleted-dlq does not exist');
  });

  it('only warns when the credentials it runs with may not read the queue (keyless’s own role may not)', async () => {
    aws.faults.deny('GetQueueAttributes');
    try {
      const [check] = expectOnly(await doctor(), 'warn', 'root-activity queue');
      expect(check?.detail).toContain('its dead-letter queue is not checked');
      expect(check?.fix).toContain('sqs:GetQueueAttributes');
    } finally {
      aws.faults.allow('GetQueueAttributes');
    }
  });

  it('fails a queue URL that names no queue', async () => {
    const [check] = expectOnly(
      await doctor({
        ...healthyConfig(),
        alerts: { ...healthyConfig().alerts, queueUrl: `${aws.url}/${MANAGEMENT}/no-such-queue` },
      }),
      'fail',
      'root-activity queue',
    );
    expect(check?.fix).toContain('KEYLESS_ROOT_EVENTS_QUEUE_URL');
  });

  it('fails a production deployment that receives no root activity (no queue, no EventBridge secret)', async () => {
    const config = healthyConfig();
    const { queueUrl: _queue, eventBridgeSecret: _secret, ...alerts } = config.alerts;
    const report = await doctor({ ...config, alerts });
    const [check] = expectOnly(report, 'fail', 'EventBridge secret');
    expect(check?.detail).toContain('receives no root activity');
    expect(check?.fix).toContain('KEYLESS_ALERTS_EVENTBRIDGE_SECRET');
    expect(report.checks.some((c) => c.name === 'root-activity queue')).toBe(false);
  });

  describe('the organization trail', () => {
    let saved: typeof aws.state.world.trails;
    beforeEach(() => {
      saved = aws.state.world.trails.map((t) => ({ ...t }));
    });
    afterEach(() => {
      aws.state.world.trails = saved;
    });
    const orgTrail = () => aws.state.world.trails.find((t) => t.name === 'organization-trail')!;

    it('fails when there is no trail at all', async () => {
      aws.state.world.trails = [];
      const [check] = expectOnly(await doctor(), 'fail', 'CloudTrail organization trail');
      expect(check?.detail).toContain('no CloudTrail trail');
      expect(check?.fix).toContain('--is-organization-trail --is-multi-region-trail');
      expect(check?.fix).toContain('start-logging');
    });

    it('fails when the only trail is not an organization trail', async () => {
      orgTrail().isOrganizationTrail = false;
      const [check] = expectOnly(await doctor(), 'fail', 'CloudTrail organization trail');
      expect(check?.detail).toContain(
        'organization-trail is not an organization trail (member accounts are not logged)',
      );
      expect(check?.fix).toContain('aws cloudtrail update-trail --name organization-trail --is-organization-trail');
    });

    it('fails when the organization trail logs in one Region only', async () => {
      orgTrail().isMultiRegionTrail = false;
      const [check] = expectOnly(await doctor(), 'fail', 'CloudTrail organization trail');
      expect(check?.detail).toContain('organization-trail is single-Region (us-east-1 only)');
      expect(check?.fix).toBe(
        'Make it log in all Regions: aws cloudtrail update-trail --name organization-trail --is-multi-region-trail.',
      );
    });

    it('fails when the organization trail does not log', async () => {
      orgTrail().logging = false;
      const [check] = expectOnly(await doctor(), 'fail', 'CloudTrail organization trail');
      expect(check?.detail).toContain('organization-trail is not logging');
      expect(check?.fix).toBe(`Start it: aws cloudtrail start-logging --name ${ORG_TRAIL_ARN}.`);
    });

    it('finds a multi-Region organization trail of another Region (a shadow trail), and not a single-Region one', async () => {
      orgTrail().homeRegion = 'eu-west-1';
      const report = await doctor();
      expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
      expect(byName(report, 'CloudTrail organization trail').detail).toContain(
        `arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/organization-trail`,
      );
      orgTrail().isMultiRegionTrail = false;
      const [check] = expectOnly(await doctor(), 'fail', 'CloudTrail organization trail');
      expect(check?.detail).toContain('no CloudTrail trail');
    });

    it('passes when one trail of several is the organization trail', async () => {
      aws.state.world.trails.unshift({
        ...orgTrail(),
        name: 'account-trail',
        isOrganizationTrail: false,
        isMultiRegionTrail: false,
      });
      const report = await doctor();
      expect(byName(report, 'CloudTrail organization trail')).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining('organization-trail'),
      });
    });

    it.each(['DescribeTrails', 'GetTrailStatus'])(
      'only warns, naming the permissions, when the credentials may not call %s (keyless’s own role may not)',
      async (operation) => {
        aws.faults.deny(operation);
        try {
          const [check] = expectOnly(await doctor(), 'warn', 'CloudTrail organization trail');
          expect(check?.detail).toContain(`may not call cloudtrail:${operation} (AccessDeniedException)`);
          expect(check?.fix).toContain('cloudtrail:DescribeTrails and cloudtrail:GetTrailStatus');
          expect(check?.fix).toContain('manifest/aws/iam-policy.json does not grant them');
        } finally {
          aws.faults.allow(operation);
        }
      },
    );
  });

  it('fails the member-account roles when keyless sends a wrong ExternalId, or none', async () => {
    const config = healthyConfig();
    const [wrong] = expectOnly(
      await doctor({ ...config, alerts: { ...config.alerts, externalId: 'not-the-external-id' } }),
      'fail',
      'member-account roles',
    );
    expect(wrong?.detail).toContain('was refused for 18 of 18');
    expect(wrong?.detail).toContain('keyless-scanner in prod (111111111111)');
    expect(wrong?.fix).toContain('member-roles.yml');

    const [missing] = expectOnly(
      await doctor({ ...config, alerts: { ...config.alerts, externalId: '' } }),
      'fail',
      'member-account roles',
    );
    expect(missing?.detail).toContain('NO ExternalId');
    expect(missing?.fix).toContain('set it: keyless sends none');
  });

  it('fails the activity check when the audit role may not read CloudTrail, and says how to fix it or switch it off', async () => {
    aws.faults.deny('LookupEvents');
    try {
      const [check] = expectOnly(await doctor(), 'fail', 'CloudTrail activity');
      expect(check?.detail).toContain('cloudtrail:LookupEvents through keyless-scanner was refused in 9 of 9 accounts');
      expect(check?.detail).toContain('prod (111111111111) us-east-1: AccessDeniedException');
      expect(check?.fix).toContain('member-roles.yml');
      expect(check?.fix).toContain('KEYLESS_ACTIVITY=off');
    } finally {
      aws.faults.allow('LookupEvents');
    }
    // Switched off, nothing is looked up and the check says so.
    aws.faults.deny('LookupEvents');
    try {
      const config = healthyConfig();
      const report = await doctor({ ...config, activity: { ...config.activity, enabled: false } });
      expect(byName(report, 'CloudTrail activity')).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining('off'),
      });
      expect(report.ok).toBe(true);
    } finally {
      aws.faults.allow('LookupEvents');
    }
  });

  it('names the accounts where a member role is not deployed', async () => {
    const roles = aws.state.world.roles;
    aws.state.world.roles = [
      { name: 'keyless-scanner', externalId: EXTERNAL_ID, accounts: ['100000000001', '111111111111'] },
      { name: 'keyless-key-remediation', externalId: EXTERNAL_ID },
    ];
    try {
      const [check] = expectOnly(await doctor(), 'fail', 'member-account roles');
      expect(check?.detail).toContain('was refused for 7 of 18');
      expect(check?.detail).toContain('keyless-scanner in sandbox (222222222222)');
      expect(check?.detail).not.toContain('(111111111111)');
    } finally {
      aws.state.world.roles = roles;
    }
  });

  it('fails the Slack scopes when one the code needs was not granted', async () => {
    const granted = slack.state.scopes;
    slack.state.scopes = granted.filter((s) => s !== 'users:read.email');
    try {
      const [check] = expectOnly(await doctor(), 'fail', 'Slack scopes');
      expect(check?.detail).toBe('missing users:read.email');
      expect(check?.fix).toContain('reinstall');
    } finally {
      slack.state.scopes = granted;
    }
  });

  it('fails a Slack channel the bot was not invited to, public or private', async () => {
    const security = slack.state.channel('C0SECURITY');
    security.botMember = false;
    try {
      const [check] = expectOnly(await doctor(), 'fail', 'Slack security channel');
      expect(check?.detail).toContain('the bot is not a member');
      expect(check?.fix).toContain('/invite @keyless');
      security.isPrivate = true;
      const [hidden] = expectOnly(await doctor(), 'fail', 'Slack security channel');
      expect(hidden?.detail).toContain('not found, or a private channel the bot is not in');
    } finally {
      security.botMember = true;
      security.isPrivate = false;
    }
  });

  it('fails the channel check, naming the scope, when the token may not read channels', async () => {
    const granted = slack.state.scopes;
    slack.state.scopes = granted.filter((s) => s !== 'channels:read');
    try {
      const report = await doctor();
      const channels = report.checks.filter((c) => c.name.endsWith(' channel'));
      expect(channels.map((c) => [c.status, c.detail])).toEqual([
        ['fail', 'C0APPROVALS: cannot be checked without the channels:read scope'],
        ['fail', 'C0SECURITY: cannot be checked without the channels:read scope'],
      ]);
      expect(byName(report, 'Slack scopes')).toMatchObject({ status: 'fail', detail: 'missing channels:read' });
    } finally {
      slack.state.scopes = granted;
    }
  });

  it('fails a Slack bot token the workspace does not know', async () => {
    const config = healthyConfig();
    const report = await doctor({ ...config, slack: { ...config.slack!, botToken: 'xoxb-revoked' } });
    const [check] = expectOnly(report, 'fail', 'Slack');
    expect(check?.detail).toBe('auth.test answered invalid_auth');
  });

  it('fails the Slack allow-list when missing, malformed, or without the bot’s own workspace', async () => {
    const config = healthyConfig();
    const run = (allowedTeamIds: string[]) => doctor({ ...config, slack: { ...config.slack!, allowedTeamIds } });
    const [missing] = expectOnly(await run([]), 'fail', 'Slack workspace allow-list');
    expect(missing?.fix).toBe(`Set KEYLESS_SLACK_TEAM_IDS=${slack.state.team.id} (the team_id of auth.test).`);
    const [malformed] = expectOnly(await run(['acme.slack.com']), 'fail', 'Slack workspace allow-list');
    expect(malformed?.detail).toBe('not Slack team ids: "acme.slack.com"');
    const [other] = expectOnly(await run(['T0OTHER']), 'fail', 'Slack workspace allow-list');
    expect(other?.detail).toContain(`the bot's own workspace ${slack.state.team.id} is not in KEYLESS_SLACK_TEAM_IDS`);
  });

  it('fails the Teams credentials with Entra’s answer to a wrong client secret', async () => {
    const config = healthyConfig();
    const [check] = expectOnly(
      await doctor({ ...config, teams: { ...config.teams!, appPassword: 'an-expired-secret' } }),
      'fail',
      'Teams credentials',
    );
    expect(check?.detail).toContain('AADSTS7000215: Invalid client secret provided.');
    expect(check?.detail).not.toContain('an-expired-secret');
    expect(check?.fix).toContain('create a new secret');
  });

  it('fails the Teams credentials of an app asked from the wrong tenant (the authority from config.teams.loginUrl)', async () => {
    const config = healthyConfig();
    const report = await runDoctor(
      { ...config, teams: { ...config.teams!, loginUrl: teams.loginUrl('botframework.com') } },
      { slackApiUrl: slack.apiUrl },
    );
    const [check] = expectOnly(report, 'fail', 'Teams credentials');
    expect(check?.detail).toContain(`at ${teams.url}/botframework.com was refused: AADSTS700016`);
    expect(check?.fix).toContain('MICROSOFT_APP_TENANT_ID');
  });

  it('fails the Teams tenant allow-list when missing, malformed, or without the bot’s tenant', async () => {
    const config = healthyConfig();
    const run = (allowedTenantIds: string[]) => doctor({ ...config, teams: { ...config.teams!, allowedTenantIds } });
    const [missing] = expectOnly(await run([]), 'fail', 'Teams tenant allow-list');
    expect(missing?.fix).toBe(
      `Set KEYLESS_TEAMS_TENANT_IDS=${TENANT} (Azure portal → Microsoft Entra ID → Overview → Tenant ID).`,
    );
    const [malformed] = expectOnly(await run(['contoso.onmicrosoft.com']), 'fail', 'Teams tenant allow-list');
    expect(malformed?.detail).toBe('not tenant ids (GUIDs): "contoso.onmicrosoft.com"');
    const [other] = expectOnly(await run(['11111111-2222-4333-8444-555555555555']), 'fail', 'Teams tenant allow-list');
    expect(other?.detail).toContain(`the bot's own tenant ${TENANT} is not in KEYLESS_TEAMS_TENANT_IDS`);
  });

  it('warns when a permission set’s session outlasts the longest grant the policy allows for it', async () => {
    const readOnly = aws.state.world.permissionSetByName('ReadOnlyAccess')!;
    const before = readOnly.sessionDuration;
    readOnly.sessionDuration = 'PT12H';
    try {
      const [check] = expectOnly(await doctor(), 'warn', 'session length');
      expect(check?.detail).toContain('ReadOnlyAccess sessions last 12h, the longest grant 8h');
      expect(check?.detail).toContain('sessions outlive grants');
    } finally {
      readOnly.sessionDuration = before;
    }
  });

  it('fails the Identity Center instance when its permission sets cannot be listed', async () => {
    aws.faults.deny('ListPermissionSets');
    try {
      const report = await doctor();
      const [check] = expectOnly(report, 'fail', 'Identity Center instance');
      expect(check?.fix).toContain('instanceArn');
      // What depends on the permission sets is not guessed at.
      expect(report.checks.some((c) => c.name === 'session length')).toBe(false);
    } finally {
      aws.faults.allow('ListPermissionSets');
    }
  });
});

describe('the emulator’s STS and member-account trust', () => {
  let aws: RunningAwsEmulator;
  let sts: STSClient;

  beforeAll(async () => {
    const seed = loadDemoSeed();
    seed.roles = [{ name: 'keyless-scanner', externalId: EXTERNAL_ID, accounts: ['111111111111'] }];
    aws = await startAwsEmulator({ seed });
    sts = new STSClient({
      endpoint: aws.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    sts?.destroy();
    await aws?.stop();
  });

  const assume = (roleArn: string, externalId?: string) =>
    sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'test',
        ...(externalId ? { ExternalId: externalId } : {}),
      }),
    );

  it('assumes a role only with the ExternalId of its trust policy, answering AccessDenied as AWS does', async () => {
    const role = 'arn:aws:iam::111111111111:role/keyless-scanner';
    await expect(assume(role, EXTERNAL_ID)).resolves.toMatchObject({ Credentials: expect.any(Object) });
    for (const externalId of [undefined, 'wrong-external-id']) {
      await expect(assume(role, externalId)).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
        message: `User: arn:aws:sts::100000000001:assumed-role/keyless/keyless-bot is not authorized to perform: sts:AssumeRole on resource: ${role}`,
      });
    }
  });

  it('refuses a role that is not deployed in the account, or not at all, alike', async () => {
    for (const role of ['arn:aws:iam::222222222222:role/keyless-scanner', 'arn:aws:iam::111111111111:role/other']) {
      await expect(assume(role, EXTERNAL_ID)).rejects.toMatchObject({ name: 'AccessDenied' });
    }
  });
});

describe('MICROSOFT_APP_TYPE=UserAssignedMSI', () => {
  it('is refused by the configuration, saying why and what to use instead', () => {
    let error: unknown;
    try {
      loadConfig({
        MICROSOFT_APP_ID: APP_ID,
        MICROSOFT_APP_TYPE: 'UserAssignedMSI',
        KEYLESS_POLICY_FILE: PLAYGROUND_POLICY,
      });
    } catch (e) {
      error = e;
    }
    expect(isKeylessError(error) && error.code).toBe(ErrorCodes.ConfigInvalid);
    expect((error as Error).message).toContain(
      'MICROSOFT_APP_TYPE: UserAssignedMSI is not supported: keyless signs in to the Bot Framework with a client secret',
    );
    expect((error as Error).message).toContain('register the bot as SingleTenant with a client secret');
  });
});
