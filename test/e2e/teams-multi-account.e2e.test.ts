/**
 * Several accounts in one request, end to end through Teams over HTTP: the loopback Teams
 * connector, the real DynamoDB adapter on dynalite and the real Identity Center adapter on the AWS
 * emulator. Three accounts: one the policy refuses (no rule), one that AWS FAILS (the emulator's
 * injected FAILED operation), one that is granted; one Approve click; each account's state on the
 * cards; End now for one account, End all now for a request with two live accounts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../adapters/local/aws-emulator';
import { LOCAL_TEAMS_TENANT_ID, TeamsConnector } from '../../adapters/local/teams-connector';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams';
import { FanOutNotifier } from '../../adapters/main/fan-out-notifier';
import { silentLogger, type Engine } from '../../src';
import { demoPolicy, demoPolicyInput } from '../builders/policy';
import { testEngine } from '../builders/test-engine';
import { FAST_EMULATOR_TIMING, localIdentityCenter } from '../../bench/support/local-stack';
import { startDynalite } from '../support/dynalite';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { answerCard, botPosts, cardOf, lastBotPost, textOf } from '../support/teams-cards';
import { APPROVALS, TEAM_ID, teamsPeople } from '../support/teams-harness';
import { adaptiveCardProblems } from '../support/adaptive-card-check';

const RITA_DM = 'a:1on1-aad-rita';
const BOB_DM = 'a:1on1-aad-bob';
const PROD = '111111111111';
const PAYMENTS = '333333333333';
const STAGING = '444444444444';

describe('several accounts in one request through Teams', () => {
  const stops: (() => Promise<void> | void)[] = [];
  let engine: Engine;
  let aws: RunningAwsEmulator;
  let teams: TeamsAdapter;
  let connector: TeamsConnector;

  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await engine.idle();
      await teams.idle();
    }
  };

  beforeAll(async () => {
    const dynalite = await startDynalite();
    aws = await startAwsEmulator({ seed: loadDemoSeed(), port: 0, faults: { provisioningDelayMs: 20 } });
    const dynamo = localDynamoClient(dynalite.endpoint);
    const tableName = uniqueTableName('keyless-teams-multi');
    await ensureTable(dynamo, tableName, silentLogger);
    const store = new DynamoGrantStore({ client: dynamo, tableName });
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

    // prod and payments (under the Production OU) need one SRE lead's approval; staging has no rule.
    const base = demoPolicyInput();
    const policy = demoPolicy({
      rules: base.rules!.map((r) =>
        r.name === 'prod-admin' ? { ...r, approvers: { groups: ['sre-leads'], count: 1 } } : r,
      ),
    });
    const fanOut = new FanOutNotifier([], silentLogger);
    ({ engine } = testEngine({ store, identity, notifier: fanOut, policy, options: { replicaId: 'replica-e2e' } }));
    teams = createTeamsAdapter({
      engine,
      refs: store,
      conversations: store,
      idempotency: store,
      logger: silentLogger,
      config: { local: true, allowedTenantIds: [LOCAL_TEAMS_TENANT_ID], approvalsConversationId: APPROVALS },
      pacing: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    fanOut.add(teams.notifier);

    const server: Server = createServer((req, res) => {
      if ((req.url ?? '').split('?')[0] !== '/api/messages') return void res.writeHead(404).end();
      teams.handle(req, res).catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
      await connector.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    await connector.install('aad-rita');
    await connector.install('aad-bob');
    await connector.install('aad-carl', APPROVALS);
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  const requesterCard = () =>
    botPosts(connector, RITA_DM).find((a) => textOf(cardOf(a)).includes('Your request for 3 accounts'));
  const current = (id: string) => cardOf(connector.world.findActivity(id));

  test('three accounts: one refused up front, one click approves the others, AWS fails one, each shows its state, End now ends one', async () => {
    await connector.say('aad-rita', `request ${PROD},payments,${STAGING} AdministratorAccess 2h INC-77 rotate keys`);
    await settle();

    // The answer: what was filed, and the account the policy refused, with why.
    const answer = textOf(
      cardOf(botPosts(connector, RITA_DM).find((a) => textOf(cardOf(a)).includes('Request filed'))),
    );
    expect(answer).toContain('Request filed for 2 account(s)');
    expect(answer).toContain('no rule lets you request AdministratorAccess in staging');

    // One approval card lists the three accounts, in the channel and in Bob's chat.
    expect(botPosts(connector, APPROVALS)).toHaveLength(1);
    const channelCard = lastBotPost(connector, APPROVALS);
    const card = textOf(cardOf(channelCard));
    for (const fact of ['Access request for 3 accounts', PROD, PAYMENTS, STAGING, 'prod-admin', 'refused by policy'])
      expect(card).toContain(fact);
    expect(card).toContain('Approve all');
    expect(adaptiveCardProblems(cardOf(channelCard))).toEqual([]);
    const bobCard = lastBotPost(connector, BOB_DM);
    expect(textOf(cardOf(bobCard))).toContain('Approve all');
    expect(textOf(cardOf(requesterCard()))).toContain('waiting for approval');

    // AWS will fail the next assignment; Bob approves once.
    aws.faults.failNextCreates(1, 'Role quota exceeded in the account');
    const bobAnswer = answerCard(await connector.click('aad-bob', bobCard.id, 'Approve all'));
    expect(textOf(bobAnswer)).toContain('Your approval counts for prod, payments.');
    await settle();

    const after = textOf(current(channelCard.id));
    expect(after).toContain('FAILED in AWS');
    expect(after).toContain('Role quota exceeded');
    expect(after).toContain('active until');
    expect(after).not.toContain('Approve all');
    expect(aws.state.assignments().filter((a) => [PROD, PAYMENTS].includes(a.accountId))).toHaveLength(1);

    const mine = current(requesterCard()!.id);
    expect(textOf(mine)).toContain('FAILED in AWS');
    expect(textOf(mine)).toContain('refused by policy');
    expect(textOf(mine)).toContain('End now:');
    expect(textOf(mine)).not.toContain('End all now'); // one account is live
    expect(adaptiveCardProblems(mine)).toEqual([]);
    expect(botPosts(connector, RITA_DM).some((a) => textOf(cardOf(a)).includes('could not be set up'))).toBe(true);

    // End now on the live account.
    const endTitle = (JSON.stringify(mine).match(/"title":"(End now: [^"]+)"/) ?? [])[1]!;
    answerCard(await connector.click('aad-rita', requesterCard()!.id, endTitle));
    await settle();
    expect(aws.state.assignments().filter((a) => [PROD, PAYMENTS].includes(a.accountId))).toHaveLength(0);
    expect(textOf(current(requesterCard()!.id))).not.toContain('End now:');
  });

  test('End all now ends every live account of a request', async () => {
    await connector.say('aad-rita', 'request ou:Sandbox ReadOnlyAccess 1h look at the logs');
    await settle();
    const sandboxes = () =>
      aws.state.assignments().filter((a) => ['222222222222', '222222222223'].includes(a.accountId));
    expect(sandboxes()).toHaveLength(2);
    const card = botPosts(connector, RITA_DM).find((a) => textOf(cardOf(a)).includes('Your request for 2 accounts'))!;
    expect(textOf(current(card.id)).match(/active until/g)).toHaveLength(2);
    const answer = answerCard(await connector.click('aad-rita', card.id, 'End all now'));
    expect(textOf(answer)).toContain('Ending your access to sandbox, sandbox-data now.');
    await settle();
    expect(sandboxes()).toHaveLength(0);
    expect(textOf(current(card.id)).match(/ended by/g)).toHaveLength(2);
    expect(textOf(current(card.id))).not.toContain('End all now');
  });

  test('the form: an account, then more accounts by multi-select type-ahead, files a multi-account request', async () => {
    await connector.say('aad-rita', 'request');
    const form = lastBotPost(connector, RITA_DM);
    const step2 = answerCard(await connector.click('aad-rita', form.id, 'Next', { account: PROD }));
    expect(textOf(step2)).toContain('More accounts');
    expect(textOf(step2)).toContain('"isMultiSelect":true');
    expect(adaptiveCardProblems(step2)).toEqual([]);
    const done = answerCard(
      await connector.click('aad-rita', form.id, 'Submit', {
        permissionSet: 'AdministratorAccess',
        duration: '1h',
        reason: 'INC-5 compare the configs',
        moreAccounts: `222222222222,${STAGING}`,
      }),
    );
    expect(textOf(done)).toContain('Request filed for 2 account(s)');
    expect(textOf(done)).toContain('no rule lets you request AdministratorAccess in staging');
    await settle();
    expect(textOf(cardOf(lastBotPost(connector, APPROVALS)))).toContain('Access request for 3 accounts');
  });
});
