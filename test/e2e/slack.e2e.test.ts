/**
 * keyless end to end through Slack: real HTTP into the Bolt app, the loopback Slack workspace, the
 * real DynamoDB adapter on dynalite and the real Identity Center adapter on the local AWS emulator.
 * The engine runs on a manual clock so that expiry happens now, not in two hours.
 *
 * The suite composes the same pieces as the composition root (test/support/slack-harness.ts) so that
 * it can drive the clock; the composed server's own Slack route (startKeyless) is exercised over
 * HTTP by test/integration/playground and the browser test.
 */
import { formatLocalTime, type GrantId, type RequestId } from '../../src';
import type { SlackMessageRecord } from '../../adapters/local/slack-workspace';
import { ManualClock } from '../fakes/manual-clock';
import { APPROVALS, SIGNING_SECRET, startSlackStack, type SlackStack } from '../support/slack-harness';
import { slackSignature } from '../../adapters/local/slack-workspace';

const ANN = 'U0ANN'; // requester: an engineer who is also an SRE lead (so self-approval is a real risk)
const BOB = 'U0BOB';
const CARL = 'U0CARL';
const OLGA = 'U0OLGA'; // finance: not an approver
const PROD = '111111111111';
const ANN_PRINCIPAL_EMAIL = 'ann@example.com';

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;
const hasButton = (m: SlackMessageRecord, actionId: string) => render(m).includes(`"action_id":"${actionId}"`);

