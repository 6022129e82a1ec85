/**
 * Access that starts later, end to end over HTTP: typed with `--from` in Slack (real Bolt app, the
 * loopback workspace, DynamoDB on dynalite and the AWS emulator) and in Teams (the loopback Bot
 * Framework connector), approved ahead, assigned at its start and not a millisecond before, and
 * removed at its end. The engines run on a manual clock.
 */
import { DateTime } from 'luxon';
import { formatLocalTime, type Grant, type GrantId, type RequestId } from '../../src';
import type { SlackMessageRecord } from '../../adapters/local/slack-workspace';
import { ManualClock } from '../fakes/manual-clock';
import { APPROVALS, startSlackStack, type SlackStack } from '../support/slack-harness';
import { APPROVALS as TEAMS_APPROVALS, startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { botPosts, cardOf, lastBotPost, textOf } from '../support/teams-cards';

const ANN = 'U0ANN'; // in America/New_York in the loopback workspace
const BOB = 'U0BOB';
const CARL = 'U0CARL';
const PROD = '111111111111';

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;
const hasButton = (m: SlackMessageRecord, actionId: string) => render(m).includes(`"action_id":"${actionId}"`);

/** Tomorrow at 09:00 in `zone`, as the person means it. */
const tomorrowNine = (now: number, zone: string) =>
  DateTime.fromMillis(now, { zone })
    .plus({ days: 1 })
    .set({ hour: 9, minute: 0, second: 0, millisecond: 0 })
    .toMillis();

describe('Slack: access that starts later, from the command to its end', () => {
  let stack: SlackStack;
  let clock: ManualClock;
  let requestId: RequestId;
  let startsAt: number;

  beforeAll(async () => {
    stack = await startSlackStack({ backend: 'aws' });
    clock = stack.clock as ManualClock;
  });
  afterAll(() => stack?.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const dm = (user: string) => ws().channelMessages(`D${user.slice(1)}`);
  const approvalPost = () =>
    ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes(requestId))!;
  const grant = async (): Promise<Grant> =>
    (await stack.engine.getGrant((await stack.engine.getRequest(requestId))!.grantId as GrantId))!;
  const prodAssignments = () => stack.aws!.state.assignments().filter((a) => a.accountId === PROD);

  it('refuses a start that has passed, clearly and privately, and files nothing', async () => {
    await client().command(ANN, 'request prod AdministratorAccess 1h INC-7 failover --from 2020-01-01 09:00');
    await stack.settle();
    expect(render(ws().ephemeralsOf(ANN).at(-1))).toContain('has already passed');
    expect(ws().channelMessages(APPROVALS)).toHaveLength(0);
  });

  it('files the request with its start in her own zone; the approvers see when it starts', async () => {
    startsAt = tomorrowNine(clock.now(), 'America/New_York');
    await client().command(ANN, 'request prod AdministratorAccess 1h INC-7 planned failover --from tomorrow 09:00');
    await stack.settle();
    const post = ws().channelMessages(APPROVALS)[0]!;
    requestId = /request `([^`]+)`/.exec(render(post))![1] as RequestId;
    expect((await stack.engine.getRequest(requestId))?.startsAt).toBe(startsAt);
    expect(render(post)).toContain('Starts');
    expect(render(post)).toContain(formatLocalTime(startsAt, 'America/New_York'));
  });

  it('is approved ahead: the grant is scheduled, nothing is assigned, and everyone is told when it starts', async () => {
    await client().clickInMessage(BOB, APPROVALS, approvalPost().ts, 'approve_request');
    await client().clickInMessage(CARL, APPROVALS, approvalPost().ts, 'approve_request');
    await stack.settle();
    expect((await grant()).status).toBe('scheduled');
    expect(prodAssignments()).toHaveLength(0);
    const when = formatLocalTime(startsAt, 'America/New_York');
    const scheduled = dm(ANN).find((m) => m.text.startsWith('Access approved'))!;
    expect(render(scheduled)).toContain(`starts at ${when}`);
    expect(hasButton(scheduled, 'revoke_grant')).toBe(true);
    expect(render(approvalPost())).toContain(`starts at ${when}`);
  });

  it('is not assigned a millisecond before its start, and is assigned at it', async () => {
    clock.set(startsAt - 60_000);
    await stack.engine.sweep();
    clock.set(startsAt - 1);
    await stack.engine.sweep();
    await stack.settle();
    expect((await grant()).status).toBe('scheduled');
    expect(prodAssignments()).toHaveLength(0);

    clock.set(startsAt);
    await stack.settle();
    const g = await grant();
    expect(g.status).toBe('active');
    expect(g.activatedAt).toBeGreaterThanOrEqual(startsAt);
    expect(g.expiresAt).toBe(g.activatedAt! + 3600_000);
    expect(prodAssignments()).toHaveLength(1);
    expect(render(dm(ANN).find((m) => m.text.startsWith('Access active')))).toContain('active until');
    // The "starts at" DM lost its Cancel button once the access began.
    expect(
      hasButton(
        dm(ANN).find((m) => m.text.startsWith('Access approved'))!,
        'revoke_grant',
      ),
    ).toBe(false);
  });

  it('is revoked at its end', async () => {
    const g = await grant();
    clock.set(g.expiresAt! + 1000);
    await stack.engine.sweep();
    await stack.settle();
    expect((await grant()).status).toBe('expired');
    expect(prodAssignments()).toHaveLength(0);
    expect(render(approvalPost())).toContain('Access expired');
  });

  it('is cancelled by the requester before its start with no AWS call', async () => {
    const at = tomorrowNine(clock.now(), 'America/New_York');
    await client().command(ANN, 'request sandbox ReadOnlyAccess 1h look at the logs --from tomorrow 09:00');
    await stack.settle();
    const scheduled = dm(ANN)
      .filter((m) => m.text.startsWith('Access approved'))
      .at(-1)!;
    expect(render(scheduled)).toContain(formatLocalTime(at, 'America/New_York'));
    const creates = stack.aws!.log.count('CreateAccountAssignment');
    const deletes = stack.aws!.log.count('DeleteAccountAssignment');
    await client().clickInMessage(ANN, scheduled.channel, scheduled.ts, 'revoke_grant');
    await stack.settle();
    expect(render(dm(ANN).at(-1))).toContain('cancelled');
    clock.set(at + 1000);
    await stack.engine.sweep();
    await stack.settle();
    expect(stack.aws!.state.assignments().filter((a) => a.accountId !== PROD)).toHaveLength(0);
    expect(stack.aws!.log.count('CreateAccountAssignment')).toBe(creates);
    expect(stack.aws!.log.count('DeleteAccountAssignment')).toBe(deletes);
    expect(creates).toBeGreaterThan(0); // the first grant's assignment: the log does count them
  });
});

describe('Teams: access that starts later, from the command to its end', () => {
  let h: TeamsHarness;
  const RITA_DM = 'a:1on1-aad-rita';

  beforeAll(async () => {
    h = await startTeamsHarness();
    await h.connector.install('aad-rita');
    await h.connector.install('aad-bob');
    await h.connector.install('aad-carl', TEAMS_APPROVALS);
  });
  afterAll(() => h?.stop());

  it('refuses a bad start with a readable card', async () => {
    await h.connector.say('aad-rita', 'request prod AdministratorAccess 1h INC-9 failover --from someday');
    await h.settle();
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('not a start time');
    expect(h.store.requests.size).toBe(0);
  });

  it('is approved ahead, started at its start in her own zone, and revoked at its end', async () => {
    // Rita is in Europe/Paris (the activity's localTimezone).
    const startsAt = tomorrowNine(h.clock.now(), 'Europe/Paris');
    await h.connector.say(
      'aad-rita',
      'request prod AdministratorAccess 1h INC-9 planned failover --from tomorrow 09:00',
    );
    await h.settle();
    const requestId = [...h.store.requests.keys()][0]!;
    expect(h.store.requests.get(requestId)?.startsAt).toBe(startsAt);
    const post = botPosts(h.connector, TEAMS_APPROVALS).find((a) => textOf(cardOf(a)).includes(requestId))!;
    expect(textOf(cardOf(post))).toContain(formatLocalTime(startsAt, 'Europe/Paris'));
    await h.connector.click('aad-bob', post.id, 'Approve');
    await h.connector.click('aad-carl', post.id, 'Approve');
    await h.settle();

    const grantId = h.store.requests.get(requestId)!.grantId!;
    expect((await h.engine.getGrant(grantId))?.status).toBe('scheduled');
    expect(h.identity.assignCalls).toHaveLength(0);
    const scheduled = botPosts(h.connector, RITA_DM).find((a) => textOf(cardOf(a)).includes('it starts later'))!;
    expect(textOf(cardOf(scheduled))).toContain(`starts at ${formatLocalTime(startsAt, 'Europe/Paris')}`);
    expect(textOf(cardOf(scheduled))).toContain('"title":"Cancel"');

    h.clock.set(startsAt - 60_000);
    await h.engine.sweep();
    h.clock.set(startsAt - 1);
    await h.engine.sweep();
    await h.settle();
    expect(h.identity.assignCalls).toHaveLength(0);
    h.clock.set(startsAt);
    await h.settle();
    const active = (await h.engine.getGrant(grantId))!;
    expect(active.status).toBe('active');
    expect(h.identity.assignCalls).toHaveLength(1);
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('Access active');

    h.clock.set(active.expiresAt! + 1000);
    await h.engine.sweep();
    await h.settle();
    expect((await h.engine.getGrant(grantId))?.status).toBe('expired');
    expect(h.identity.unassignCalls).toHaveLength(1);
  });

  it('is cancelled before its start with Cancel, with no AWS call', async () => {
    const before = h.identity.assignCalls.length;
    await h.connector.say('aad-rita', 'request sandbox ReadOnlyAccess 1h look at the logs --from tomorrow 09:00');
    await h.settle();
    const card = botPosts(h.connector, RITA_DM)
      .filter((a) => textOf(cardOf(a)).includes('it starts later'))
      .at(-1)!;
    const answer = await h.connector.click('aad-rita', card.id, 'Cancel');
    await h.settle();
    expect(JSON.stringify(answer.body)).toContain('cancelled');
    h.clock.set(h.clock.now() + 3 * 86400_000);
    await h.engine.sweep();
    await h.settle();
    expect(h.identity.assignCalls.length).toBe(before);
  });
});
