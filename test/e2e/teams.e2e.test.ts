import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../adapters/local/aws-emulator';
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../adapters/local/slack-workspace';
import { LOCAL_TEAMS_TENANT_ID, TeamsConnector } from '../../adapters/local/teams-connector';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack';
import { Actions } from '../../adapters/slack/ids';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams';
import { Verbs } from '../../adapters/teams/verbs';
import { silentLogger, type Engine } from '../../src';
import { testEngine } from '../builders/test-engine';
import { ManualClock } from '../fakes/manual-clock';
import { FAST_EMULATOR_TIMING, localIdentityCenter } from '../../bench/support/local-stack';
import { startDynalite } from '../support/dynalite';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { answerCard, botPosts, cardOf, lastBotPost, textOf } from '../support/teams-cards';
import { APPROVALS, teamsPeople, TEAM_ID } from '../support/teams-harness';
import { FanOutNotifier } from '../../adapters/main/fan-out-notifier';

/**
 * One keyless serving /slack/events and /api/messages on one HTTP server, on DynamoDB (dynalite)
 * and the AWS emulator through the real adapters, with a loopback Slack workspace and a loopback
 * Teams connector. The composition root (adapters/main) does not mount the chat adapters yet, so
 * this test wires them itself, as the root will.
 */
const SIGNING_SECRET = 'loopback-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-loopback-token';
const SLACK_APPROVALS = 'C0APPROVALS';
const RITA_DM = 'a:1on1-aad-rita';

describe('a request in Teams approved from Teams and Slack', () => {
  const stops: (() => Promise<void> | void)[] = [];
  let url: string;
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
    const tableName = uniqueTableName('keyless-teams-e2e');
    await ensureTable(dynamo, tableName, silentLogger);
    store = new DynamoGrantStore({ client: dynamo, tableName });
    const { identity, destroy } = localIdentityCenter(aws.url, {
      ...FAST_EMULATOR_TIMING,
      pace: { tps: 1000, organizationsTps: 1000 },
    });
    stops.push(async () => {
      destroy();
      dynamo.destroy();
      await aws.stop();
      await dynalite.stop();
    });

    clock = new ManualClock(Date.now());
    const fanOut = new FanOutNotifier([], silentLogger);
    ({ engine } = testEngine({ store, identity, clock, notifier: fanOut, options: { replicaId: 'replica-e2e' } }));

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
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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

  test('one keyless answers on /slack/events and /api/messages', async () => {
    expect((await connector.install('aad-rita')).status).toBe(200);
    expect((await workspace.client.command('U0RITA', 'help')).status).toBe(200);
  });

  test('request in Teams → approved in Teams and Slack → assigned → cards in step → expiry revokes', async () => {
    await connector.install('aad-bob');
    await connector.install('aad-carl', APPROVALS);

    // Rita asks in her 1:1 chat; the card lands in the Teams approvals channel, Bob's 1:1 and Slack.
    await connector.say('aad-rita', 'request prod AdministratorAccess 2h INC-77 restore the payments queue');
    await settle();
    const teamsCard = lastBotPost(connector, APPROVALS);
    expect(textOf(cardOf(teamsCard))).toContain('Waiting for 2 more approvals');
    const requestId = (cardOf(teamsCard) as { refresh: { action: { data: { requestId: string } } } }).refresh.action
      .data.requestId;
    const slackPost = workspace.state.channelMessages(SLACK_APPROVALS).at(-1)!;
    expect(JSON.stringify(slackPost.blocks)).toContain('AdministratorAccess');

    // Bob approves from Teams.
    const bobAnswer = answerCard(await connector.click('aad-bob', teamsCard.id, 'Approve'));
    expect(textOf(bobAnswer)).toContain('Your approval is recorded (1 of 2).');
    await settle();
    expect(textOf(cardOf(teamsCard))).toContain('1 of 2; approved by Bob');

    // Ann approves from Slack: the quorum is reached.
    await workspace.client.clickInMessage('U0ANN', SLACK_APPROVALS, slackPost.ts, Actions.approve);
    await settle();

    // The assignment exists in the (emulated) Identity Center.
    expect(aws.state.assignments()).toContainEqual(
      expect.objectContaining({ accountId: '111111111111', principalType: 'USER' }),
    );
    // Both platforms' copies show the decision; the Teams card lost its buttons and its refresh.
    const approvedCard = cardOf(connector.world.findActivity(teamsCard.id));
    expect(textOf(approvedCard)).toContain('Approved by Bob');
    expect(textOf(approvedCard)).toContain('Access active until');
    expect((approvedCard as { actions?: unknown }).actions).toBeUndefined();
    expect(workspace.state.channelMessages(SLACK_APPROVALS).find((m) => m.ts === slackPost.ts)!.edited).toBeDefined();
    const ritaActive = lastBotPost(connector, RITA_DM);
    expect(textOf(cardOf(ritaActive))).toMatch(/Access active[\s\S]*\(Europe\/Paris\)/);

    // A late click on the old card changes nothing.
    const late = await connector.invokeRaw('aad-carl', teamsCard.id, {
      action: { type: 'Action.Execute', verb: Verbs.approve, data: { requestId } },
    });
    expect(textOf(late.body)).toContain('already decided');

    // Expiry: the sweep revokes, the assignment is gone, Rita is told.
    clock.advance(2 * 3600_000 + 1000);
    await engine.sweep();
    await settle();
    expect(aws.state.assignments().filter((a) => a.accountId === '111111111111')).toEqual([]);
    expect(textOf(cardOf(lastBotPost(connector, RITA_DM)))).toContain('Access expired');
    expect(textOf(cardOf(connector.world.findActivity(teamsCard.id)))).toMatch(/Access expired at .* and was removed/);
    expect(botPosts(connector, APPROVALS)).toHaveLength(1);
  });
});
