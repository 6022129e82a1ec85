import { formatLocalTime } from '../../../src';
import { APPROVALS, SECURITY, startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';
import { answerCard, botPosts, cardOf, lastBotPost, textOf } from '../../support/teams-cards';

const RITA_DM = 'a:1on1-aad-rita';

describe('proactive Teams messages', () => {
  let h: TeamsHarness;
  beforeEach(async () => {
    h = await startTeamsHarness();
    await h.connector.install('aad-carl', APPROVALS);
  });
  afterEach(() => h.stop());

  test('a requester with no 1:1 chat yet gets one opened for their journey', async () => {
    await h.connector.say(
      'aad-rita',
      '<at>keyless</at> request prod AdministratorAccess 1h INC-3 rotate keys',
      APPROVALS,
    );
    await h.settle();
    expect(textOf(cardOf(botPosts(h.connector, APPROVALS).at(-1)))).toContain('Access request');
    expect(textOf(cardOf(botPosts(h.connector, APPROVALS).at(-2)))).toContain('I will keep you posted in our 1:1 chat');
    expect(h.connector.world.calls.some((c) => c.method === 'POST' && c.path === '/v3/conversations/')).toBe(true);
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('Request submitted');
    expect(h.store.conversations.has('teams:user:aad-rita')).toBe(true);
  });

  test.each([
    [412, undefined],
    [429, 0],
  ])('a post Teams answers %i to is retried and lands once', async (status, retryAfterSeconds) => {
    await h.connector.install('aad-rita');
    h.connector.world.faults.push({
      status,
      method: 'POST',
      remaining: 1,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
    await h.connector.say('aad-rita', 'request prod AdministratorAccess 1h INC-3 rotate keys');
    await h.settle();
    const statuses = h.connector.world.calls.filter((c) => c.method === 'POST').map((c) => c.status);
    expect(statuses).toContain(status);
    expect(botPosts(h.connector, APPROVALS)).toHaveLength(1);
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('Request submitted');
  });

  test('break-glass is announced in the security channel', async () => {
    await h.connector.install('aad-carl', SECURITY);
    await h.connector.install('aad-bob');
    await h.connector.say('aad-bob', 'break-glass prod AdministratorAccess 30m INC-9 payments down');
    await h.settle();
    expect(textOf(cardOf(lastBotPost(h.connector, SECURITY)))).toContain('Break-glass access used');
    expect(textOf(cardOf(lastBotPost(h.connector, 'a:1on1-aad-bob')))).toContain('Access active');
  });

  test('the reminder offers Extend and End now; End now revokes and the requester is told', async () => {
    await h.connector.install('aad-rita');
    await h.connector.say('aad-rita', 'request sandbox ReadOnlyAccess 2h INC-5 look at logs');
    await h.settle();
    const active = lastBotPost(h.connector, RITA_DM);
    expect(textOf(cardOf(active))).toContain('Mon 23 Nov, 12:00 GMT+1 (Europe/Paris)');

    h.clock.advance(2 * 3600_000 - 10 * 60_000);
    await h.engine.sweep();
    await h.settle();
    const reminder = lastBotPost(h.connector, RITA_DM);
    expect(textOf(cardOf(reminder))).toContain('Access ends soon');

    const answer = answerCard(await h.connector.click('aad-rita', reminder.id, 'End now'));
    await h.settle();
    expect(textOf(answer)).toContain('Ending your access now');
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('Access revoked');
    expect(h.identity.assignments.size).toBe(0);
  });

  test('Extend from the active card asks for more time as a new request; the clicked card shows the new end', async () => {
    await h.connector.install('aad-rita');
    await h.connector.say('aad-rita', 'request sandbox ReadOnlyAccess 2h INC-5 look at logs');
    await h.settle();
    const active = lastBotPost(h.connector, RITA_DM);
    const before = [...h.store.grants.values()][0]!.expiresAt!;
    const newEnd = formatLocalTime(before + 3600_000, 'Europe/Paris');
    expect(textOf(cardOf(active))).not.toContain(newEnd);
    const answer = answerCard(await h.connector.click('aad-rita', active.id, 'Extend', { extendBy: '1h' }));
    // The answer (what the clicker sees in place of the card) is the grant with its new end.
    expect(textOf(answer)).toContain(`Extended: your access now ends ${newEnd}.`);
    expect(textOf(answer)).toContain(`"title":"Until","value":"${newEnd}"`);
    await h.settle();
    const extended = textOf(cardOf(lastBotPost(h.connector, RITA_DM)));
    expect(extended).toContain('Access extended');
    // Approved by policy: keyless's internal component names never reach a card.
    expect(extended).toContain('approved by policy');
    expect(extended).not.toMatch(/provisioner/i);
  });
});
