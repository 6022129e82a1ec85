/**
 * Group elevation end to end through Slack: `request group:db-admins 1h …` over real HTTP into the
 * Bolt app, one approval, the membership created in the local AWS emulator's identity store by the
 * real adapter (CreateGroupMembership), and removed at the end (DeleteGroupMembership), never earlier.
 */
import { parsePolicy, type GrantId, type GroupId, type RequestId } from '../../src';
import { groupPolicyInput } from '../builders/policy';
import { ManualClock } from '../fakes/manual-clock';
import { APPROVALS, startSlackStack, type SlackStack } from '../support/slack-harness';

const RITA = 'U0RITA';
const BOB = 'U0BOB';

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;

describe('a group membership through Slack, from the command to its removal on time', () => {
  let stack: SlackStack;
  let clock: ManualClock;
  let requestId: RequestId;
  let ritaId: string;
  let groupId: GroupId;

  beforeAll(async () => {
    stack = await startSlackStack({ backend: 'aws', policy: parsePolicy(groupPolicyInput()) });
    clock = stack.clock as ManualClock;
    ritaId = (await stack.identity.resolvePrincipal('rita@example.com')).principalId;
    groupId = (await stack.identity.findGroup('db-admins'))!.id;
  });
  afterAll(() => stack?.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const dm = (user: string) => ws().channelMessages(`D${user.slice(1)}`);
  /** Who is in db-admins, as the emulator's identity store answers ListGroupMemberships. */
  const members = async () => new Set<string>(await stack.identity.listGroupMemberIds(groupId));

  it('files `request group:db-admins 1h …` and posts it to the approvers, naming the group', async () => {
    await client().command(RITA, 'request group:db-admins 1h INC-7 fix the replica');
    await stack.settle();
    const post = ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes('db-admins'));
    expect(post).toBeDefined();
    expect(render(post)).toContain('group db-admins');
    expect(render(post)).toContain('"action_id":"approve_request"');
    const pending = await stack.engine.listMine({
      platform: 'slack',
      id: RITA,
      displayName: 'Rita',
      email: 'rita@example.com',
    });
    requestId = pending.requests[0]!.id;
    expect(pending.requests[0]?.group?.name).toBe('db-admins');
    expect((await members()).has(ritaId)).toBe(false);
  });

  it('refuses a typo in the command with the corrected example', async () => {
    await client().command(RITA, 'request group:db-admins soon fix it');
    await stack.settle();
    expect(render(ws().ephemeralsOf(RITA).at(-1))).toContain('is not a duration');
  });

  it('adds the membership in Identity Center once approved', async () => {
    const post = ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes(requestId))!;
    await client().clickInMessage(BOB, APPROVALS, post.ts, 'approve_request');
    await stack.settle();
    const request = await stack.engine.getRequest(requestId);
    const grant = await stack.engine.getGrant(request!.grantId as GrantId);
    expect(grant?.status).toBe('active');
    expect(grant?.group?.name).toBe('db-admins');
    expect((await members()).has(ritaId)).toBe(true);
    expect(stack.aws!.state.assignments()).toHaveLength(0); // no account assignment for a group grant
    expect(render(dm(RITA).find((m) => m.text.startsWith('Access active')))).toContain('db-admins');
  });

  it('keeps the membership until the end, removes it at the end and tells the requester', async () => {
    const grantId = (await stack.engine.getRequest(requestId))!.grantId as GrantId;
    const grant = (await stack.engine.getGrant(grantId))!;
    clock.set(grant.expiresAt! - 1000);
    await stack.engine.sweep();
    await stack.settle();
    expect((await members()).has(ritaId)).toBe(true);

    clock.set(grant.expiresAt! + 1000);
    await stack.engine.sweep();
    await stack.settle();
    expect((await stack.engine.getGrant(grantId))?.status).toBe('expired');
    expect((await members()).has(ritaId)).toBe(false);
    expect(render(dm(RITA).find((m) => m.text.startsWith('Access ended')))).toContain('db-admins');
  });
});
