import { ErrorCodes, KeylessError, type ChatUser, type GrantId } from '../../../src';
import { FakeIdentityCenter } from '../../fakes/fake-identity-center';
import type { ManualClock } from '../../fakes/manual-clock';
import type { SlackMessageRecord } from '../../../adapters/local/slack-workspace';
import { APPROVALS, SECURITY, startSlackStack, type SlackStack } from '../../support/slack-harness';

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;
const hasButton = (m: SlackMessageRecord | undefined, actionId: string) =>
  render(m).includes(`"action_id":"${actionId}"`);
const rita: ChatUser = {
  platform: 'slack',
  id: 'U0RITA',
  displayName: 'Rita',
  email: 'rita@example.com',
  timeZone: 'Europe/Paris',
};

describe('Slack interactions over HTTP', () => {
  let stack: SlackStack;
  beforeEach(async () => {
    stack = await startSlackStack();
  });
  afterEach(() => stack.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const dm = (user: string) => ws().channelMessages(`D${user.slice(1)}`);

  async function pendingProdRequest(reason = 'INC-9 restore the queue') {
    const { request } = await stack.engine.requestAccess({
      requester: rita,
      account: 'prod',
      permissionSet: 'AdministratorAccess',
      duration: '1h',
      reason,
    });
    await stack.settle();
    const post = ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes(request.id))!;
    return { request, post };
  }

  it('denies through the Deny form: a reason is required, then every copy shows the denial without buttons', async () => {
    const { request, post } = await pendingProdRequest();
    await client().clickInMessage('U0ANN', APPROVALS, post.ts, 'deny_request');
    await stack.settle();
    expect(client().modal('U0ANN').callback_id).toBe('keyless_deny_modal');
    expect((await client().submit('U0ANN')).errors).toEqual({ deny_reason: 'Say why, in a few words.' });
    client().type('U0ANN', 'deny_reason', 'deny_reason_input', 'use <!here> read-only first');
    const answer = await client().submit('U0ANN');
    expect(answer.errors).toBeUndefined();
    await stack.settle();

    expect((await stack.engine.getRequest(request.id))?.status).toBe('denied');
    const copies = [post, ...['U0ANN', 'U0CARL'].map((u) => dm(u).find((m) => render(m).includes(request.id)))];
    for (const copy of copies) {
      expect(hasButton(ws().message(copy!.channel, copy!.ts), 'approve_request')).toBe(false);
      expect(render(ws().message(copy!.channel, copy!.ts))).toContain('use &lt;!here&gt; read-only first');
    }
    expect(render(dm('U0RITA').at(-1))).toContain('<@U0ANN> denied your request');
  });

  it('refuses a Deny by someone who is not an approver inside the form, and audits it', async () => {
    const { request, post } = await pendingProdRequest();
    await client().clickInMessage('U0OLGA', APPROVALS, post.ts, 'deny_request');
    await stack.settle();
    client().type('U0OLGA', 'deny_reason', 'deny_reason_input', 'I do not like it');
    const answer = await client().submit('U0OLGA');
    expect(answer.errors?.deny_reason).toContain('not an approver');
    expect((await stack.store.listAudit({ kind: 'request', id: request.id })).map((e) => e.event)).toContain(
      'deny_refused',
    );
    expect((await stack.engine.getRequest(request.id))?.status).toBe('pending');
  });

  it('cannot be clicked once decided: the buttons are gone from every copy', async () => {
    const { post } = await pendingProdRequest();
    await stack.engine.cancel({ requestId: (await stack.engine.listMine(rita)).requests[0]!.id, actor: rita });
    await stack.settle();
    await expect(client().clickInMessage('U0ANN', APPROVALS, post.ts, 'approve_request')).rejects.toThrow(
      'nothing to click',
    );
    expect(render(ws().message(APPROVALS, post.ts))).toContain('Cancelled');
  });

  it('renders the App Home with my requests and what waits for me, and approves from it', async () => {
    const { request } = await pendingProdRequest();
    await client().openHome('U0RITA');
    await client().openHome('U0ANN');
    await stack.settle();
    expect(render(ws().home('U0RITA'))).toContain(request.id);
    const annHome = ws().home('U0ANN')!;
    expect(hasButton(annHome as unknown as SlackMessageRecord, 'approve_request')).toBe(true);

    await client().clickInView('U0ANN', annHome.id, 'approve_request', request.id);
    await stack.settle();
    expect((await stack.engine.getRequest(request.id))?.approvals).toHaveLength(1);
    expect(render(ws().home('U0ANN'))).not.toContain(request.id);
  });

  it('DMs Slack approvers by email for a request made in Teams, and nothing to the Teams requester', async () => {
    const teamsRita: ChatUser = { platform: 'teams', id: 'aad-rita', displayName: 'Rita', email: 'rita@example.com' };
    const { request } = await stack.engine.requestAccess({
      requester: teamsRita,
      account: 'prod',
      permissionSet: 'AdministratorAccess',
      duration: '1h',
      reason: 'from teams',
    });
    await stack.settle();
    for (const u of ['U0ANN', 'U0CARL']) expect(dm(u).some((m) => render(m).includes(request.id))).toBe(true);
    expect(dm('U0RITA')).toHaveLength(0);
    expect(render(ws().channelMessages(APPROVALS).at(-1))).toContain('Rita (teams)');
  });

  it('ends a grant from the End now button of the "active" DM', async () => {
    await client().command('U0RITA', 'request sandbox ReadOnlyAccess 2h read logs');
    await stack.settle();
    const active = dm('U0RITA').find((m) => m.text.startsWith('Access active'))!;
    expect(render(active)).toContain('(Europe/Paris)');
    const grantId = JSON.stringify(active.blocks).match(/"action_id":"revoke_grant","value":"([^"]+)"/)![1] as GrantId;
    await client().clickInMessage('U0RITA', active.channel, active.ts, 'revoke_grant');
    await stack.settle();
    expect((await stack.engine.getGrant(grantId))?.status).toBe('revoked');
    expect(render(dm('U0RITA').at(-1))).toContain('was revoked by <@U0RITA>');
    // The "active" DM is redrawn in place: no End now left to click.
    const redrawn = dm('U0RITA').find((m) => m.ts === active.ts)!;
    expect(JSON.stringify(redrawn.blocks)).not.toContain('revoke_grant');
    expect(render(redrawn)).toMatch(/was revoked by .* GMT\+1 \(Europe\/Paris\)/);
  });

  it('answers a stale Extend on an expired grant with the real state instead of opening the form', async () => {
    await client().command('U0RITA', 'request sandbox ReadOnlyAccess 1h read logs');
    await stack.settle();
    const active = dm('U0RITA').find((m) => m.text.startsWith('Access active'))!;
    const click = client().clickPayload('U0RITA', active.channel, active.ts, 'revoke_grant') as {
      actions: { action_id: string }[];
    };
    click.actions[0]!.action_id = 'extend_grant'; // the Extend… of the reminder, as an old client would send it
    (stack.clock as ManualClock).advance(3600_000);
    await stack.engine.sweep();
    await stack.settle();
    const opened = ws().views.size;
    await client().deliver({ type: 'interactive', payload: click });
    await stack.settle();
    expect(ws().views.size).toBe(opened);
    expect(render(ws().ephemeralsOf('U0RITA').at(-1))).toMatch(
      /This access already ended at .* GMT\+1 \(Europe\/Paris\) \(expired\)\./,
    );
  });

  it('answers End now on a DM whose grant already expired with the real state, and changes nothing', async () => {
    await client().command('U0RITA', 'request sandbox ReadOnlyAccess 1h read logs');
    await stack.settle();
    const active = dm('U0RITA').find((m) => m.text.startsWith('Access active'))!;
    const grantId = JSON.stringify(active.blocks).match(/"action_id":"revoke_grant","value":"([^"]+)"/)![1] as GrantId;
    // What a client still showing the old button would send (built while the button is shown).
    const staleClick = client().clickPayload('U0RITA', active.channel, active.ts, 'revoke_grant');
    (stack.clock as ManualClock).advance(3600_000);
    await stack.engine.sweep();
    await stack.settle();
    expect((await stack.engine.getGrant(grantId))?.status).toBe('expired');
    // The DM lost its button; a client that still shows the old one (or a replay) clicks anyway.
    expect(JSON.stringify(dm('U0RITA').find((m) => m.ts === active.ts)!.blocks)).not.toContain('revoke_grant');
    const identity = stack.identity as FakeIdentityCenter;
    const unassigns = identity.unassignCalls.length;
    await client().deliver({ type: 'interactive', payload: staleClick });
    await stack.settle();
    const answer = render(ws().ephemeralsOf('U0RITA').at(-1));
    expect(answer).toMatch(/This access already ended at .* GMT\+1 \(Europe\/Paris\) \(expired\)\./);
    expect(answer).not.toContain('removing it from AWS now');
    expect(identity.unassignCalls).toHaveLength(unassigns);
    expect((await stack.engine.getGrant(grantId))?.status).toBe('expired');
  });

  it('extends a grant through the Extend form from the Home tab', async () => {
    await client().command('U0RITA', 'request sandbox ReadOnlyAccess 1h read logs');
    await stack.settle();
    await client().openHome('U0RITA');
    await stack.settle();
    const home = ws().home('U0RITA')!;
    await client().clickInView('U0RITA', home.id, 'extend_grant');
    await stack.settle();
    client().type('U0RITA', 'extend_duration', 'extend_duration_input', 'forever');
    expect((await client().submit('U0RITA')).errors?.extend_duration).toContain('"forever" is not a duration');
    client().type('U0RITA', 'extend_duration', 'extend_duration_input', '1h');
    expect((await client().submit('U0RITA')).errors).toBeUndefined();
    await stack.settle();
    expect(render(dm('U0RITA').at(-1))).toContain('got 1h more');
  });

  it("tells the requester by DM when AWS refuses the assignment, with AWS's reason", async () => {
    (stack.identity as FakeIdentityCenter).failNext(
      'assign',
      new KeylessError(ErrorCodes.AssignmentFailed, 'The permission set is not provisioned to account 333333333333'),
    );
    await client().command('U0RITA', 'request sandbox ReadOnlyAccess 1h read the logs');
    await stack.settle();
    const last = render(dm('U0RITA').at(-1));
    expect(last).toContain('The permission set is not provisioned to account 333333333333');
    expect(last).toContain('ReadOnlyAccess');
    // Nothing live is left behind: the grant ended as failed.
    expect((await stack.engine.listMine(rita)).grants).toEqual([]);
    const requestId = /Request (\w+)/.exec(ws().ephemeralsOf('U0RITA').at(-1)?.text ?? '')?.[1];
    const request = await stack.engine.getRequest(requestId!);
    const grant = await stack.engine.getGrant(request!.grantId!);
    expect(grant).toMatchObject({ permissionSetName: 'ReadOnlyAccess', status: 'failed' });
  });

  it('announces break-glass in the security channel', async () => {
    await client().command('U0ANN', 'break-glass prod AdministratorAccess 30m database is down');
    await stack.settle();
    expect(render(ws().channelMessages(SECURITY).at(-1))).toContain('Break-glass');
  });
});
