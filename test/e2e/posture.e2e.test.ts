/**
 * The way off IAM users (issue 19, item 3) end to end, through chat over HTTP: the AWS emulator's IAM
 * (credential reports through the audit role), the alert engine on the DynamoDB alert store
 * (dynalite), and the real Slack and Teams adapters talking to a loopback Slack workspace and a
 * loopback Teams connector. `/aws-access posture` (and Teams' `posture`) for the security group only,
 * and the weekly post with its chart: a real PNG of the real counts, shared through Slack's upload
 * flow and inline in the Teams card; once per week across replicas; the change since last week.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAlertStore, ensureTable } from '../../adapters/dynamodb';
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../adapters/local/slack-workspace';
import { TeamsConnector } from '../../adapters/local/teams-connector';
import { FanOutAlertPublisher } from '../../adapters/main/fan-out-alert-publisher';
import { POSTURE_CHART_TEXT_KEY, readPng } from '../../adapters/shared/posture-chart';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams';
import {
  Leadership,
  createAlertEngine,
  createEngine,
  createSecurityDuties,
  isoWeekOf,
  silentLogger,
  type AlertEngine,
  type Engine,
  type Policy,
} from '../../src';
import { demoPolicy } from '../builders/policy';
import { FakeIdentityCenter } from '../fakes/fake-identity-center';
import { InMemoryGrantStore } from '../fakes/in-memory-grant-store';
import { demoSeed } from '../fakes/seed';
import { SequentialIds } from '../fakes/sequential-ids';
import { startSecurityFeedEnv, type SecurityFeedEnv } from '../integration/alerts/security-feed-harness';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { startDynalite } from '../support/dynalite';
import { FAST_PACING } from '../support/slack-harness';
import { botPosts, cardOf, textOf } from '../support/teams-cards';
import { SECURITY as TEAMS_SECURITY, TEAM_ID, teamsPeople } from '../support/teams-harness';

const PROD = { id: '111111111111', name: 'prod' };
const SANDBOX = { id: '222222222222', name: 'sandbox' };
const SIGNING_SECRET = 'loopback-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-loopback-token';
const SLACK_SECURITY = 'C0SECURITY';
const sam = { aadObjectId: 'aad-sam', name: 'Sam', email: 'sam@example.com' };
const DAY = 86_400_000;

/**
 * The counts the seed below must give, by hand: prod has 3 people on IAM users (ana, ben, dora;
 * deploy-bot is a machine by path), active keys 10 d (ben), 45 d (deploy-bot), 200 d (dora) and
 * 400 d (deploy-bot's second), root signed in 2 days ago, MFA gaps: ana, and root without MFA.
 * Sandbox: 1 person (eve, a key of 5 days, console with MFA), root unused, root MFA on.
 */
const EXPECTED = {
  humanIamUsers: 4,
  keysByAge: { '0-30': 2, '30-90': 1, '90-365': 1, '365+': 1 },
  rootUsed: 1,
  mfaGaps: 2,
};

