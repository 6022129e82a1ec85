/**
 * Group elevation end to end through Teams: `request group:db-admins 1h …` over real HTTP into the
 * bot (Bot Framework activities from the loopback connector), approved from the Teams approvals
 * card, the membership added, and removed at the end, never earlier.
 */
import { parsePolicy, type GrantId } from '../../src';
import { groupPolicyInput } from '../builders/policy';
import { answerCard, cardOf, lastBotPost, textOf } from '../support/teams-cards';
import { APPROVALS, startTeamsHarness, type TeamsHarness } from '../support/teams-harness';

const RITA_DM = 'a:1on1-aad-rita';

describe('a group membership through Teams, from the command to its removal on time', () => {
  let h: TeamsHarness;

  beforeAll(async () => {
    h = await startTeamsHarness({ policy: parsePolicy(groupPolicyInput()) });
  });
  afterAll(() => h?.stop());

  it('is asked in the 1:1 chat, approved on the card, added, and removed at the end', async () => {
    await h.connector.install('aad-rita');
    await h.connector.install('aad-bob');
    await h.connector.install('aad-carl', APPROVALS);
    const key = { principalId: h.identity.principalId('rita@example.com'), groupId: h.identity.group('db-admins').id };

    await h.connector.say('aad-rita', 'request group:db-admins 1h INC-7 fix the replica');
    await h.settle();
    const card = lastBotPost(h.connector, APPROVALS);
    expect(textOf(cardOf(card))).toContain('group db-admins');
    expect(h.identity.isMember(key)).toBe(false);

    const answer = answerCard(await h.connector.click('aad-bob', card.id, 'Approve'));
    expect(textOf(answer)).toContain('Approved by Bob (1 of 1)');
    await h.settle();
    expect(h.identity.isMember(key)).toBe(true);
    expect(h.identity.assignCalls).toHaveLength(0);
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('db-admins');

    const [grant] = (
      await h.engine.listMine({ platform: 'teams', id: 'aad-rita', displayName: 'Rita', email: 'rita@example.com' })
    ).grants;
    expect(grant?.group?.name).toBe('db-admins');
    h.clock.set(grant!.expiresAt! - 1000);
    await h.engine.sweep();
    await h.settle();
    expect(h.identity.isMember(key)).toBe(true);

    h.clock.set(grant!.expiresAt! + 1000);
    await h.engine.sweep();
    await h.settle();
    expect((await h.engine.getGrant(grant!.id as GrantId))?.status).toBe('expired');
    expect(h.identity.isMember(key)).toBe(false);
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('Access expired');
  });

  it('explains the group rule with `why group:db-admins`', async () => {
    await h.connector.say('aad-rita', 'why group:db-admins');
    await h.settle();
    expect(JSON.stringify(lastBotPost(h.connector, RITA_DM))).toContain('membership of group db-admins');
  });
});
