/**
 * The security feed end to end, through chat over HTTP: the AWS emulator's SQS and IAM (through STS
 * role sessions), the SQS consumer, the alert engine on the DynamoDB alert store (dynalite), and the
 * real Slack and Teams adapters publishing to a loopback Slack workspace and a loopback Teams
 * connector, whose people click the buttons (Slack block_actions, Teams Action.Execute invokes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SqsRootActivityConsumer } from '../../adapters/alerts/root-activity';
import { DynamoAlertStore, DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { rootConsoleSignIn } from '../../adapters/local/aws-emulator/services/cloudtrail-events';
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../adapters/local/slack-workspace';
import { TeamsConnector } from '../../adapters/local/teams-connector';
import { FanOutAlertPublisher } from '../../adapters/main/fan-out-alert-publisher';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack';
import { AlertActions } from '../../adapters/slack/alert-ids';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams';
import { AlertVerbs } from '../../adapters/teams/alert-verbs';
import {
  Leadership,
  createAlertEngine,
  createEngine,
  createSecurityDuties,
  silentLogger,
  type AlertEngine,
  type AssignmentKey,
  type Engine,
} from '../../src';
import { FakeAlertNames } from '../fakes/fake-alert-names';
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
const STALE_KEY = 'AKIASTALE00000000001';
const SIGNING_SECRET = 'loopback-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-loopback-token';
const SLACK_SECURITY = 'C0SECURITY';
const sam = { aadObjectId: 'aad-sam', name: 'Sam', email: 'sam@example.com' };

async function until(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the security feed, end to end through Slack and Teams', () => {
  let dynamo: { endpoint: string; stop: () => Promise<void> };
  let client: DynamoDBClient;
  let auditTable: string;
  let env: SecurityFeedEnv;
  let alerts: AlertEngine;
  let engine: Engine;
  let consumer: SqsRootActivityConsumer;
  let workspace: RunningSlackWorkspace;
  let connector: TeamsConnector;
  let slack: SlackAdapter;
  let teams: TeamsAdapter;
  let server: Server;
  let identity: FakeIdentityCenter;
  let alertStore: DynamoAlertStore;
  let feedPublisher: FanOutAlertPublisher;

  const slackPosts = () => workspace.state.channelMessages(SLACK_SECURITY).filter((m) => !('thread_ts' in m));
  const teamsPosts = () => botPosts(connector, TEAMS_SECURITY);
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await slack.idle();
      await teams.idle();
    }
  };

  beforeAll(async () => {
    dynamo = await startDynalite();
    client = localDynamoClient(dynamo.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await dynamo.stop();
  });

  beforeEach(async () => {
    env = await startSecurityFeedEnv({
      accounts: [
        {
          accountId: PROD.id,
          users: [
            {
              name: 'deploy-bot',
              tags: { owner: 'rita@example.com' },
              keys: [{ id: STALE_KEY, createdDaysAgo: 200, lastUsedDaysAgo: 100 }],
            },
            { name: 'alice', keys: [{ id: 'AKIAFRESH00000000001', createdDaysAgo: 10, lastUsedDaysAgo: 1 }] },
            // IAM user hygiene: a password alone, a password unused, a password never used.
            { name: 'ana', passwordLastUsedDaysAgo: 1, mfa: false },
            { name: 'ben', passwordLastUsedDaysAgo: 120, mfa: true },
            { name: 'cleo', createdDaysAgo: 30, passwordLastUsedDaysAgo: null, mfa: true },
          ],
        },
      ],
    });
    const tableName = uniqueTableName();
    auditTable = tableName;
    await ensureTable(client, tableName);
    identity = new FakeIdentityCenter(demoSeed());
    const grants = new InMemoryGrantStore();
    const policy = demoPolicy();
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
    alerts = createAlertEngine({
      store: alertStore,
      publisher: feedPublisher,
      clock: { now: Date.now, setTimer: () => ({ cancel: () => undefined }) },
      logger: silentLogger,
      policy: () => policy,
      directory: identity,
      accounts: async () => [PROD],
      scanner: env.scanner,
      remediator: env.scanner,
    });
    slack.connectAlerts(alerts);
    teams.connectAlerts(alerts);
    consumer = new SqsRootActivityConsumer(env.sqs, (body) => alerts.ingestEvent(body), {
      queueUrl: env.queueUrl,
      pollers: 2,
      waitTimeSeconds: 1,
    });
    consumer.start();
  });

  afterEach(async () => {
    await consumer.stop();
    await engine.stop();
    await slack.stop();
    await teams.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await connector.stop();
    await workspace.stop();
    await env.stop();
  });

  const send = async (body: unknown) => {
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queueUrl,
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
    return Date.now();
  };

  it('posts a root console sign-in to Slack #security and the Teams security channel within a second', async () => {
    const sent = await send(rootConsoleSignIn({ account: PROD.id, mfa: false }));
    await until(() => slackPosts().length > 0 && teamsPosts().length > 0);
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(slackPosts()[0]!.text).toContain('prod');
    expect(JSON.stringify(slackPosts()[0]!.blocks)).toContain(AlertActions.acknowledge);
    expect(textOf(cardOf(teamsPosts()[0]))).toContain(AlertVerbs.acknowledge);
    // The engine stores where the alert was posted once both posts answered (to update it in place).
    const key = `root:${PROD.id}:root_console_login`;
    await until(async () => ((await alerts.getAlert(key))?.messages.length ?? 0) > 0);
    expect((await alerts.getAlert(key))!.messages.map((m) => m.platform).sort()).toEqual(['slack', 'teams']);
  });

  it('posts an event delivered twice only once on each platform', async () => {
    const event = rootConsoleSignIn({ account: PROD.id, eventId: 'e2e-dup' });
    await send(event);
    await send(event);
    await until(() => consumer.stats.deleted === 2);
    await settle();
    expect(slackPosts()).toHaveLength(1);
    expect(teamsPosts()).toHaveLength(1);
  });

  it('counts a malformed event, does not crash, and keeps the queue flowing', async () => {
    await send('{"detail-type": "AWS Console Sign In via CloudTrail"}');
    await send(rootConsoleSignIn({ account: PROD.id }));
    await until(() => consumer.stats.deleted === 2);
    await settle();
    expect(alerts.stats.malformed).toBe(1);
    expect(consumer.stats.malformed).toBe(1);
    expect(slackPosts()).toHaveLength(1);
    expect(teamsPosts()).toHaveLength(1);
    expect(env.emulator.state.security.sqs.queue('keyless-root-activity').messages).toHaveLength(0);
  });

  it('deactivates a stale key of the digest: clicked in Slack, approved in Teams, both messages updated', async () => {
    await alerts.scanAll();
    await alerts.postDigest();
    const dedupeKey = `key:${PROD.id}:${STALE_KEY}:stale_access_key`;
    const digest = slackPosts().at(-1)!;
    expect(JSON.stringify(digest.blocks)).toContain('…0001');
    const teamsDigest = teamsPosts().at(-1)!;

    await workspace.client.clickInMessage('U0RITA', SLACK_SECURITY, digest.ts, AlertActions.deactivate, dedupeKey);
    await settle();
    expect(env.emulator.state.security.iam.findKey(PROD.id, STALE_KEY)!.status).toBe('Active');
    expect((await alerts.getAlert(dedupeKey))!.remediation!.status).toBe('pending_approval');
    expect(
      JSON.stringify(workspace.state.channelMessages(SLACK_SECURITY).find((m) => m.ts === digest.ts)!.blocks),
    ).toContain('Deactivation requested');

    // Rita may not approve her own request: the refusal is hers alone, and nothing changes.
    await workspace.client.clickInMessage(
      'U0RITA',
      SLACK_SECURITY,
      digest.ts,
      AlertActions.approveDeactivation,
      dedupeKey,
    );
    await settle();
    expect(env.emulator.state.security.iam.findKey(PROD.id, STALE_KEY)!.status).toBe('Active');
    expect(workspace.state.ephemeralsOf('U0RITA').at(-1)!.text).toMatch(/security approver|another/i);

    const answer = await connector.invokeRaw('aad-sam', teamsDigest.id, {
      action: { type: 'Action.Execute', verb: AlertVerbs.approveDeactivation, data: { dedupeKey } },
      trigger: 'manual',
    });
    expect(textOf(answer.body)).toContain('Deactivation approved');
    await settle();
    expect(env.emulator.state.security.iam.findKey(PROD.id, STALE_KEY)!.status).toBe('Inactive');
    const updated = workspace.state.channelMessages(SLACK_SECURITY).find((m) => m.ts === digest.ts)!;
    expect(JSON.stringify(updated.blocks)).toContain('Key deactivated');
    expect(textOf(cardOf(connector.world.findActivity(teamsDigest.id)))).toContain('Key deactivated');
  });

  it('posts a drift once across three replicas and many reconciles, counts it in place, and resolves it when it is gone', async () => {
    const seed = demoSeed();
    const olga = seed.principals.find((p) => p.userName === 'olga')!;
    const assignment = {
      principalId: olga.principalId,
      accountId: PROD.id,
      permissionSetArn: seed.permissionSets[0]!.arn,
    } as AssignmentKey;
    const clock = { now: Date.now, setTimer: () => ({ cancel: () => undefined }) };
    const runs: string[] = [];
    // Three replicas: their own feed engine and lease holder, one table, one Identity Center.
    const replicas = ['r1', 'r2', 'r3'].map((owner) => {
      const feed = createAlertEngine({
        store: alertStore,
        publisher: feedPublisher,
        clock,
        logger: silentLogger,
        policy: () => demoPolicy(),
        directory: identity,
        accounts: async () => [PROD],
        names: new FakeAlertNames(),
      });
      const leadership = new Leadership(
        { lease: alertStore, clock, logger: silentLogger },
        { name: 'security-duties', owner, ttlMs: 60_000 },
      );
      const reconcile = async () => (runs.push(owner), engine.reconcile());
      return createSecurityDuties({ leadership, reconcile, alerts: feed, clock });
    });
    identity.plant(assignment);
    for (let period = 0; period < 6; period++) {
      for (const r of replicas) await r.reconcile();
      await settle();
    }
    expect(runs).toHaveLength(6);
    expect(new Set(runs).size).toBe(1);
    const drifts = slackPosts().filter((m) => m.text.includes('without a keyless grant'));
    expect(drifts).toHaveLength(1);
    // What people read (button values carry the alert's key back to keyless and are not shown).
    const slackText = JSON.stringify(drifts[0]!.blocks, (k, v: unknown) => (k === 'value' ? undefined : v));
    expect(slackText).toContain('Olga (olga@example.com) has AdministratorAccess without a keyless grant');
    expect(slackText).toContain('6 times · last seen');
    expect(slackText).not.toContain(olga.principalId);
    expect(drifts[0]!.edited).toBeDefined();
    const cards = teamsPosts().filter((a) => textOf(cardOf(a)).includes('without a keyless grant'));
    expect(cards).toHaveLength(1);
    expect(textOf(cardOf(connector.world.findActivity(cards[0]!.id)))).toContain('seen 6 times');

    await identity.unassign(assignment);
    for (const r of replicas) await r.reconcile();
    await settle();
    const resolved = workspace.state.channelMessages(SLACK_SECURITY).find((m) => m.ts === drifts[0]!.ts)!;
    expect(JSON.stringify(resolved.blocks)).toContain('Resolved');
    expect(textOf(cardOf(connector.world.findActivity(cards[0]!.id)))).toContain('Resolved');
    expect(slackPosts().filter((m) => m.text.includes('without a keyless grant'))).toHaveLength(1);
  });

  it('resolves a finding on the next scan once the key is used, and strikes it through in the digest', async () => {
    await alerts.scanAll();
    await alerts.postDigest();
    const key = `key:${PROD.id}:${STALE_KEY}:unused_access_key`;
    expect((await alerts.getAlert(key))!.status).toBe('open');
    env.emulator.state.security.iam.useKey(PROD.id, STALE_KEY);
    const report = await alerts.scanAll();
    await settle();
    expect(report.resolved).toBe(1);
    expect((await alerts.getAlert(key))!.status).toBe('resolved');
    expect(workspace.state.channelMessages(SLACK_SECURITY).at(-1)!.edited).toBeDefined();
  });

  it('lists every IAM user hygiene finding in the Slack and Teams digests, acknowledges one from each chat, and resolves one once fixed', async () => {
    await alerts.scanAll();
    await alerts.postDigest();
    await settle();
    const digest = slackPosts().at(-1)!;
    const teamsDigest = teamsPosts().at(-1)!;
    const shown = JSON.stringify(digest.blocks, (k, v: unknown) => (k === 'value' ? undefined : v));
    const card = textOf(cardOf(teamsDigest));
    const expected = [
      ['ana', 'Console password without MFA'],
      ['ben', 'Console password unused for 90+ days'],
      ['cleo', 'Console password never used'],
      ['alice', 'should be in Identity Center'],
    ];
    for (const [user, title] of expected) {
      expect(shown).toContain(title);
      expect(shown).toContain(user);
      expect(card).toContain(title);
      expect(card).toContain(user);
    }
    const mfa = `user:${PROD.id}:ana:console_user_without_mfa`;
    const unused = `user:${PROD.id}:ben:console_password_unused`;
    await workspace.client.clickInMessage('U0RITA', SLACK_SECURITY, digest.ts, AlertActions.acknowledge, mfa);
    const answer = await connector.invokeRaw('aad-sam', teamsDigest.id, {
      action: { type: 'Action.Execute', verb: AlertVerbs.acknowledge, data: { dedupeKey: unused } },
      trigger: 'manual',
    });
    expect(answer.status).toBe(200);
    await settle();
    expect((await alerts.getAlert(mfa))!.status).toBe('acknowledged');
    expect((await alerts.getAlert(unused))!.status).toBe('acknowledged');
    // Both clicks are in the audit once the pump has passed, each with the person who clicked.
    const audit = new DynamoGrantStore({ client, tableName: auditTable });
    for (let i = 0; i < 20 && (await audit.pumpAudit()).items > 0; i++);
    const filed = await audit.queryAudit({
      account: PROD.id,
      since: Date.now() - 3_600_000,
      until: Date.now() + 60_000,
    });
    const acks = filed.records
      .filter((r) => r.event === 'acknowledge')
      .map((r) => [r.details?.['iamUser'], r.actorEmail, r.subjectKind]);
    expect(acks).toEqual(
      expect.arrayContaining([
        ['ana', 'rita@example.com', 'alert'],
        ['ben', 'sam@example.com', 'alert'],
      ]),
    );
    // Deactivate is offered only for a key: a user finding has no key to deactivate.
    const item = workspace.state.channelMessages(SLACK_SECURITY).find((m) => m.ts === digest.ts)!;
    const mfaButtons = (item.blocks as { block_id?: string; elements?: { action_id: string }[] }[]).find(
      (b) => b.block_id === `alert_actions:${mfa}`,
    );
    expect(mfaButtons?.elements?.map((e) => e.action_id) ?? []).not.toContain(AlertActions.deactivate);

    // Ana gets MFA: the next scan resolves the finding, struck through in the digest that listed it.
    env.emulator.state.security.iam.account(PROD.id).users.get('ana')!.mfa = true;
    env.emulator.state.security.iam.account(PROD.id).report = undefined;
    await alerts.scanAll();
    await settle();
    expect((await alerts.getAlert(mfa))!.status).toBe('resolved');
    const after = workspace.state.channelMessages(SLACK_SECURITY).find((m) => m.ts === digest.ts)!;
    expect(JSON.stringify(after.blocks)).toMatch(/~\*Console password without MFA\*/);
  });

  describe("the rotation assistant, through Slack (the owner's DM) and Teams (approvals)", () => {
    const STALE = `key:${PROD.id}:${STALE_KEY}:stale_access_key`;
    const RITA_DM = 'D0RITA';
    let offset = 0;
    let rot: AlertEngine;
    const iam = () => env.emulator.state.security.iam;
    const dm = () => workspace.state.channelMessages(RITA_DM);
    const dmText = () => JSON.stringify(dm()[0]!.blocks, (k, v: unknown) => (k === 'value' ? undefined : v));
    const dmButtons = () =>
      (dm()[0]!.blocks as { elements?: { action_id?: string }[] }[]).flatMap((b) =>
        (b.elements ?? []).map((e) => e.action_id),
      );
    const rotationCard = () => teamsPosts().find((a) => textOf(cardOf(a)).includes('Rotate access key'))!;
    const scan = async () => {
      await rot.scanAll();
      await settle();
    };
    const samInTeams = async (activityId: string, verb: string) =>
      connector.invokeRaw('aad-sam', activityId, {
        action: { type: 'Action.Execute', verb, data: { dedupeKey: STALE } },
        trigger: 'manual',
      });

    beforeEach(() => {
      offset = 0;
      const clock = { now: () => Date.now() + offset, setTimer: () => ({ cancel: () => undefined }) };
      rot = createAlertEngine({
        store: alertStore,
        publisher: feedPublisher,
        clock,
        logger: silentLogger,
        policy: () => demoPolicy(),
        directory: identity,
        accounts: async () => [PROD],
        scanner: env.scanner,
        remediator: env.scanner,
      });
      slack.connectAlerts(rot);
      teams.connectAlerts(rot);
    });

    async function toDeactivated() {
      await scan();
      expect(dm()).toHaveLength(1);
      expect(dmText()).toContain('Step 1 of 4');
      expect(dmText()).toContain('never creates or sees secret keys');

      // The owner creates the new key themselves (keyless never does): the same message moves on.
      const fresh = iam().createKey(PROD.id, 'deploy-bot');
      await scan();
      expect(dm()).toHaveLength(1);
      expect(dmText()).toContain('Step 2 of 4');
      expect(dmText()).toContain(`…${fresh.id.slice(-4)}`);
      expect(dmButtons()).not.toContain(AlertActions.deactivate);

      iam().useKey(PROD.id, fresh.id);
      await scan();
      expect(dmText()).toContain('Step 3 of 4');
      expect(dmText()).toContain('Deactivate the old key');

      // Rita asks in her DM; the request reaches the security channel, where Sam approves in Teams.
      await workspace.client.clickInMessage('U0RITA', RITA_DM, dm()[0]!.ts, AlertActions.deactivate, STALE);
      await settle();
      expect(dmText()).toContain('Deactivation requested');
      const answer = await samInTeams(rotationCard().id, AlertVerbs.approveDeactivation);
      expect(textOf(answer.body)).toContain('Deactivation approved');
      await settle();
      expect(iam().findKey(PROD.id, STALE_KEY)!.status).toBe('Inactive');
      expect(dmText()).toContain('Key deactivated');
      expect(dmButtons()).toContain(AlertActions.reactivate);
      expect(dm()).toHaveLength(1);
      return fresh;
    }

    it('walks the owner from a new key to the old key deleted, one message updated in place, every step approved', async () => {
      await toDeactivated();
      // The waiting period (deleteAfterDays, 7 by default) passes with no use of the old key.
      offset = 8 * 86_400_000;
      await scan();
      expect(dmText()).toContain('Step 4 of 4');
      expect(dmText()).toContain('Deleting cannot be undone');
      expect(dmButtons()).toContain(AlertActions.deleteKey);

      await workspace.client.clickInMessage('U0RITA', RITA_DM, dm()[0]!.ts, AlertActions.deleteKey, STALE);
      await settle();
      expect(dmText()).toContain('Deletion requested');
      expect(iam().findKey(PROD.id, STALE_KEY)).toBeDefined();
      const answer = await samInTeams(rotationCard().id, AlertVerbs.approveDeletion);
      expect(textOf(answer.body)).toContain('Deletion approved');
      await settle();
      expect(iam().findKey(PROD.id, STALE_KEY)).toBeUndefined();
      expect(dmText()).toContain('Old key deleted');
      expect(dmText()).toContain('cannot be undone');
      expect(dmButtons()).not.toContain(AlertActions.reactivate);
      expect(dm()).toHaveLength(1);
      expect(dm()[0]!.edited).toBeDefined();
      expect(textOf(cardOf(connector.world.findActivity(rotationCard().id)))).toContain('Old key deleted');
      const history = (await rot.getAlert(STALE))!.history.map((h) => `${h.event}:${h.actor.id}`);
      expect(history).toEqual(
        expect.arrayContaining(['deletion_requested:slack:U0RITA', 'deletion_approved:teams:aad-sam']),
      );
    });

    it('flags a rollback: the old key used again after its deactivation', async () => {
      await toDeactivated();
      // Sam undoes the deactivation, and something uses the old key again.
      await samInTeams(rotationCard().id, AlertVerbs.reactivate);
      await settle();
      iam().useKey(PROD.id, STALE_KEY, Date.now() + 60_000);
      offset = 120_000;
      await scan();
      expect(dmText()).toContain('Rollback');
      const flagged = slackPosts().find((m) => m.text.includes('used again after it was deactivated'));
      expect(flagged).toBeDefined();
      expect(teamsPosts().some((a) => textOf(cardOf(a)).includes('used again after it was deactivated'))).toBe(true);
      expect(dmButtons()).not.toContain(AlertActions.deleteKey);
    });
  });
});