async function until(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the IAM posture, end to end through Slack and Teams', () => {
  let dynamo: { endpoint: string; stop: () => Promise<void> };
  let client: DynamoDBClient;
  let env: SecurityFeedEnv;
  let alerts: AlertEngine;
  let engine: Engine;
  let workspace: RunningSlackWorkspace;
  let connector: TeamsConnector;
  let slack: SlackAdapter;
  let teams: TeamsAdapter;
  let server: Server;
  let identity: FakeIdentityCenter;
  let alertStore: DynamoAlertStore;
  let feedPublisher: FanOutAlertPublisher;
  let policy: Policy;
  let now: number;
  const clock = { now: () => now, setTimer: () => ({ cancel: () => undefined }) };

  const slackPosts = () => workspace.state.channelMessages(SLACK_SECURITY);
  const teamsPosts = () => botPosts(connector, TEAMS_SECURITY);
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await slack.idle();
      await teams.idle();
    }
  };
  const feedEngine = () =>
    createAlertEngine({
      store: alertStore,
      publisher: feedPublisher,
      clock,
      logger: silentLogger,
      policy: () => policy,
      directory: identity,
      accounts: async () => [PROD, SANDBOX],
      scanner: env.scanner,
      remediator: env.scanner,
    });

  beforeAll(async () => {
    dynamo = await startDynalite();
    client = localDynamoClient(dynamo.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await dynamo.stop();
  });

  beforeEach(async () => {
    now = Date.now();
    env = await startSecurityFeedEnv({
      accounts: [
        {
          accountId: PROD.id,
          root: { mfa: false, accessKeys: 0, passwordLastUsedDaysAgo: 2 },
          users: [
            {
              name: 'deploy-bot',
              path: '/machine/',
              keys: [
                { id: 'AKIADEPLOY0000000045', createdDaysAgo: 45, lastUsedDaysAgo: 1 },
                { id: 'AKIADEPLOY0000000400', createdDaysAgo: 400, lastUsedDaysAgo: 1 },
              ],
            },
            { name: 'ana', passwordLastUsedDaysAgo: 1, mfa: false },
            {
              name: 'ben',
              passwordLastUsedDaysAgo: 3,
              mfa: true,
              keys: [{ id: 'AKIABEN0000000000010', createdDaysAgo: 10, lastUsedDaysAgo: 1 }],
            },
            { name: 'dora', keys: [{ id: 'AKIADORA000000000200', createdDaysAgo: 200, lastUsedDaysAgo: 1 }] },
            // No password and no active key: not counted as a person on IAM users.
            { name: 'gone', keys: [] },
          ],
        },
        {
          accountId: SANDBOX.id,
          root: { mfa: true, accessKeys: 0 },
          users: [
            {
              name: 'eve',
              passwordLastUsedDaysAgo: 1,
              mfa: true,
              keys: [{ id: 'AKIAEVE0000000000005', createdDaysAgo: 5, lastUsedDaysAgo: 1 }],
            },
          ],
        },
      ],
    });
    const tableName = uniqueTableName();
    await ensureTable(client, tableName);
    identity = new FakeIdentityCenter(demoSeed());
    const grants = new InMemoryGrantStore();
    policy = demoPolicy({ alerts: { machineUsers: { pathPrefix: '/machine/' } } });
    engine = createEngine({
      store: grants,
      membership: grants,
      identity,
      notifier: { publish: async () => undefined },
      clock: { now: Date.now, setTimer: () => ({ cancel: () => undefined }) },
      logger: silentLogger,
      ids: new SequentialIds(),
      policy: () => policy,
      options: { replicaId: 'replica-e2e' },
    });

    workspace = await startSlackWorkspace({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN });
    connector = new TeamsConnector();
    await connector.start();
    slack = createSlackAdapter({
      engine,
      refs: grants,
      store: grants,
      logger: silentLogger,
      config: {
        signingSecret: SIGNING_SECRET,
        botToken: BOT_TOKEN,
        apiUrl: workspace.apiUrl,
        allowedTeamIds: [workspace.state.team.id],
        securityChannel: SLACK_SECURITY,
        pacing: FAST_PACING,
      },
    });
    teams = createTeamsAdapter({
      engine,
      refs: grants,
      conversations: grants,
      idempotency: grants,
      logger: silentLogger,
      config: {
        local: true,
        allowedTenantIds: [connector.world.tenantId],
        securityConversationId: TEAMS_SECURITY,
        serviceUrl: `${connector.url}/`,
      },
      pacing: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      const route = path === '/slack/events' ? slack.handle : path === '/api/messages' ? teams.handle : undefined;
      if (!route) return void res.writeHead(404).end();
      route(req, res).catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    workspace.client.botUrl = `${url}/slack/events`;
    connector.setBotUrl(`${url}/api/messages`);
    await slack.start();
    for (const p of [...Object.values(teamsPeople), sam]) connector.world.addUser(p);
    connector.world.addConversation({
      id: TEAMS_SECURITY,
      conversationType: 'channel',
      teamId: TEAM_ID,
      members: [...Object.values(teamsPeople), sam].map((p) => p.aadObjectId),
    });
    await connector.install('aad-carl', TEAMS_SECURITY);

    alertStore = new DynamoAlertStore({ client, tableName });
    feedPublisher = new FanOutAlertPublisher([slack.alerts, teams.alerts], silentLogger);
    alerts = feedEngine();
    slack.connectAlerts(alerts);
    teams.connectAlerts(alerts);
  });

  afterEach(async () => {
    await engine.stop();
    await slack.stop();
    await teams.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await connector.stop();
    await workspace.stop();
    await env.stop();
  });

  it('counts people on IAM users, keys by age band, root use and MFA gaps per account from the credential reports', async () => {
    const report = await alerts.readPosture();
    expect(report.unread).toEqual([]);
    expect(report.totals).toEqual(EXPECTED);
    const prod = report.accounts.find((a) => a.accountId === PROD.id)!;
    expect(prod.counts).toEqual({
      humanIamUsers: 3,
      keysByAge: { '0-30': 1, '30-90': 1, '90-365': 1, '365+': 1 },
      rootUsed: 1,
      mfaGaps: 2,
    });
    expect(prod.rootLastUsedAt).toBeGreaterThan(now - 3 * DAY);
  });

  it('answers /aws-access posture to the security group in Slack, and refuses anyone else clearly', async () => {
    const refused = await workspace.client.command('U0RITA', 'posture');
    expect(refused.status).toBe(200);
    await settle();
    const ritaSees = workspace.state.ephemeralsOf('U0RITA').at(-1)!;
    expect(ritaSees.text).toMatch(/security team only/i);
    expect(JSON.stringify(ritaSees.blocks)).not.toContain('People on IAM users');

    await workspace.client.command('U0SAM', 'posture');
    await settle();
    await until(() => workspace.state.ephemeralsOf('U0SAM').length > 0);
    const samSees = workspace.state.ephemeralsOf('U0SAM').at(-1)!;
    const shown = JSON.stringify(samSees.blocks);
    expect(shown).toContain('*People on IAM users*\\n4');
    expect(shown).toContain('*Keys > 365 d*\\n1');
    expect(shown).toContain('*MFA gaps*\\n2');
    expect(shown).toContain('*Accounts where root was used*\\n1');
    // prod needs attention first; its line names each count.
    expect(shown).toContain('*prod* (`111111111111`): people on IAM users 3');
    // Nothing was posted to the channel by a command.
    expect(slackPosts()).toHaveLength(0);
  });

  it('answers `posture` to the security group in Teams with the chart, and refuses anyone else', async () => {
    await connector.install('aad-rita');
    await connector.install('aad-sam');
    await connector.say('aad-rita', 'posture');
    await settle();
    const rita = botPosts(connector, connector.world.personalChat('aad-rita').id).at(-1)!;
    expect(textOf(cardOf(rita))).toMatch(/security team only/i);

    await connector.say('aad-sam', 'posture');
    await settle();
    const card = cardOf(botPosts(connector, connector.world.personalChat('aad-sam').id).at(-1));
    const body = textOf(card);
    expect(body).toContain('"title":"People on IAM users","value":"4"');
    expect(body).toContain('"title":"MFA gaps","value":"2"');
    // Not in a channel: the posture lists every account's weak spots.
    await connector.say('aad-sam', 'posture', TEAMS_SECURITY);
    await settle();
    const inChannel = textOf(cardOf(teamsPosts().at(-1)));
    expect(inChannel).toContain('1:1 chat with keyless only');
    expect(inChannel).not.toContain('People on IAM users');
    const image = (card!.body as { type: string; url?: string }[]).find((e) => e.type === 'Image')!;
    const png = Buffer.from(image.url!.replace(/^data:image\/png;base64,/, ''), 'base64');
    const decoded = readPng(png);
    expect(decoded.width).toBeGreaterThan(100);
    const drawn = JSON.parse(decoded.text[POSTURE_CHART_TEXT_KEY]!) as { rows: { metric: string; now: number }[] };
    expect(Object.fromEntries(drawn.rows.map((r) => [r.metric, r.now]))).toEqual({
      humanIamUsers: 4,
      'keys:0-30': 2,
      'keys:30-90': 1,
      'keys:90-365': 1,
      'keys:365+': 1,
      rootUsed: 1,
      mfaGaps: 2,
    });
  });

  it('posts the weekly posture once across three replicas, with a PNG chart of the real counts in Slack and Teams', async () => {
    const replicas = ['r1', 'r2', 'r3'].map((owner) =>
      createSecurityDuties({
        leadership: new Leadership(
          { lease: alertStore, clock, logger: silentLogger },
          { name: 'security-duties', owner, ttlMs: 60_000 },
        ),
        reconcile: async () => [],
        alerts: feedEngine(),
        clock,
      }),
    );
    const results = await Promise.all(replicas.map((r) => r.postWeeklyPosture()));
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    // Again, on every replica: the week has its post.
    expect((await Promise.all(replicas.map((r) => r.postWeeklyPosture()))).every((r) => r === undefined)).toBe(true);
    await settle();

    const week = isoWeekOf(now);
    const summary = slackPosts().filter((m) => m.text.startsWith(`IAM posture · ${week}`));
    expect(summary).toHaveLength(1);
    expect(summary[0]!.text).toContain('4 people on IAM users');
    const chartPosts = slackPosts().filter((m) => (m.files ?? []).length > 0);
    expect(chartPosts).toHaveLength(1);
    const file = chartPosts[0]!.files![0]!;
    expect(file.mimetype).toBe('image/png');
    expect(file.alt_txt).toContain('People on IAM users: 4');
    // The bytes Slack received through the upload URL: a PNG whose drawn numbers are the counts.
    const bytes = workspace.state.files.get(file.id)!.bytes!;
    const png = readPng(bytes);
    expect(png.width).toBe(640);
    expect(png.height).toBeGreaterThan(200);
    const drawn = JSON.parse(png.text[POSTURE_CHART_TEXT_KEY]!) as {
      week: string;
      rows: { metric: string; now: number }[];
    };
    expect(drawn.week).toBe(week);
    expect(drawn.rows.find((r) => r.metric === 'keys:365+')!.now).toBe(EXPECTED.keysByAge['365+']);
    expect(drawn.rows.find((r) => r.metric === 'humanIamUsers')!.now).toBe(EXPECTED.humanIamUsers);
    // The upload flow, in Slack's order.
    const methods = workspace.state.calls.map((c) => c.method).filter((m) => m.startsWith('files.'));
    expect(methods).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);

    const teamsCards = teamsPosts().filter((a) => textOf(cardOf(a)).includes(`IAM posture · ${week}`));
    expect(teamsCards).toHaveLength(1);
    const image = (cardOf(teamsCards[0])!.body as { type: string; url?: string }[]).find((e) => e.type === 'Image')!;
    expect(image.url).toMatch(/^data:image\/png;base64,/);

    // The week's snapshot is in the table, with where the post went.
    const snapshot = await alertStore.getPostureSnapshot(week);
    expect(snapshot!.totals).toEqual(EXPECTED);
    expect(snapshot!.messages.map((m) => m.platform).sort()).toEqual(['slack', 'teams']);
  });

  it("shows the change since last week, from last week's snapshot, in the message and the chart", async () => {
    now -= 7 * DAY;
    expect(await alerts.postWeeklyPosture()).toBeDefined();
    const lastWeek = isoWeekOf(now);
    // During the week: dora's 200-day key is deleted and ana turns MFA on (a new report is generated).
    const prod = env.emulator.state.security.iam.account(PROD.id);
    prod.keys.delete('AKIADORA000000000200');
    prod.users.get('ana')!.mfa = true;
    delete prod.report;
    now += 7 * DAY;
    await settle();
    const before = slackPosts().length;
    const posted = await alerts.postWeeklyPosture();
    expect(posted!.report.previous!.week).toBe(lastWeek);
    await settle();
    const latest = slackPosts()
      .slice(before)
      .find((m) => m.text.startsWith('IAM posture'))!;
    const blocks = JSON.stringify(latest.blocks);
    expect(blocks).toContain(`*Keys 90–365 d*\\n0 (−1 since ${lastWeek})`);
    expect(blocks).toContain(`*MFA gaps*\\n1 (−1 since ${lastWeek})`);
    expect(blocks).toContain(`*Keys > 365 d*\\n1 (±0 since ${lastWeek})`);
    const file = slackPosts()
      .slice(before)
      .find((m) => (m.files ?? []).length > 0)!.files![0]!;
    const drawn = JSON.parse(readPng(workspace.state.files.get(file.id)!.bytes!).text[POSTURE_CHART_TEXT_KEY]!) as {
      rows: { metric: string; now: number; before?: number }[];
    };
    expect(drawn.rows.find((r) => r.metric === 'keys:90-365')).toMatchObject({ now: 0, before: 1 });
    expect(drawn.rows.find((r) => r.metric === 'mfaGaps')).toMatchObject({ now: 1, before: 2 });
  });
});
