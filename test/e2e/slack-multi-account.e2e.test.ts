/**
 * Several accounts in one request, end to end through Slack over HTTP: the loopback workspace, the
 * Bolt app, the real DynamoDB adapter on dynalite and the real Identity Center adapter on the AWS
 * emulator. Three accounts: one the policy refuses (no rule), one that AWS FAILS (the emulator's
 * injected FAILED operation), one that is granted; one Approve click; each account's state on the
 * messages; End all now.
 */
import { demoPolicy, demoPolicyInput } from '../builders/policy';
import type { SlackMessageRecord } from '../../adapters/local/slack-workspace';
import { APPROVALS, startSlackStack, type SlackStack } from '../support/slack-harness';

const RITA = 'U0RITA'; // an engineer
const BOB = 'U0BOB'; // an SRE lead
const PROD = '111111111111';
const PAYMENTS = '333333333333';
const STAGING = '444444444444';

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;
const hasButton = (m: SlackMessageRecord | undefined, actionId: string) =>
  render(m).includes(`"action_id":"${actionId}"`);

describe('several accounts in one request through Slack', () => {
  let stack: SlackStack;

  beforeAll(async () => {
    // prod and payments (under the Production OU) need one SRE lead's approval; staging has no rule.
    const base = demoPolicyInput();
    const policy = demoPolicy({
      rules: base.rules!.map((r) =>
        r.name === 'prod-admin' ? { ...r, approvers: { groups: ['sre-leads'], count: 1 } } : r,
      ),
    });
    stack = await startSlackStack({ backend: 'aws', policy });
  });
  afterAll(() => stack?.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const dm = (user: string) => ws().channelMessages(`D${user.slice(1)}`);
  const approvalPost = () => ws().channelMessages(APPROVALS).at(-1);
  const bundleDm = () => dm(RITA).find((m) => render(m).includes('Your request for'));

  it('files one request per allowed account, refuses the one with no rule up front with why, and posts one approval message listing them', async () => {
    await client().command(RITA, `request ${PROD},payments,${STAGING} AdministratorAccess 2h INC-77 rotate keys`);
    await stack.settle();
    const answer = render(ws().ephemeralsOf(RITA).at(-1));
    expect(answer).toContain('Request filed for 2 account(s)');
    expect(answer).toContain('Not requested');
    expect(answer).toContain(`staging* (\`${STAGING}\`): refused`);
    expect(answer).toContain('no rule lets you request AdministratorAccess in staging');

    expect(ws().channelMessages(APPROVALS)).toHaveLength(1);
    const post = render(approvalPost());
    for (const fact of ['<@U0RITA>', 'AdministratorAccess in 3 accounts', PROD, PAYMENTS, STAGING, 'prod-admin'])
      expect(post).toContain(fact);
    expect(post).toContain('waiting for approval: 0 of 1');
    expect(post).toContain('refused by policy');
    expect(hasButton(approvalPost(), 'approve_bundle')).toBe(true);
    expect(hasButton(approvalPost(), 'deny_bundle')).toBe(true);
    expect(dm(BOB).some((m) => hasButton(m, 'approve_bundle'))).toBe(true);
    expect(render(bundleDm())).toContain('waiting for approval');
    expect(stack.recorded.ofType('request_submitted')).toHaveLength(0);
  });

  it('approves every account with one click; AWS fails one, and each account shows its own state', async () => {
    stack.aws!.faults.failNextCreates(1, 'Role quota exceeded in the account');
    await client().clickInMessage(BOB, APPROVALS, approvalPost()!.ts, 'approve_bundle');
    await stack.settle();
    await stack.engine.idle();
    await stack.settle();

    const post = render(approvalPost());
    expect(post).toContain('FAILED in AWS: ');
    expect(post).toContain('Role quota exceeded');
    expect(post).toContain('active until');
    expect(hasButton(approvalPost(), 'approve_bundle')).toBe(false);
    expect(render(ws().ephemeralsOf(BOB).at(-1))).toContain('Your approval counts for prod, payments');

    const assigned = stack.aws!.state.assignments().filter((a) => [PROD, PAYMENTS].includes(a.accountId));
    expect(assigned).toHaveLength(1);

    const mine = render(bundleDm());
    expect(mine).toContain('FAILED in AWS');
    expect(mine).toContain('active until');
    expect(mine).toContain('refused by policy');
    expect(bundleDm()?.edited).toBeDefined();
    // The failed account is said in a DM of its own too.
    expect(dm(RITA).some((m) => m.text.startsWith('Access could not be set up'))).toBe(true);
  });

  it('ends all with End all now, or one with its own End now', async () => {
    expect(hasButton(bundleDm(), 'revoke_grant')).toBe(true);
    expect(hasButton(bundleDm(), 'revoke_bundle')).toBe(false); // only one account is live
    await client().clickInMessage(RITA, bundleDm()!.channel, bundleDm()!.ts, 'revoke_grant');
    await stack.settle();
    await stack.engine.idle();
    await stack.settle();
    expect(stack.aws!.state.assignments().filter((a) => [PROD, PAYMENTS].includes(a.accountId))).toHaveLength(0);
    expect(render(bundleDm())).toContain('ended by');
    expect(hasButton(bundleDm(), 'revoke_grant')).toBe(false);
  });
});

describe('End all now on a multi-account request through Slack', () => {
  let stack: SlackStack;
  beforeAll(async () => {
    stack = await startSlackStack({ backend: 'aws', policy: demoPolicy({ maxAccountsPerRequest: 3 }) });
  });
  afterAll(() => stack?.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const bundleDm = () =>
    ws()
      .channelMessages('D0RITA')
      .find((m) => render(m).includes('Your request for'));

  it('ends every live account of the request with one click, and the DM shows each one ended', async () => {
    // sandbox and sandbox-data are approved by policy at once (rule sandbox-readonly).
    await client().command(RITA, 'request ou:Sandbox ReadOnlyAccess 1h look at the logs');
    await stack.settle();
    await stack.engine.idle();
    await stack.settle();
    const sandboxes = () =>
      stack.aws!.state.assignments().filter((a) => ['222222222222', '222222222223'].includes(a.accountId));
    expect(sandboxes()).toHaveLength(2);
    expect(render(bundleDm()).match(/active until/g)).toHaveLength(2);
    expect(ws().channelMessages(APPROVALS)).toHaveLength(0); // nothing to approve

    await client().clickInMessage(RITA, bundleDm()!.channel, bundleDm()!.ts, 'revoke_bundle');
    await stack.settle();
    await stack.engine.idle();
    await stack.settle();
    expect(sandboxes()).toHaveLength(0);
    expect(render(ws().ephemeralsOf(RITA).at(-1))).toContain('Ending your access to sandbox, sandbox-data now');
    expect(render(bundleDm()).match(/ended by/g)).toHaveLength(2);
    expect(hasButton(bundleDm(), 'revoke_bundle')).toBe(false);
  });

  it('files a multi-account request from the form: an account, then more accounts by type-ahead', async () => {
    await client().command(RITA, '');
    await stack.settle();
    await client().pickExternal(RITA, 'account', 'account_select', 'prod', '111111111111');
    await stack.settle();
    await client().pickExternalMany(RITA, 'more_accounts', 'more_accounts_select', [
      { query: 'sandbox', value: '222222222222' },
      { query: 'stag', value: '444444444444' },
    ]);
    client().pick(RITA, 'permission_set', 'permission_set_select', 'AdministratorAccess');
    client().type(RITA, 'duration', 'duration_input', '1h');
    client().type(RITA, 'reason', 'reason_input', 'INC-5 compare the configs');
    const answer = await client().submit(RITA);
    expect(answer.errors).toBeUndefined();
    const receipt = render(client().modal(RITA));
    expect(receipt).toContain('Request filed for 2 account(s)');
    expect(receipt).toContain('staging* (`444444444444`): refused');
    await stack.settle();
    const post = ws().channelMessages(APPROVALS).at(-1);
    expect(render(post)).toContain('AdministratorAccess in 3 accounts');
    expect(hasButton(post, 'approve_bundle')).toBe(true);
  });

  it('refuses more accounts than the policy allows, with the limit, and files nothing', async () => {
    const before = stack.recorded.events.length;
    await client().command(RITA, 'request ou:Production,sandbox,sandbox-data ReadOnlyAccess 1h x-check');
    await stack.settle();
    const answer = render(ws().ephemeralsOf(RITA).at(-1));
    expect(answer).toContain('You asked for 4 accounts (ou:Production expanded)');
    expect(answer).toContain('at most 3');
    expect(stack.recorded.events.length).toBe(before);
  });
});
