/**
 * The request forms, end to end over HTTP, for the two shapes the commands already had: access that
 * starts later, picked as a day and a time in the person's own zone, approved ahead, assigned at its
 * start and not before, removed at its end; and a group chosen in the form, approved, its membership
 * added and removed on time. Slack: the real Bolt app, the loopback workspace, DynamoDB on dynalite
 * and the AWS emulator. Teams: the loopback Bot Framework connector. The engines run on a manual clock.
 */
import { DateTime } from 'luxon';
import { formatLocalTime, parsePolicy, type GrantId, type GroupId, type RequestId } from '../../src';
import { groupPolicyInput } from '../builders/policy';
import { ManualClock } from '../fakes/manual-clock';
import { APPROVALS, startSlackStack, type SlackStack } from '../support/slack-harness';
import { APPROVALS as TEAMS_APPROVALS, startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { answerCard, botPosts, cardOf, lastBotPost, textOf } from '../support/teams-cards';
import { adaptiveCardProblems } from '../support/adaptive-card-check';

const ANN = 'U0ANN'; // America/New_York in the loopback workspace
const RITA = 'U0RITA';
const BOB = 'U0BOB';
const CARL = 'U0CARL';
const PROD = '111111111111';

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;

/** Tomorrow in `zone` as a date picker sends it, and 09:00 there as an instant. */
function tomorrowNine(now: number, zone: string): { day: string; at: number } {
  const t = DateTime.fromMillis(now, { zone }).plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  return { day: t.toISODate()!, at: t.toMillis() };
}

describe('Slack: the request form with a later start and with a group', () => {
  let stack: SlackStack;
  let clock: ManualClock;

  beforeAll(async () => {
    stack = await startSlackStack({ backend: 'aws', policy: parsePolicy(groupPolicyInput()) });
    clock = stack.clock as ManualClock;
  });
  afterAll(() => stack?.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const dm = (user: string) => ws().channelMessages(`D${user.slice(1)}`);
  const prodAssignments = () => stack.aws!.state.assignments().filter((a) => a.accountId === PROD);
  const postOf = (requestId: string) =>
    ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes(requestId))!;

  it('a start picked in the form: approved ahead, assigned at its start in her zone, removed at its end', async () => {
    const { day, at } = tomorrowNine(clock.now(), 'America/New_York');
    await client().command(ANN, '');
    await stack.settle();
    await client().pickExternal(ANN, 'account', 'account_select', 'prod', PROD);
    await stack.settle();
    client().pick(ANN, 'permission_set', 'permission_set_select', 'AdministratorAccess');
    client().type(ANN, 'duration', 'duration_input', '1h');
    client().type(ANN, 'reason', 'reason_input', 'INC-7 planned failover');
    client().pickDate(ANN, 'start_date', 'start_date_picker', day);
    client().pickTime(ANN, 'start_time', 'start_time_picker', '09:00');
    expect((await client().submit(ANN)).errors).toBeUndefined();
    await stack.settle();
    expect(render(client().modal(ANN))).toContain(formatLocalTime(at, 'America/New_York'));

    const post = ws().channelMessages(APPROVALS).at(-1)!;
    const requestId = /request `([^`]+)`/.exec(render(post))![1] as RequestId;
    expect((await stack.engine.getRequest(requestId))?.startsAt).toBe(at);
    expect(render(post)).toContain(formatLocalTime(at, 'America/New_York'));
    await client().clickInMessage(BOB, APPROVALS, post.ts, 'approve_request');
    await client().clickInMessage(CARL, APPROVALS, postOf(requestId).ts, 'approve_request');
    await stack.settle();
    const grantId = (await stack.engine.getRequest(requestId))!.grantId as GrantId;
    expect((await stack.engine.getGrant(grantId))?.status).toBe('scheduled');
    expect(prodAssignments()).toHaveLength(0);

    clock.set(at - 1);
    await stack.engine.sweep();
    await stack.settle();
    expect((await stack.engine.getGrant(grantId))?.status).toBe('scheduled');
    expect(prodAssignments()).toHaveLength(0);

    clock.set(at);
    await stack.settle();
    const active = (await stack.engine.getGrant(grantId))!;
    expect(active.status).toBe('active');
    expect(active.activatedAt).toBeGreaterThanOrEqual(at);
    expect(prodAssignments()).toHaveLength(1);

    clock.set(active.expiresAt! + 1000);
    await stack.engine.sweep();
    await stack.settle();
    expect((await stack.engine.getGrant(grantId))?.status).toBe('expired');
    expect(prodAssignments()).toHaveLength(0);
  });

  it('a group chosen in the form: approved, the membership added, and removed at its end', async () => {
    const ritaId = (await stack.identity.resolvePrincipal('rita@example.com')).principalId;
    const groupId = (await stack.identity.findGroup('db-admins'))!.id as GroupId;
    const members = async () => new Set<string>(await stack.identity.listGroupMemberIds(groupId));
    await client().command(RITA, '');
    await stack.settle();
    await client().choose(RITA, 'request_target', 'request_target_select', 'group');
    await stack.settle();
    client().pick(RITA, 'group', 'group_select', 'db-admins');
    client().type(RITA, 'duration', 'duration_input', '1h');
    client().type(RITA, 'reason', 'reason_input', 'INC-8 fix the replica');
    expect((await client().submit(RITA)).errors).toBeUndefined();
    await stack.settle();

    const post = ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes('group db-admins'))!;
    const requestId = /request `([^`]+)`/.exec(render(post))![1] as RequestId;
    expect((await members()).has(ritaId)).toBe(false);
    await client().clickInMessage(BOB, APPROVALS, post.ts, 'approve_request');
    await stack.settle();
    const grant = (await stack.engine.getGrant((await stack.engine.getRequest(requestId))!.grantId as GrantId))!;
    expect(grant.status).toBe('active');
    expect(grant.group?.name).toBe('db-admins');
    expect((await members()).has(ritaId)).toBe(true);
    expect(render(dm(RITA).find((m) => m.text.startsWith('Access active')))).toContain('db-admins');

    clock.set(grant.expiresAt! - 1000);
    await stack.engine.sweep();
    await stack.settle();
    expect((await members()).has(ritaId)).toBe(true);
    clock.set(grant.expiresAt! + 1000);
    await stack.engine.sweep();
    await stack.settle();
    expect((await stack.engine.getGrant(grant.id))?.status).toBe('expired');
    expect((await members()).has(ritaId)).toBe(false);
  });
});

describe('Teams: the request card with a later start and with a group', () => {
  let h: TeamsHarness;
  const RITA_DM = 'a:1on1-aad-rita';

  beforeAll(async () => {
    h = await startTeamsHarness({ policy: parsePolicy(groupPolicyInput()) });
    await h.connector.install('aad-rita');
    await h.connector.install('aad-bob');
    await h.connector.install('aad-carl', TEAMS_APPROVALS);
  });
  afterAll(() => h?.stop());

  it('a start picked on the card: approved ahead, assigned at its start in her zone, removed at its end', async () => {
    // Rita is in Europe/Paris (her client's localTimezone).
    const { day, at } = tomorrowNine(h.clock.now(), 'Europe/Paris');
    await h.connector.say('aad-rita', 'request');
    const form = lastBotPost(h.connector, RITA_DM);
    const step2 = answerCard(await h.connector.click('aad-rita', form.id, 'Next', { account: PROD }));
    expect(textOf(step2)).toContain('Input.Date');
    expect(textOf(step2)).toContain('Europe/Paris');
    expect(adaptiveCardProblems(step2)).toEqual([]);
    const status = answerCard(
      await h.connector.click('aad-rita', form.id, 'Submit', {
        permissionSet: 'AdministratorAccess',
        duration: '1h',
        reason: 'INC-9 planned failover',
        startDate: day,
        startTime: '09:00',
      }),
    );
    await h.settle();
    const requestId = [...h.store.requests.keys()].find((id) => h.store.requests.get(id)?.startsAt !== undefined)!;
    expect(h.store.requests.get(requestId)?.startsAt).toBe(at);
    expect(textOf(status)).toContain(requestId);

    const post = botPosts(h.connector, TEAMS_APPROVALS).find((a) => textOf(cardOf(a)).includes(requestId))!;
    expect(textOf(cardOf(post))).toContain(formatLocalTime(at, 'Europe/Paris'));
    await h.connector.click('aad-bob', post.id, 'Approve');
    await h.connector.click('aad-carl', post.id, 'Approve');
    await h.settle();
    const grantId = h.store.requests.get(requestId)!.grantId!;
    expect((await h.engine.getGrant(grantId))?.status).toBe('scheduled');
    expect(h.identity.assignCalls).toHaveLength(0);

    h.clock.set(at - 1);
    await h.engine.sweep();
    await h.settle();
    expect(h.identity.assignCalls).toHaveLength(0);
    h.clock.set(at);
    await h.settle();
    const active = (await h.engine.getGrant(grantId))!;
    expect(active.status).toBe('active');
    expect(h.identity.assignCalls).toHaveLength(1);

    h.clock.set(active.expiresAt! + 1000);
    await h.engine.sweep();
    await h.settle();
    expect((await h.engine.getGrant(grantId))?.status).toBe('expired');
    expect(h.identity.unassignCalls).toHaveLength(1);
  });

  it('reads the start in the zone her client sent before when a click carries none', async () => {
    const rita = h.connector.world.findUser('aad-rita')!;
    await h.connector.say('aad-rita', 'request'); // sent with Europe/Paris: remembered
    const form = lastBotPost(h.connector, RITA_DM);
    const { day, at } = tomorrowNine(h.clock.now(), 'Europe/Paris');
    const zone = rita.timeZone;
    delete rita.timeZone; // the clicks below carry no localTimezone
    try {
      const step2 = answerCard(await h.connector.click('aad-rita', form.id, 'Next', { account: '222222222222' }));
      expect(textOf(step2)).toContain('Europe/Paris');
      await h.connector.click('aad-rita', form.id, 'Submit', {
        permissionSet: 'ReadOnlyAccess',
        duration: '1h',
        reason: 'INC-9 read the logs',
        startDate: day,
        startTime: '09:00',
      });
    } finally {
      rita.timeZone = zone;
    }
    const request = [...h.store.requests.values()].find((r) => r.accountId === '222222222222');
    expect(request?.startsAt).toBe(at);
  });

  it('refuses a start in the past on the card, with the values kept, and files nothing', async () => {
    const before = h.store.requests.size;
    await h.connector.say('aad-rita', 'request');
    const form = lastBotPost(h.connector, RITA_DM);
    await h.connector.click('aad-rita', form.id, 'Next', { account: PROD });
    const again = answerCard(
      await h.connector.click('aad-rita', form.id, 'Submit', {
        permissionSet: 'ReadOnlyAccess',
        duration: '1h',
        reason: 'INC-9 look',
        startDate: '2020-01-01',
        startTime: '09:00',
      }),
    );
    expect(textOf(again)).toContain('has already passed');
    expect(textOf(again)).not.toContain('--from');
    expect((again as { body: { id?: string }[] }).body.find((e) => e.id === 'startDate')).toMatchObject({
      value: '2020-01-01',
    });
    expect(h.store.requests.size).toBe(before);
  });

  it('a group chosen on the card: approved, the membership added, and removed at its end', async () => {
    const key = { principalId: h.identity.principalId('rita@example.com'), groupId: h.identity.group('db-admins').id };
    await h.connector.say('aad-rita', 'request');
    const form = lastBotPost(h.connector, RITA_DM);
    expect(textOf(cardOf(form))).toContain('db-admins (up to 2h)');
    const both = answerCard(
      await h.connector.click('aad-rita', form.id, 'Next', { account: PROD, group: 'db-admins' }),
    );
    expect(textOf(both)).toContain('Choose an account or a group, not both.');
    const unknown = answerCard(await h.connector.click('aad-rita', form.id, 'Next', { group: 'payroll-admins' }));
    expect(textOf(unknown)).toContain('No rule lets you ask to join payroll-admins');
    const groupCard = answerCard(await h.connector.click('aad-rita', form.id, 'Next', { group: 'db-admins' }));
    expect(adaptiveCardProblems(groupCard)).toEqual([]);
    expect(textOf(groupCard)).not.toContain('Input.Date');
    // A start sent along with a group (a hand-made payload: the card has no start) is refused, nothing filed.
    const before = h.store.requests.size;
    const refused = answerCard(
      await h.connector.click('aad-rita', form.id, 'Submit', {
        duration: '1h',
        reason: 'INC-8 fix the replica',
        startDate: '2030-01-01',
        startTime: '09:00',
      }),
    );
    expect(textOf(refused)).toContain('A group membership starts when it is approved');
    expect(h.store.requests.size).toBe(before);
    const status = answerCard(
      await h.connector.click('aad-rita', form.id, 'Submit', { duration: '1h', reason: 'INC-8 fix the replica' }),
    );
    expect(textOf(status)).toContain('db-admins');
    await h.settle();
    const post = lastBotPost(h.connector, TEAMS_APPROVALS);
    expect(textOf(cardOf(post))).toContain('group db-admins');
    await h.connector.click('aad-bob', post.id, 'Approve');
    await h.settle();
    expect(h.identity.isMember(key)).toBe(true);

    const grant = (
      await h.engine.listMine({ platform: 'teams', id: 'aad-rita', displayName: 'Rita', email: 'rita@example.com' })
    ).grants.find((g) => g.group)!;
    h.clock.set(grant.expiresAt! - 1000);
    await h.engine.sweep();
    await h.settle();
    expect(h.identity.isMember(key)).toBe(true);
    h.clock.set(grant.expiresAt! + 1000);
    await h.engine.sweep();
    await h.settle();
    expect((await h.engine.getGrant(grant.id))?.status).toBe('expired');
    expect(h.identity.isMember(key)).toBe(false);
  });
});
