import { Verbs } from '../../../adapters/teams/verbs';
import { executeActions } from '../../../adapters/local/teams-connector';
import { startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';
import { answerCard, botPosts, cardOf, textOf } from '../../support/teams-cards';

const OLGA_DM = 'a:1on1-aad-olga';

/**
 * The journey card with End now / Extend is redrawn in place without them when the grant ends, and a
 * click that still arrives (an old client, a replayed invoke) is answered with the grant's real state.
 * Times are in the person's own zone, as their Teams client sends it (`localTimezone`).
 */
describe('Teams journey cards once the grant has ended', () => {
  let h: TeamsHarness;

  beforeEach(async () => {
    h = await startTeamsHarness();
    h.connector.world.addUser({
      aadObjectId: 'aad-olga',
      name: 'Olga',
      email: 'olga@example.com',
      timeZone: 'Asia/Tokyo',
    });
    await h.connector.install('aad-olga');
  });
  afterEach(() => h.stop());

  async function olgaGetsSandbox(): Promise<{ activityId: string; grantId: string }> {
    await h.connector.say('aad-olga', 'request sandbox ReadOnlyAccess 1h look at the logs');
    await h.settle();
    const post = botPosts(h.connector, OLGA_DM).find((a) => textOf(cardOf(a)).includes('Access active'));
    if (!post) throw new Error('no active card');
    const grantId = [...h.store.grants.keys()][0]!;
    return { activityId: post.id, grantId };
  }

  test('the active card loses End now and Extend when the grant expires, and says when, in the person’s zone', async () => {
    const { activityId } = await olgaGetsSandbox();
    const before = cardOf(h.connector.world.findActivity(activityId));
    expect(executeActions(before).map((a) => a.title)).toEqual(['Extend', 'End now']);
    expect(textOf(before)).toContain('GMT+9 (Asia/Tokyo)');

    h.clock.advance(3600_000);
    await h.engine.sweep();
    await h.settle();

    const after = cardOf(h.connector.world.findActivity(activityId));
    expect(executeActions(after)).toEqual([]);
    expect(textOf(after)).toMatch(/expired at \w{3} \d+ \w{3}, \d\d:\d\d GMT\+9 \(Asia\/Tokyo\)/);
  });

  test('times follow the zone the person’s client sent last (remembered with their conversation)', async () => {
    const { activityId } = await olgaGetsSandbox();
    h.connector.world.addUser({
      aadObjectId: 'aad-olga',
      name: 'Olga',
      email: 'olga@example.com',
      timeZone: 'America/New_York',
    });
    await h.connector.say('aad-olga', 'list');
    await h.settle();
    expect(h.store.conversations.get('teams:user:aad-olga#tz')).toEqual({ timeZone: 'America/New_York' });
    h.clock.advance(3600_000);
    await h.engine.sweep();
    await h.settle();
    expect(textOf(cardOf(h.connector.world.findActivity(activityId)))).toMatch(/EST \(America\/New_York\)/);
  });

  test('End now arriving after the end is answered with the real state, and nothing is removed twice', async () => {
    const { activityId, grantId } = await olgaGetsSandbox();
    h.clock.advance(3600_000);
    await h.engine.sweep();
    await h.settle();
    const unassigns = h.identity.unassignCalls.length;

    const answer = await h.connector.invokeRaw('aad-olga', activityId, {
      action: { type: 'Action.Execute', id: '', verb: Verbs.endGrant, data: { verb: Verbs.endGrant, grantId } },
      trigger: 'manual',
    });
    await h.settle();
    const card = answerCard(answer);
    expect(textOf(card)).toMatch(/This access already ended at .* GMT\+9 \(Asia\/Tokyo\) \(expired\)\./);
    expect(textOf(card)).not.toContain('Ending your access now');
    expect(executeActions(card)).toEqual([]);
    expect(h.identity.unassignCalls).toHaveLength(unassigns);
  });

  test('Extend arriving after the end is refused with the real state', async () => {
    const { activityId, grantId } = await olgaGetsSandbox();
    h.clock.advance(3600_000);
    await h.engine.sweep();
    await h.settle();
    const answer = await h.connector.invokeRaw('aad-olga', activityId, {
      action: {
        type: 'Action.Execute',
        id: '',
        verb: Verbs.extendGrant,
        data: { verb: Verbs.extendGrant, grantId, extendBy: '1h' },
      },
      trigger: 'manual',
    });
    await h.settle();
    const card = answerCard(answer);
    expect(textOf(card)).toContain('This access already ended at');
    expect(executeActions(card)).toEqual([]);
    expect([...h.store.requests.values()].filter((r) => r.kind === 'extension')).toHaveLength(0);
  });
});
