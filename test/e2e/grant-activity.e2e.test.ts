import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsActivityTrail } from '../../adapters/aws/cloudtrail';
import { portalRoleCredentials, type SessionCredentials } from '../../adapters/aws/organizations';
import { AwsSts } from '../../adapters/aws/sts/sts';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../adapters/local/aws-emulator';
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../adapters/local/slack-workspace';
import { LOCAL_TEAMS_TENANT_ID, TeamsConnector } from '../../adapters/local/teams-connector';
import { writeAuditExport } from '../../adapters/main/audit-command';
import { FanOutNotifier } from '../../adapters/main/fan-out-notifier';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack';
import { Actions } from '../../adapters/slack/ids';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams';
import { grantActivitySource, silentLogger, type Engine, type Grant, type RequestId } from '../../src';
import { FAST_EMULATOR_TIMING, localIdentityCenter } from '../../bench/support/local-stack';
import { demoPolicy, demoPolicyInput } from '../builders/policy';
import { testEngine } from '../builders/test-engine';
import { ManualClock } from '../fakes/manual-clock';
import { startDynalite } from '../support/dynalite';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { botPosts, cardOf, lastBotPost, textOf } from '../support/teams-cards';
import { APPROVALS, teamsPeople, TEAM_ID } from '../support/teams-harness';

/**
 * What a grant did, end to end (issue 18): one keyless serving Slack and Teams over HTTP, on DynamoDB
 * (dynalite) and the AWS emulator through the real adapters. A grant is approved, its holder takes an
 * access-portal session and makes calls with it (reads, writes, a failed delete), ends the grant with
 * End now; five minutes later the early summary, read from the emulator's CloudTrail through the audit
 * role, is posted and shown with the write actions on both platforms; fifteen minutes after that the
 * final one replaces it in place.
 */
const SIGNING_SECRET = 'loopback-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-loopback-token';
const SLACK_APPROVALS = 'C0APPROVALS';
const RITA_TEAMS_DM = 'a:1on1-aad-rita';
const ANN_SLACK_DM = 'D0ANN';
const PROD = '111111111111';
const MINUTE = 60_000;
const FIRST_AFTER = 5 * MINUTE;
const FINAL_AFTER = 20 * MINUTE;

const policy = demoPolicy({
  rules: [
    {
      name: 'prod-readonly',
      accounts: [PROD],
      permissionSets: ['ReadOnlyAccess'],
      requesters: { groups: ['engineers'] },
      approvers: { groups: ['sre-leads'], count: 1 },
      maxDuration: '4h',
    },
    ...(demoPolicyInput().rules ?? []),
  ],
});