describe('an access request through Slack, from the form to expiry', () => {
  let stack: SlackStack;
  let clock: ManualClock;
  let requestId: RequestId;

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
  const copies = () => [approvalPost(), ...[BOB, CARL].map((u) => dm(u).find((m) => render(m).includes(requestId))!)];
  const lastEphemeral = (user: string) => ws().ephemeralsOf(user).at(-1);

  it('opens the form, offers accounts by type-ahead with name, id and OU, and only the permission sets the rules allow', async () => {
    await client().command(ANN, '');
    await stack.settle();
    const options = await client().options(ANN, 'account', 'account_select', 'prod');
    expect(options.map((o) => o.text.text)).toContain(`prod (${PROD})`);
    expect(options.find((o) => o.value === PROD)?.description?.text).toContain('Production');

    await client().pickExternal(ANN, 'account', 'account_select', 'prod', PROD);
    await stack.settle();
    const form = render(client().modal(ANN));
    expect(form).toContain('AdministratorAccess');
    expect(form).not.toContain('PowerUserAccess');
    expect(form).toContain('AdministratorAccess: 4h');
  });

  it('shows a duration the rule refuses inline in the form, and creates nothing', async () => {
    client().pick(ANN, 'permission_set', 'permission_set_select', 'AdministratorAccess');
    client().type(ANN, 'duration', 'duration_input', '9h');
    client().type(ANN, 'reason', 'reason_input', 'INC-42 <!channel> see <https://evil.example|the runbook> <@U0CARL>');
    client().type(ANN, 'ticket', 'ticket_input', 'OPS-7');
    const answer = await client().submit(ANN);
    expect(answer.errors?.duration).toContain('4h');
    await stack.settle();
    expect(ws().channelMessages(APPROVALS)).toHaveLength(0);
  });

  it('files the request and posts one approval message to the channel and to every eligible approver', async () => {
    client().type(ANN, 'duration', 'duration_input', '2h');
    const answer = await client().submit(ANN);
    expect(answer.errors).toBeUndefined();
    expect(render(client().modal(ANN))).toContain('waits for 2 approval(s)');
    await stack.settle();

    const post = ws().channelMessages(APPROVALS)[0]!;
    requestId = /request `([^`]+)`/.exec(render(post))![1] as RequestId;
    const text = render(post);
    for (const fact of ['<@U0ANN>', `prod (\`${PROD}\`)`, 'AdministratorAccess', '2h', 'OPS-7', '0 of 2'])
      expect(text).toContain(fact);
    expect(hasButton(post, 'approve_request')).toBe(true);
    expect(hasButton(post, 'deny_request')).toBe(true);
    // Bob and Carl are SRE leads; Ann is too, but she asked.
    expect(dm(BOB).some((m) => render(m).includes(requestId))).toBe(true);
    expect(dm(CARL).some((m) => render(m).includes(requestId))).toBe(true);
    expect(dm(ANN).some((m) => hasButton(m, 'approve_request'))).toBe(false);
    expect(render(dm(ANN)[0])).toContain('waiting for 2 approval(s)');
  });

  it('escapes the reason: no channel ping, no disguised link, no mention', () => {
    const text = render(approvalPost());
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;https://evil.example|the runbook&gt;');
    expect(text).toContain('&lt;@U0CARL&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example');
  });

  it('refuses the requester approving her own request, privately, and audits it', async () => {
    await client().clickInMessage(ANN, APPROVALS, approvalPost().ts, 'approve_request');
    await stack.settle();
    expect(render(lastEphemeral(ANN))).toContain('cannot approve or deny your own request');
    const audit = await stack.store.listAudit({ kind: 'request', id: requestId });
    expect(audit.map((e) => e.event)).toContain('approve_refused');
    expect(render(approvalPost())).toContain('0 of 2');
  });

  it('refuses someone who is not an approver, privately, and audits it', async () => {
    await client().clickInMessage(OLGA, APPROVALS, approvalPost().ts, 'approve_request');
    await stack.settle();
    expect(render(lastEphemeral(OLGA))).toContain('not an approver');
    const audit = await stack.store.listAudit({ kind: 'request', id: requestId });
    expect(audit.filter((e) => e.event === 'approve_refused').map((e) => e.actor.id)).toContain('slack:U0OLGA');
  });

  it('counts a double click once, and updates every copy with the progress', async () => {
    const bobCopy = dm(BOB).find((m) => render(m).includes(requestId))!;
    await Promise.all([
      client().clickInMessage(BOB, bobCopy.channel, bobCopy.ts, 'approve_request'),
      client().clickInMessage(BOB, bobCopy.channel, bobCopy.ts, 'approve_request'),
    ]);
    await stack.settle();
    const request = await stack.engine.getRequest(requestId);
    expect(request?.approvals).toHaveLength(1);
    for (const copy of copies()) {
      expect(render(copy)).toContain('1 of 2');
      expect(hasButton(copy, 'approve_request')).toBe(true);
    }
    expect(render(dm(ANN).at(-1))).toContain('<@U0BOB> approved your request');
  });

  it('approves on the second approver, assigns in AWS, and tells the requester the expiry in her own time zone', async () => {
    await client().clickInMessage(CARL, APPROVALS, approvalPost().ts, 'approve_request');
    await stack.settle();
    const request = await stack.engine.getRequest(requestId);
    expect(request?.status).toBe('approved');
    const grant = await stack.engine.getGrant(request!.grantId as GrantId);
    expect(grant?.status).toBe('active');

    const assigned = stack.aws!.state.assignments().filter((a) => a.accountId === PROD);
    expect(assigned).toHaveLength(1);
    const principal = await stack.identity.resolvePrincipal(ANN_PRINCIPAL_EMAIL);
    expect(assigned[0]?.principalId).toBe(principal.principalId);

    const active = render(dm(ANN).find((m) => m.text.startsWith('Access active')));
    expect(active).toContain(formatLocalTime(grant!.expiresAt!, 'America/New_York'));
    expect(active).toContain('America/New_York');

    for (const copy of copies()) {
      expect(hasButton(copy, 'approve_request')).toBe(false);
      expect(render(copy)).toContain('Approved');
      expect(render(copy)).toContain('Access active until');
    }
  });

  it('reminds the requester before expiry with Extend and End now', async () => {
    const grant = (await stack.engine.getGrant((await stack.engine.getRequest(requestId))!.grantId as GrantId))!;
    clock.set(grant.expiresAt! - 9 * 60_000);
    await stack.engine.sweep();
    await stack.settle();
    const reminder = dm(ANN).find((m) => m.text.includes('ends at'))!;
    expect(hasButton(reminder, 'extend_grant')).toBe(true);
    expect(hasButton(reminder, 'revoke_grant')).toBe(true);
  });

  it('removes the assignment at expiry, tells the requester, and updates every copy', async () => {
    const grantId = (await stack.engine.getRequest(requestId))!.grantId as GrantId;
    const grant = (await stack.engine.getGrant(grantId))!;
    clock.set(grant.expiresAt! + 1000);
    await stack.engine.sweep();
    await stack.settle();
    expect((await stack.engine.getGrant(grantId))?.status).toBe('expired');
    expect(stack.aws!.state.assignments().filter((a) => a.accountId === PROD)).toHaveLength(0);
    expect(render(dm(ANN).at(-1))).toContain('expired');
    for (const copy of copies()) {
      expect(render(copy)).toContain('Access expired');
      expect(hasButton(copy, 'approve_request')).toBe(false);
      expect(copy.edited).toBeDefined();
    }
  });
});

