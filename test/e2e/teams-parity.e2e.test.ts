import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../adapters/local/aws-emulator';
import { LOCAL_TEAMS_TENANT_ID, TeamsConnector } from '../../adapters/local/teams-connector';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams';
import { DENY_REASON_MISSING_TEXT } from '../../adapters/teams/cards/approval.card';
import {
  ACCOUNT_DATASET,
  ERROR_CONTENT_TYPE,
  MAX_SEARCH_RESULTS,
  SEARCH_RESPONSE_CONTENT_TYPE,
  Verbs,
} from '../../adapters/teams/verbs';
import { formatLocalTime, silentLogger, type AccessRequest, type Engine, type Grant } from '../../src';
import { FAST_EMULATOR_TIMING, localIdentityCenter } from '../../bench/support/local-stack';
import { demoPolicy, demoPolicyInput } from '../builders/policy';
import { testEngine } from '../builders/test-engine';
import { ManualClock } from '../fakes/manual-clock';
import { startDynalite } from '../support/dynalite';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { answerCard, cardOf, lastBotPost, textOf } from '../support/teams-cards';
import { APPROVALS, teamsPeople, TEAM_ID } from '../support/teams-harness';
import { FanOutNotifier } from '../../adapters/main/fan-out-notifier';

/**
 * Teams on a par with Slack, end to end over HTTP: keyless on DynamoDB (dynalite) and the AWS
 * emulator (an organization of more than 3000 accounts) through the real adapters, driven by the
 * loopback Teams connector as Teams drives a bot: messages, Action.Execute and application/search
 * invokes.
 */
const FLEET = 3000;
const FLEET_OU = 'ou-ab12-66666666';
const fleetId = (n: number) => String(700000000000 + n);
const fleetName = (n: number) => `fleet-${String(n).padStart(4, '0')}`;
const RITA_DM = 'a:1on1-aad-rita';
const BOB_DM = 'a:1on1-aad-bob';

interface SearchBody {
  statusCode: number;
  type: string;
  value: { results: { title: string; value: string }[] } | { code: string; message: string };
}

