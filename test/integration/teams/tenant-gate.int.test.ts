/**
 * Only the Entra ID tenants keyless was told to serve (KEYLESS_TEAMS_TENANT_IDS) reach the bot: a
 * person of another tenant whose email matches an Identity Center user is never taken for that
 * user, whatever the activity (message, card invoke, install). And inside a served tenant, a Teams
 * user is found by their Entra object id first (the SCIM external id), then by the verified email.
 */
import { ErrorCodes, type LogFields, type Logger } from '../../../src';
import { ERROR_CONTENT_TYPE, Verbs } from '../../../adapters/teams/verbs';
import { FakeIdentityCenter } from '../../fakes/fake-identity-center';
import { demoSeed } from '../../fakes/seed';
import { APPROVALS, startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';
import { botPosts, cardOf, lastBotPost, textOf } from '../../support/teams-cards';

const FOREIGN = '0f0f0f0f-1111-4222-8333-444444444444';
const MALLORY_DM = 'a:1on1-aad-mallory';

interface Line {
  level: string;
  fields: LogFields;
  message: string;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (fields: LogFields, message: string): void => {
      lines.push({ level, fields, message });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

describe('Teams tenants keyless does not serve', () => {
  let h: TeamsHarness;
  let lines: Line[];
  beforeEach(async () => {
    lines = [];
    h = await startTeamsHarness({ logger: recordingLogger(lines) });
    // Mallory is in another tenant, with the email of an Identity Center user of ours (Ann, an SRE lead).
    h.connector.world.addUser({
      aadObjectId: 'aad-mallory',
      name: 'Mallory',
      email: 'rita@example.com',
      tenantId: FOREIGN,
    });
    h.connector.world.addConversation({
      id: MALLORY_DM,
      conversationType: 'personal',
      members: ['aad-mallory'],
      tenantId: FOREIGN,
    });
  });
  afterEach(() => h.stop());

  const refusals = () => lines.filter((l) => l.fields.code === ErrorCodes.ForeignWorkspace);

  it('answers a message from another tenant with the reason, and files nothing', async () => {
    await h.connector.install('aad-mallory');
    await h.connector.say('aad-mallory', 'request prod AdministratorAccess 1h INC-7 quick fix');
    await h.settle();

    expect(h.store.requests.size).toBe(0);
    expect(h.store.conversations.size).toBe(0);
    expect(botPosts(h.connector, MALLORY_DM).map((a) => a.text)).toEqual([
      `keyless does not serve your Microsoft 365 organization (${FOREIGN}): it grants AWS access only to the tenants its administrators listed. Nothing was done.`,
    ]);
    expect(refusals().map((l) => l.fields)).toEqual([
      expect.objectContaining({ platform: 'teams', tenantIds: FOREIGN, activityType: 'conversationUpdate' }),
      expect.objectContaining({ platform: 'teams', tenantIds: FOREIGN, activityType: 'message' }),
    ]);
    expect(JSON.stringify(refusals())).not.toContain('INC-7');
  });

  it('refuses a card invoke from another tenant with a Universal Actions error, deciding nothing', async () => {
    await h.connector.install('aad-carl', APPROVALS);
    await h.connector.install('aad-rita');
    await h.connector.say('aad-rita', 'request prod AdministratorAccess 1h INC-8 restore');
    await h.settle();
    const [requestId] = [...h.store.requests.keys()];
    const answer = await h.connector.invokeRaw('aad-mallory', 'no-such-activity', {
      action: { type: 'Action.Execute', verb: Verbs.approve, data: { requestId } },
      trigger: 'manual',
    });
    await h.settle();

    expect(answer).toEqual({
      status: 200,
      body: {
        statusCode: 403,
        type: ERROR_CONTENT_TYPE,
        value: {
          code: 'Forbidden',
          message: expect.stringContaining('does not serve your Microsoft 365 organization'),
        },
      },
    });
    expect(h.store.requests.get(requestId!)!.approvals).toEqual([]);
    expect(refusals().map((l) => l.fields.activityType)).toEqual(['invoke']);
  });

  it('refuses an activity whose two tenant fields disagree, and one that names no tenant', async () => {
    const base = {
      type: 'message',
      channelId: 'msteams',
      serviceUrl: h.connector.url,
      from: { id: '29:aad-rita', name: 'Rita', aadObjectId: 'aad-rita' },
      recipient: h.connector.world.bot,
      text: 'list',
    };
    const conversation = { id: 'a:1on1-aad-rita', conversationType: 'personal' };
    await h.connector.postToBot({
      ...base,
      id: 'x-1',
      conversation: { ...conversation, tenantId: h.connector.world.tenantId },
      channelData: { tenant: { id: FOREIGN } },
    });
    await h.connector.postToBot({ ...base, id: 'x-2', conversation, channelData: {} });
    await h.settle();
    expect(refusals().map((l) => l.fields.tenantIds)).toEqual([`${h.connector.world.tenantId},${FOREIGN}`, undefined]);
    expect(h.store.conversations.size).toBe(0);
  });

  it('serves the same person in a listed tenant (the refusal is about the tenant only)', async () => {
    await h.connector.install('aad-rita');
    await h.connector.say('aad-rita', 'request prod AdministratorAccess 1h INC-9 restore');
    await h.settle();
    expect(h.store.requests.size).toBe(1);
    expect(refusals()).toEqual([]);
  });
});

describe('Teams users found by their Entra object id', () => {
  let h: TeamsHarness;
  afterEach(() => h.stop());

  it('maps a person by the object id Identity Center holds as external id, whatever email the roster shows', async () => {
    const seed = demoSeed();
    const bob = seed.principals.find((p) => p.userName === 'bob')!;
    h = await startTeamsHarness({
      identity: new FakeIdentityCenter({ ...seed, externalIds: { 'aad-robert': bob.principalId } }),
    });
    // Robert's roster email is not in Identity Center; his object id is, as Bob's external id.
    h.connector.world.addUser({ aadObjectId: 'aad-robert', name: 'Robert', email: 'robert@contoso.example' });
    h.connector.world.addUser({ aadObjectId: 'aad-nobody', name: 'Nobody', email: 'nobody@contoso.example' });
    await h.connector.install('aad-robert');
    await h.connector.install('aad-nobody');

    await h.connector.say('aad-robert', 'why prod AdministratorAccess');
    expect(textOf(cardOf(lastBotPost(h.connector, 'a:1on1-aad-robert')))).not.toContain('couldn');
    await h.connector.say('aad-robert', 'request sandbox ReadOnlyAccess 1h read the logs');
    await h.settle();
    const [request] = [...h.store.requests.values()];
    expect(request?.principalId).toBe(bob.principalId);

    await h.connector.say('aad-nobody', 'request sandbox ReadOnlyAccess 1h read the logs');
    await h.settle();
    expect(h.store.requests.size).toBe(1);
    expect(textOf(cardOf(lastBotPost(h.connector, 'a:1on1-aad-nobody')))).toContain('nobody@contoso.example');
  });
});