const render = (m: { text?: string; blocks?: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;

describe('what a grant did: its CloudTrail activity in Slack and Teams', () => {
  const stops: (() => Promise<void> | void)[] = [];
  let engine: Engine;
  let clock: ManualClock;
  let aws: RunningAwsEmulator;
  let workspace: RunningSlackWorkspace;
  let teams: TeamsAdapter;
  let slack: SlackAdapter;
  let connector: TeamsConnector;
  let store: DynamoGrantStore;

  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await engine.idle();
      await teams.idle();
      await slack.idle();
    }
  };

  beforeAll(async () => {
    const dynalite = await startDynalite();
    aws = await startAwsEmulator({ seed: loadDemoSeed(), port: 0, faults: { provisioningDelayMs: 20 } });
    const dynamo = localDynamoClient(dynalite.endpoint);
    const tableName = uniqueTableName('keyless-activity-e2e');
    await ensureTable(dynamo, tableName, silentLogger);
    store = new DynamoGrantStore({ client: dynamo, tableName });
    const { identity, destroy } = localIdentityCenter(aws.url, {
      ...FAST_EMULATOR_TIMING,
      pace: { tps: 1000, organizationsTps: 1000 },
    });
    const awsClient = {
      endpoint: aws.url,
      credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' },
      maxAttempts: 1,
    };
    const sts = new STSClient({ ...awsClient, region: 'us-east-1' });
    const trail = new AwsActivityTrail(new AwsSts(sts), {
      auditRoleName: 'keyless-scanner',
      externalId: 'keyless-playground',
      regions: ['us-east-1', 'eu-west-1'],
      client: { endpoint: aws.url, maxAttempts: 1 },
    });
    stops.push(async () => {
      trail.destroy();
      sts.destroy();
      destroy();
      dynamo.destroy();
      await aws.stop();
      await dynalite.stop();
    });

    // The emulator stamps sessions and events with real time: the engine's clock starts there.
    clock = new ManualClock(Date.now());
    const fanOut = new FanOutNotifier([], silentLogger);
    ({ engine } = testEngine({
      store,
      identity,
      clock,
      policy,
      notifier: fanOut,
      activity: trail,
      options: { replicaId: 'replica-e2e', activity: { firstAfterMs: FIRST_AFTER, finalAfterMs: FINAL_AFTER } },
    }));

    workspace = await startSlackWorkspace({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN });
    slack = createSlackAdapter({
      engine,
      refs: store,
      store,
      logger: silentLogger,
      config: {
        signingSecret: SIGNING_SECRET,
        botToken: BOT_TOKEN,
        apiUrl: workspace.apiUrl,
        allowedTeamIds: [workspace.state.team.id],
        approvalsChannel: SLACK_APPROVALS,
        pacing: { tiers: { 2: 60_000, 3: 60_000, 4: 60_000 }, perChannelPerSecond: 1000, perChannelBurst: 1000 },
      },
    });
    teams = createTeamsAdapter({
      engine,
      refs: store,
      conversations: store,
      idempotency: store,
      logger: silentLogger,
      config: { local: true, allowedTenantIds: [LOCAL_TEAMS_TENANT_ID], approvalsConversationId: APPROVALS },
      pacing: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    fanOut.add(slack.notifier);
    fanOut.add(teams.notifier);

    const server: Server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      const route = path === '/slack/events' ? slack.handle : path === '/api/messages' ? teams.handle : undefined;
      if (!route) return void res.writeHead(404).end();
      route(req, res).catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    workspace.client.botUrl = `${url}/slack/events`;
    await slack.start();

    connector = new TeamsConnector({ botUrl: `${url}/api/messages` });
    await connector.start();
    for (const p of Object.values(teamsPeople)) connector.world.addUser(p);
    connector.world.addConversation({
      id: APPROVALS,
      conversationType: 'channel',
      teamId: TEAM_ID,
      members: Object.values(teamsPeople).map((p) => p.aadObjectId),
    });
    stops.unshift(async () => {
      await engine.stop();
      await teams.stop();
      await slack.stop();
      await connector.stop();
      await workspace.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  /** `aws sso login` as `user`, then the portal's GetRoleCredentials: a session of the grant's role. */
  async function portalSession(user: string): Promise<SessionCredentials> {
    const login = await fetch(`${aws.url}/_emulator/sso/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    return portalRoleCredentials({ endpoint: aws.url, accessToken, accountId: PROD, roleName: 'ReadOnlyAccess' });
  }

  /** Calls made with the session: two reads, a key created and deleted, and a delete that fails. */
  async function workWith(session: SessionCredentials): Promise<void> {
    const iam = new IAMClient({
      endpoint: aws.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: session.accessKeyId,
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
      },
    });
    try {
      await iam.send(new ListAccessKeysCommand({ UserName: 'dana' }));
      await iam.send(new ListAccessKeysCommand({ UserName: 'legacy-backup' }));
      const made = await iam.send(new CreateAccessKeyCommand({ UserName: 'dana' }));
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'dana', AccessKeyId: made.AccessKey!.AccessKeyId! }));
      await expect(
        iam.send(new DeleteAccessKeyCommand({ UserName: 'dana', AccessKeyId: 'AKIANOSUCHKEY0000000' })),
      ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    } finally {
      iam.destroy();
    }
  }

  async function grantOf(requestId: RequestId): Promise<Grant> {
    const grantId = (await engine.getRequest(requestId))!.grantId!;
    return (await engine.getGrant(grantId))!;
  }

  /** Moves the engine's clock to `ms` and runs the sweep that takes the due lookups. */
  async function at(ms: number): Promise<void> {
    clock.set(ms);
    await engine.sweep();
    await settle();
  }

  test('asked in Teams or Slack, ended with End now: the summary with its writes on both platforms, then the final one in place', async () => {
    await connector.install('aad-rita');
    await connector.install('aad-carl', APPROVALS);
    await connector.say('aad-rita', 'request prod ReadOnlyAccess 1h INC-9 read the queue settings');
    await settle();
    const slackPost = workspace.state.channelMessages(SLACK_APPROVALS).at(-1)!;
    const teamsCard = lastBotPost(connector, APPROVALS);
    const requestId = /request `([^`]+)`/.exec(render(slackPost))![1] as RequestId;
    await workspace.client.clickInMessage('U0ANN', SLACK_APPROVALS, slackPost.ts, Actions.approve);
    await settle();
    expect((await grantOf(requestId)).status).toBe('active');

    await workWith(await portalSession('rita'));

    // End now from her Teams card.
    clock.set(Math.max(clock.now(), Date.now()));
    const active = botPosts(connector, RITA_TEAMS_DM).find((a) => textOf(cardOf(a)).includes('End now'))!;
    await connector.click('aad-rita', active.id, 'End now');
    await settle();
    const ended = await grantOf(requestId);
    expect(ended.status).toBe('revoked');
    expect(ended.activity).toEqual({ step: 0, dueAt: ended.endedAt! + FIRST_AFTER });

    // Meanwhile Ann asks in Slack (Bob approves there), works in the same account and ends it with End now.
    await workspace.client.command('U0ANN', 'request prod ReadOnlyAccess 30m INC-10 look at the alarms');
    await settle();
    const annPost = workspace.state.channelMessages(SLACK_APPROVALS).at(-1)!;
    const annRequest = /request `([^`]+)`/.exec(render(annPost))![1] as RequestId;
    await workspace.client.clickInMessage('U0BOB', SLACK_APPROVALS, annPost.ts, Actions.approve);
    await settle();
    const annIam = await portalSession('ann');
    await workWith(annIam);
    clock.set(Math.max(clock.now(), Date.now()));
    const annActive = workspace.state.channelMessages(ANN_SLACK_DM).find((m) => render(m).includes(Actions.revoke))!;
    await workspace.client.clickInMessage('U0ANN', ANN_SLACK_DM, annActive.ts, Actions.revoke);
    await settle();
    expect((await grantOf(annRequest)).status).toBe('revoked');

    // Not yet due: nothing is looked up.
    await at(ended.endedAt! + FIRST_AFTER - 1);
    expect((await grantOf(requestId)).activity?.step).toBe(0);

    // Due: the early summary, stored with the grant.
    await at(ended.endedAt! + FIRST_AFTER);
    const early = await grantOf(requestId);
    expect(early.activity?.step).toBe(1);
    expect(early.activity?.dueAt).toBe(ended.endedAt! + FINAL_AFTER);
    const summary = early.activity!.summary!;
    expect(summary).toMatchObject({ calls: 5, reads: 2, writes: 3, errors: 1, final: false });
    expect(summary.writeActions.map((g) => [g.action, g.count, g.failed])).toEqual([
      ['iam:DeleteAccessKey', 2, 1],
      ['iam:CreateAccessKey', 1, 0],
    ]);
    expect(summary.consoleUrl).toContain('Username=rita');

    // Teams: Rita's 1:1 chat and the approvals card.
    const dmCard = textOf(cardOf(lastBotPost(connector, RITA_TEAMS_DM)));
    expect(dmCard).toContain('What your access did');
    expect(dmCard).toContain('2 read calls, 3 writes, 1 error');
    expect(dmCard).toContain('iam:DeleteAccessKey ×2 (1 failed) — destructive');
    expect(dmCard).toContain('iam:CreateAccessKey');
    expect(dmCard).toContain('Action.OpenUrl');
    const approvalCard = textOf(cardOf(connector.world.findActivity(teamsCard.id)));
    expect(approvalCard).toContain('(early summary)');
    expect(approvalCard).toContain('iam:DeleteAccessKey');

    // Slack: the approval message in place, and a reply in its thread.
    const slackNow = render(workspace.state.channelMessages(SLACK_APPROVALS).find((m) => m.ts === slackPost.ts));
    expect(slackNow).toContain('(early summary)');
    expect(slackNow).toContain('iam:DeleteAccessKey ×2 (1 failed)');
    const replies = workspace.state.channelMessages(SLACK_APPROVALS).filter((m) => m.thread_ts === slackPost.ts);
    expect(replies).toHaveLength(1);
    expect(render(replies[0])).toContain('2 read calls, 3 writes, 1 error');
    expect(render(replies[0])).toContain('iam:CreateAccessKey');

    // The final lookup, once: nothing new, so the messages change in place and nothing is posted.
    const dmCount = botPosts(connector, RITA_TEAMS_DM).length;
    await at(ended.endedAt! + FINAL_AFTER);
    const final = await grantOf(requestId);
    expect(final.activity?.step).toBe(2);
    expect(final.activity?.dueAt).toBeUndefined();
    expect(final.activity?.summary?.final).toBe(true);
    expect(botPosts(connector, RITA_TEAMS_DM)).toHaveLength(dmCount);
    expect(workspace.state.channelMessages(SLACK_APPROVALS).filter((m) => m.thread_ts === slackPost.ts)).toHaveLength(
      1,
    );
    const slackFinal = render(workspace.state.channelMessages(SLACK_APPROVALS).find((m) => m.ts === slackPost.ts));
    expect(slackFinal).toContain('What this access did');
    expect(slackFinal).not.toContain('(early summary)');
    expect(textOf(cardOf(connector.world.findActivity(teamsCard.id)))).not.toContain('(early summary)');

    // Ann's summary reached her Slack DM, with only her own calls.
    const annDm = render(
      workspace.state
        .channelMessages(ANN_SLACK_DM)
        .filter((m) => render(m).includes('What the access to'))
        .at(0),
    );
    expect(annDm).toContain('2 read calls, 3 writes, 1 error');
    expect(annDm).toContain('iam:DeleteAccessKey ×2 (1 failed)');
    expect(annDm).toContain('CloudTrail event history');
    expect(annDm).toContain('Username=ann');

    // And never again.
    await at(ended.endedAt! + 80 * MINUTE);
    expect((await grantOf(requestId)).version).toBe(final.version);
    const audit = await store.listAudit({ kind: 'grant', id: final.id });
    expect(audit.filter((e) => e.event === 'activity_summarised').map((e) => e.details?.activityStep)).toEqual([1, 2]);

    // The export (`keyless audit --format csv|jsonl`): the grant's whole story, each row of it with what it did.
    for (let i = 0; i < 20 && (await store.pumpAudit()).items > 0; i++);
    expect(await store.auditBacklog()).toBe(0);
    const exportOf = async (format: 'csv' | 'jsonl') => {
      let text = '';
      const query = { account: PROD, since: ended.createdAt - MINUTE, until: clock.now() + MINUTE };
      await writeAuditExport(store, query, format, (chunk) => void (text += chunk), 500, grantActivitySource(store));
      return text;
    };
    const lines = (await exportOf('jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ritas = lines.filter((l) => l['grant_id'] === final.id);
    expect(ritas.map((l) => l['event'])).toEqual(
      expect.arrayContaining(['create', 'revoke_requested', 'unassignment_confirmed', 'activity_summarised']),
    );
    expect(lines.filter((l) => l['subject'] === `request#${requestId}`).map((l) => l['event'])).toEqual(
      expect.arrayContaining(['create', 'approve']),
    );
    for (const l of ritas) {
      expect(l).toMatchObject({
        activity_calls: '5',
        activity_write_calls: '3',
        activity_writes: 'iam:DeleteAccessKey ×2 (1 failed); iam:CreateAccessKey',
        activity_errors: '1',
        activity_regions: 'us-east-1',
        activity_complete: 'true',
      });
      expect(l['activity']).toEqual(final.activity!.summary);
    }
    // Ann's grant carries her own summary, not Rita's.
    const annGrant = (await grantOf(annRequest)).id;
    const anns = lines.filter((l) => l['grant_id'] === annGrant);
    expect(anns.length).toBeGreaterThan(0);
    expect(anns.every((l) => String(l['activity_console_url']).includes('Username=ann'))).toBe(true);

    const csv = (await exportOf('csv')).split('\r\n').filter(Boolean);
    const header = csv[0]!.split(',');
    for (const column of [
      'activity_calls',
      'activity_writes',
      'activity_errors',
      'activity_regions',
      'activity_complete',
    ]) {
      expect(header).toContain(column);
    }
    const ritaRows = csv.slice(1).filter((row) => row.includes(final.id));
    expect(ritaRows).toHaveLength(ritas.length);
    for (const row of ritaRows) {
      expect(row).toContain(',5,2,3,iam:DeleteAccessKey ×2 (1 failed); iam:CreateAccessKey,1,0,us-east-1,true,');
    }
  });
});