describe('Teams on a par with Slack, over HTTP', () => {
  const stops: (() => Promise<void> | void)[] = [];
  let engine: Engine;
  let clock: ManualClock;
  let aws: RunningAwsEmulator;
  let teams: TeamsAdapter;
  let connector: TeamsConnector;
  let store: DynamoGrantStore;

  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await engine.idle();
      await teams.idle();
    }
  };
  const say = async (as: string, text: string, conversationId?: string) => {
    await connector.say(as, text, conversationId);
    await settle();
  };
  const lastCardText = (conversationId: string) => textOf(cardOf(lastBotPost(connector, conversationId)));
  const pending = async (): Promise<AccessRequest[]> => store.listRequests({ status: 'pending' });
  const liveGrants = async (): Promise<Grant[]> => store.listGrants({ status: 'active' });
  const search = async (queryText: string, options: { skip?: number; top?: number; dataset?: string } = {}) => {
    const form = lastBotPost(connector, RITA_DM);
    const answer = await connector.search('aad-rita', form.id, {
      dataset: options.dataset ?? ACCOUNT_DATASET,
      queryText,
      ...(options.skip !== undefined ? { skip: options.skip } : {}),
      ...(options.top !== undefined ? { top: options.top } : {}),
    });
    expect(answer.status).toBe(200);
    return answer.body as SearchBody;
  };
  const results = (body: SearchBody) => {
    expect(body).toMatchObject({ statusCode: 200, type: SEARCH_RESPONSE_CONTENT_TYPE });
    return (body.value as { results: { title: string; value: string }[] }).results;
  };

  beforeAll(async () => {
    // The demo organization plus an OU of FLEET accounts, fleet-0001 … fleet-3000.
    const seed = loadDemoSeed();
    seed.organization.ous.push({ id: FLEET_OU, name: 'Fleet' });
    for (let n = 1; n <= FLEET; n++) {
      seed.accounts.push({ id: fleetId(n), name: fleetName(n), ou: FLEET_OU, status: 'ACTIVE', tags: {} });
    }
    const dynalite = await startDynalite();
    aws = await startAwsEmulator({ seed, port: 0, faults: { provisioningDelayMs: 20 } });
    const dynamo = localDynamoClient(dynalite.endpoint);
    const tableName = uniqueTableName('keyless-teams-parity');
    await ensureTable(dynamo, tableName, silentLogger);
    store = new DynamoGrantStore({ client: dynamo, tableName });
    const { identity, destroy } = localIdentityCenter(aws.url, {
      ...FAST_EMULATOR_TIMING,
      pace: { tps: 1000, organizationsTps: 1000 },
      // One ListTagsForResource per account: in parallel, or loading 3000 accounts takes a minute.
      catalog: { tagConcurrency: 64 },
    });
    stops.push(async () => {
      destroy();
      dynamo.destroy();
      await aws.stop();
      await dynalite.stop();
    });

    const input = demoPolicyInput();
    const policy = demoPolicy({
      rules: [
        ...(input.rules ?? []),
        {
          name: 'fleet-readonly',
          accounts: [`ou:${FLEET_OU}`],
          permissionSets: ['ReadOnlyAccess'],
          requesters: { groups: ['engineers'] },
          approvers: { groups: ['sre-leads'], count: 1 },
          maxDuration: '4h',
        },
      ],
    });
    clock = new ManualClock(Date.now());
    const fanOut = new FanOutNotifier([], silentLogger);
    ({ engine } = testEngine({
      store,
      identity,
      clock,
      policy,
      notifier: fanOut,
      options: { replicaId: 'replica-parity' },
    }));
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
    connector.world.addUser({ aadObjectId: 'aad-ann', name: 'Ann', email: 'ann@example.com' });
    connector.world.addConversation({
      id: APPROVALS,
      conversationType: 'channel',
      teamId: TEAM_ID,
      members: [...Object.values(teamsPeople).map((p) => p.aadObjectId), 'aad-ann'],
    });
    stops.unshift(async () => {
      await engine.stop();
      await teams.stop();
      await connector.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    await connector.install('aad-carl', APPROVALS);
    for (const who of ['aad-rita', 'aad-bob', 'aad-carl', 'aad-ann', 'aad-olga']) await connector.install(who);
    await settle();
    // The organization's catalog is loaded once (as at start-up), not inside the first test.
    expect(await engine.findAccounts(fleetName(FLEET), 1)).toHaveLength(1);
  }, 120_000);

  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  afterEach(async () => {
    // Each test starts with no open request and no live grant.
    for (const r of await pending()) await engine.cancel({ requestId: r.id, actor: r.requester });
    for (const g of await liveGrants()) await engine.revoke({ grantId: g.id, actor: g.requester, reason: 'test' });
    await settle();
  });

  test(`account number ${FLEET} is found through the type-ahead and requested`, async () => {
    await say('aad-rita', 'request');
    const form = cardOf(lastBotPost(connector, RITA_DM));
    const picker = (form!.body as Record<string, unknown>[]).find((e) => e.id === 'account')!;
    // The card opens on the first accounts only; the rest come from the bot as the person types.
    expect(picker).toMatchObject({
      type: 'Input.ChoiceSet',
      style: 'filtered',
      'choices.data': { type: 'Data.Query', dataset: ACCOUNT_DATASET, count: MAX_SEARCH_RESULTS },
    });
    expect((picker.choices as unknown[]).length).toBeLessThanOrEqual(MAX_SEARCH_RESULTS);
    expect(JSON.stringify(picker.choices)).not.toContain(fleetName(FLEET));

    // By name, by id, by OU name and a word of the name.
    expect(results(await search(fleetName(FLEET))).map((r) => r.value)).toEqual([fleetId(FLEET)]);
    expect(results(await search(fleetId(FLEET))).map((r) => r.value)).toEqual([fleetId(FLEET)]);
    expect(results(await search(`Fleet ${FLEET}`)).map((r) => r.value)).toContain(fleetId(FLEET));
    const hit = results(await search(fleetName(FLEET)))[0]!;
    expect(hit.title).toContain(`${fleetName(FLEET)} (${fleetId(FLEET)})`);
    expect(hit.title).toContain('Fleet');

    // Paged: at most 15 per answer whatever is asked; the next page follows on.
    const first = results(await search('fleet', { skip: 0, top: 15 }));
    const second = results(await search('fleet', { skip: 15, top: 15 }));
    expect(first).toHaveLength(MAX_SEARCH_RESULTS);
    expect(second).toHaveLength(MAX_SEARCH_RESULTS);
    expect(first.map((r) => r.value).filter((v) => second.some((s) => s.value === v))).toEqual([]);
    expect(results(await search('fleet', { top: 500 }))).toHaveLength(MAX_SEARCH_RESULTS);
    const last = results(await search('fleet', { skip: FLEET - 5, top: 15 }));
    expect(last.map((r) => r.value)).toEqual([1, 2, 3, 4, 5].map((i) => fleetId(FLEET - 5 + i)));
    expect(results(await search('no-such-account-anywhere'))).toEqual([]);
    // A dataset keyless did not put on a card is refused, nothing searched.
    expect(await search('fleet', { dataset: 'users' })).toMatchObject({ statusCode: 400, type: ERROR_CONTENT_TYPE });

    // The chosen account goes through the form like any other.
    const formId = lastBotPost(connector, RITA_DM).id;
    const details = answerCard(await connector.click('aad-rita', formId, 'Next', { account: fleetId(FLEET) }));
    expect(textOf(details)).toContain(fleetName(FLEET));
    const submitted = answerCard(
      await connector.click('aad-rita', formId, 'Submit', {
        permissionSet: 'ReadOnlyAccess',
        duration: '1h',
        reason: 'INC-3000 look at the fleet',
      }),
    );
    expect(textOf(submitted)).toContain('Request submitted');
    await settle();
    const [request] = await pending();
    expect(request).toMatchObject({ accountId: fleetId(FLEET), permissionSetName: 'ReadOnlyAccess' });
    expect(lastCardText(APPROVALS)).toContain(fleetName(FLEET));
  });

  test('the home card: my grants with Extend / End now, my requests, my approvals with Approve / Deny', async () => {
    // On install, the 1:1 chat opened on the home card.
    const installed = connector.world
      .inConversation(RITA_DM)
      .map((a) => textOf(cardOf(a)))
      .find((t) => t.includes('Waiting for your approval'));
    expect(installed).toContain('keyless: just-in-time AWS access');

    await say('aad-rita', 'request sandbox ReadOnlyAccess 2h INC-1 read the logs');
    await say('aad-rita', 'request prod AdministratorAccess 2h INC-2 restore the queue');
    const [grant] = await liveGrants();
    const [request] = await pending();

    await say('aad-rita', 'home');
    const home = lastBotPost(connector, RITA_DM);
    const ritaHome = textOf(cardOf(home));
    expect(ritaHome).toContain(
      `ReadOnlyAccess** in **sandbox (222222222222)** · active until ${formatLocalTime(grant!.expiresAt!, 'Europe/Paris')} · grant ${grant!.id}`,
    );
    expect(ritaHome).toContain('Your pending requests');
    expect(ritaHome).toContain(`request ${request!.id}`);
    // The same truth as everywhere: who is waited for, how many, and until when.
    expect(ritaHome).toContain('Waiting for 2 more approvals (0 of 2)');
    expect(ritaHome).toContain('Approvers: group sre-leads');
    expect(ritaHome).toContain(`Decide by ${formatLocalTime(request!.decideBy, 'Europe/Paris')}`);
    expect(ritaHome).toContain('Nothing waits for you.');

    // Bob's home: the request waits for him, with Approve and Deny.
    await say('aad-bob', 'home');
    const bobHome = lastBotPost(connector, BOB_DM);
    expect(textOf(cardOf(bobHome))).toContain('restore the queue');
    const approved = answerCard(
      await connector.click('aad-bob', bobHome.id, 'Approve', {}, { requestId: request!.id }),
    );
    expect(textOf(approved)).toContain('Your approval is recorded (1 of 2).');
    expect(textOf(approved)).toContain('Nothing waits for you.');
    await settle();
    expect((await store.getRequest(request!.id))!.approvals).toHaveLength(1);

    // Carl denies from his home card: without a reason he is refused and nothing changes.
    await say('aad-carl', 'home');
    const carlHome = lastBotPost(connector, 'a:1on1-aad-carl');
    const refused = answerCard(
      await connector.click('aad-carl', carlHome.id, 'Deny', { denyReason: '' }, { requestId: request!.id }),
    );
    expect(textOf(refused)).toContain(DENY_REASON_MISSING_TEXT);
    expect((await store.getRequest(request!.id))!.status).toBe('pending');
    const denied = answerCard(
      await connector.click(
        'aad-carl',
        carlHome.id,
        'Deny',
        { denyReason: 'use read-only' },
        { requestId: request!.id },
      ),
    );
    expect(textOf(denied)).toContain('You denied this request');
    expect((await store.getRequest(request!.id))!.status).toBe('denied');
    await settle();

    // Rita extends from her home card: the answer shows the new end.
    const newEnd = formatLocalTime(grant!.expiresAt! + 3600_000, 'Europe/Paris');
    const extended = answerCard(await connector.click('aad-rita', home.id, 'Extend', { extendBy: '1h' }));
    expect(textOf(extended)).toContain(`Extended: your access now ends ${newEnd}.`);
    expect(textOf(extended)).toContain(`active until ${newEnd}`);
    expect(textOf(extended)).not.toContain('Your pending requests');

    // …and ends it: the grant leaves her home card.
    const ended = answerCard(await connector.click('aad-rita', home.id, 'End now', {}, { grantId: grant!.id }));
    expect(textOf(ended)).toContain('Ending your access now');
    await settle();
    const after = answerCard(await connector.click('aad-rita', home.id, 'Refresh'));
    expect(textOf(after)).toContain('No live grants.');
    // "Request access" on the home card opens the form in place.
    const form = answerCard(await connector.click('aad-rita', home.id, 'Request access'));
    expect(textOf(form)).toContain(`"dataset":"${ACCOUNT_DATASET}"`);
  });

  test('Deny without a reason is refused on the approval card, whatever the client sends', async () => {
    await say('aad-rita', 'request prod AdministratorAccess 1h INC-3 restart the workers');
    const [request] = await pending();
    const card = lastBotPost(connector, APPROVALS);
    const form = JSON.stringify(cardOf(card));
    expect(form).toMatch(/"id":"denyReason"[^}]*"isRequired":true/);

    for (const denyReason of ['', '   ', 'no']) {
      const answer = answerCard(await connector.click('aad-bob', card.id, 'Deny', { denyReason }));
      expect(textOf(answer)).toContain(DENY_REASON_MISSING_TEXT);
    }
    // A client that leaves the input out entirely.
    const raw = answerCard(
      await connector.invokeRaw('aad-bob', card.id, {
        action: { type: 'Action.Execute', verb: Verbs.deny, data: { requestId: request!.id } },
      }),
    );
    expect(textOf(raw)).toContain(DENY_REASON_MISSING_TEXT);
    expect((await store.getRequest(request!.id))!).toMatchObject({ status: 'pending', approvals: [] });

    answerCard(await connector.click('aad-bob', card.id, 'Deny', { denyReason: 'use the read-only role' }));
    await settle();
    expect((await store.getRequest(request!.id))!.denial).toMatchObject({ reason: 'use the read-only role' });
    expect(textOf(cardOf(connector.world.findActivity(card.id)))).toContain('Denied by Bob: use the read-only role');
  });

  describe('every subcommand', () => {
    test('help, home, accounts, why', async () => {
      await say('aad-rita', 'help');
      expect(lastCardText(RITA_DM)).toContain('cancel <request-id>');
      await say('aad-rita', 'home');
      expect(lastCardText(RITA_DM)).toContain('Waiting for your approval');
      await say('aad-rita', `accounts ${fleetName(FLEET)}`);
      expect(lastCardText(RITA_DM)).toContain(`${fleetName(FLEET)} (${fleetId(FLEET)})`);
      await say('aad-rita', `why ${fleetName(42)} ReadOnlyAccess`);
      expect(lastCardText(RITA_DM)).toContain('fleet-readonly');
    });

    test('list and approvals', async () => {
      await say('aad-rita', 'request sandbox ReadOnlyAccess 1h INC-4 read');
      await say('aad-rita', 'request prod AdministratorAccess 1h INC-5 fix');
      const [grant] = await liveGrants();
      const [request] = await pending();
      await say('aad-rita', 'list');
      const list = lastCardText(RITA_DM);
      expect(list).toContain(`grant ${grant!.id}`);
      expect(list).toContain(`request ${request!.id}`);

      await say('aad-bob', 'approvals');
      const bobCard = lastBotPost(connector, BOB_DM);
      expect(textOf(cardOf(bobCard))).toContain('fix');
      expect(textOf(connector.cardSeenBy('aad-bob', bobCard.id))).toContain('Approve');
      await say('aad-olga', 'approvals');
      expect(lastCardText('a:1on1-aad-olga')).toContain('Nothing waits for your approval.');
    });

    test('extend and revoke', async () => {
      await say('aad-rita', 'request sandbox ReadOnlyAccess 1h INC-6 read');
      const [grant] = await liveGrants();
      await say('aad-rita', `extend ${grant!.id} 1h still reading`);
      expect(lastCardText(RITA_DM)).toContain('Access extended');
      expect((await store.getGrant(grant!.id))!.expiresAt).toBe(grant!.expiresAt! + 3600_000);

      await say('aad-bob', `revoke ${grant!.id} not yours`);
      expect(lastCardText(BOB_DM)).not.toContain('Ending grant');
      await say('aad-rita', `revoke ${grant!.id} done`);
      expect(textOf(cardOf(connector.world.inConversation(RITA_DM).at(-1)))).toBeDefined();
      expect((await store.getGrant(grant!.id))!.status).toMatch(/revoked|deprovisioning/);
      await say('aad-rita', `revoke ${grant!.id} again`);
      expect(lastCardText(RITA_DM)).toContain('nothing was changed');
    });

    test('cancel', async () => {
      await say('aad-rita', 'request prod AdministratorAccess 1h INC-7 fix');
      const [request] = await pending();
      await say('aad-bob', `cancel ${request!.id}`);
      expect(lastCardText(BOB_DM)).toContain('Only the person who asked can cancel a request.');
      await say('aad-rita', `cancel ${request!.id}`);
      expect(lastCardText(RITA_DM)).toContain('Cancelled by the requester');
      expect((await store.getRequest(request!.id))!.status).toBe('cancelled');
      await say('aad-rita', `cancel ${request!.id}`);
      expect(lastCardText(RITA_DM)).toContain('already decided; nothing was changed');
      await say('aad-rita', 'cancel');
      expect(lastCardText(RITA_DM)).toContain('needs the id of one of your open requests');
    });

    test('break-glass, by text and by form', async () => {
      await say('aad-bob', 'break-glass');
      expect(lastCardText(BOB_DM)).toContain('Break-glass gives access at once');
      await say('aad-rita', 'break-glass prod AdministratorAccess 30m INC-99 outage');
      expect((await liveGrants()).filter((g) => g.requester.id.includes('rita'))).toEqual([]);
      await say('aad-bob', 'break-glass prod AdministratorAccess 30m INC-99 outage');
      const grants = await liveGrants();
      expect(grants).toContainEqual(
        expect.objectContaining({ accountId: '111111111111', permissionSetName: 'AdministratorAccess' }),
      );
      expect(aws.state.assignments()).toContainEqual(expect.objectContaining({ accountId: '111111111111' }));
    });
  });
});
