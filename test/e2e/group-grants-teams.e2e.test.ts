/**
 * Group elevation end to end through Teams: `request group:db-admins 1h …` over real HTTP into the
 * bot (Bot Framework activities from the loopback connector), approved from the Teams approvals
 * card, the membership created in the local AWS emulator's identity store by the real adapter
 * (CreateGroupMembership, over HTTP), and removed at the end (DeleteGroupMembership), never earlier;
 * the grant kept in DynamoDB (dynalite) through the real store.
 */
import { parsePolicy, type GrantId, type GroupId, type PrincipalId } from '../../src';
import { groupPolicyInput } from '../builders/policy';
import { answerCard, cardOf, lastBotPost, textOf } from '../support/teams-cards';
import { APPROVALS } from '../support/teams-harness';
import { startTeamsAwsHarness, type TeamsAwsHarness } from '../support/teams-aws-harness';

const RITA_DM = 'a:1on1-aad-rita';

describe('a group membership through Teams, from the command to its removal on time', () => {
  let h: TeamsAwsHarness;
  let ritaId: PrincipalId;
  let groupId: GroupId;

  beforeAll(async () => {
    h = await startTeamsAwsHarness({ policy: parsePolicy(groupPolicyInput()) });
    ritaId = (await h.identity.resolvePrincipal('rita@example.com')).principalId as PrincipalId;
    groupId = (await h.identity.findGroup('db-admins'))!.id;
  });
  afterAll(() => h?.stop());

  /** Whether Rita is in db-admins: as ListGroupMemberships answers over HTTP, and as the emulator holds it. */
  const isMember = async () => {
    const listed = (await h.identity.listGroupMemberIds(groupId)).includes(ritaId);
    const held = h.aws.state.memberships().some((m) => m.groupId === groupId && m.userId === ritaId);
    expect(held).toBe(listed);
    return listed;
  };

  it('is asked in the 1:1 chat, approved on the card, added, and removed at the end', async () => {
    await h.connector.install('aad-rita');
    await h.connector.install('aad-bob');
    await h.connector.install('aad-carl', APPROVALS);

    await h.connector.say('aad-rita', 'request group:db-admins 1h INC-7 fix the replica');
    await h.settle();
    const card = lastBotPost(h.connector, APPROVALS);
    expect(textOf(cardOf(card))).toContain('group db-admins');
    expect(await isMember()).toBe(false);

    const answer = answerCard(await h.connector.click('aad-bob', card.id, 'Approve'));
    expect(textOf(answer)).toContain('Approved by Bob (1 of 1)');
    await h.settle();
    expect(await isMember()).toBe(true);
    expect(h.aws.log.count('CreateGroupMembership', 'ok')).toBe(1);
    expect(h.aws.state.assignments()).toHaveLength(0); // no account assignment for a group grant
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('db-admins');

    const [grant] = (
      await h.engine.listMine({ platform: 'teams', id: 'aad-rita', displayName: 'Rita', email: 'rita@example.com' })
    ).grants;
    expect(grant?.group?.name).toBe('db-admins');
    h.clock.set(grant!.expiresAt! - 1000);
    await h.engine.sweep();
    await h.settle();
    expect(await isMember()).toBe(true);
    expect(h.aws.log.count('DeleteGroupMembership')).toBe(0);

    h.clock.set(grant!.expiresAt! + 1000);
    await h.engine.sweep();
    await h.settle();
    expect((await h.engine.getGrant(grant!.id as GrantId))?.status).toBe('expired');
    expect(await isMember()).toBe(false);
    expect(h.aws.log.count('DeleteGroupMembership', 'ok')).toBe(1);
    expect(h.aws.state.membershipChanges().map((c) => c.kind)).toEqual(['create', 'delete']);
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('Access expired');
  });

  it('explains the group rule with `why group:db-admins`', async () => {
    await h.connector.say('aad-rita', 'why group:db-admins');
    await h.settle();
    expect(JSON.stringify(lastBotPost(h.connector, RITA_DM))).toContain('membership of group db-admins');
  });
});