describe('requests that do not come from Slack', () => {
  let stack: SlackStack;
  beforeAll(async () => {
    stack = await startSlackStack({ backend: 'aws' });
  });
  afterAll(() => stack?.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const ts = () => Math.floor(Date.now() / 1000);

  it('rejects a forged signature, a stale timestamp and a future one, and runs nothing', async () => {
    const body = client().commandForm('U0RITA', 'request prod AdministratorAccess 1h forged');
    const forged = await client().send({ body, signature: slackSignature('not-the-secret', ts(), body) });
    const stale = await client().send({ body, timestamp: ts() - 301 });
    const future = await client().send({ body, timestamp: ts() + 301 });
    const unsigned = await client().send({ body, signature: '' });
    expect([forged.status, stale.status, future.status, unsigned.status]).toEqual([401, 401, 401, 401]);
    expect([forged.body, stale.body, future.body]).toEqual(['bad_signature', 'stale_timestamp', 'future_timestamp']);
    await stack.settle();
    expect(stack.recorded.events).toHaveLength(0);
  });

  it('accepts a correctly signed request within the skew, either side', async () => {
    const early = await client().send({ body: client().commandForm('U0RITA', 'help'), timestamp: ts() - 250 });
    const late = await client().send({ body: client().commandForm('U0RITA', 'help'), timestamp: ts() + 250 });
    expect([early.status, late.status]).toEqual([200, 200]);
  });

  it('ignores a replayed delivery (same bytes, same signature) and a Slack retry of an event', async () => {
    const body = client().commandForm('U0RITA', 'request prod AdministratorAccess 1h replay me');
    const at = ts();
    const signature = slackSignature(SIGNING_SECRET, at, body);
    const first = await client().send({ body, timestamp: at, signature });
    const replay = await client().send({ body, timestamp: at, signature });
    const retry = await client().send({
      body,
      timestamp: at,
      signature,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect([first.status, replay.status, retry.status]).toEqual([200, 200, 200]);
    await stack.settle();
    expect(stack.recorded.ofType('request_submitted')).toHaveLength(1);
    expect(ws().channelMessages(APPROVALS)).toHaveLength(1);

    const event = client().eventBody(
      { type: 'app_home_opened', user: 'U0RITA', tab: 'home', channel: 'D0RITA' },
      'EvREPLAY1',
    );
    await client().send({ body: event, contentType: 'application/json' });
    await client().send({ body: event, contentType: 'application/json', headers: { 'x-slack-retry-num': '1' } });
    await stack.settle();
    expect(ws().calls.filter((c) => c.method === 'views.publish' && c.args.user_id === 'U0RITA')).toHaveLength(1);
  });
});
