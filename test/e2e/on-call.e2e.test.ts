/**
 * On-call approvers and escalation end to end through Slack: real HTTP into the Bolt app, the
 * loopback Slack workspace, and the PagerDuty adapter reading a loopback PagerDuty over HTTP (the
 * REST API v2 `/oncalls` shape). The engine runs on a manual clock; three replicas share one store,
 * and their sweeps race for every reminder and escalation.
 */
import { parsePolicy, silentLogger, type RequestId } from '../../src';
import { PagerDutyOnCall } from '../../adapters/oncall/pagerduty';
import { startPagerDutyLoopback, type RunningPagerDuty } from '../../adapters/local/pagerduty';
import type { SlackMessageRecord } from '../../adapters/local/slack-workspace';
import { demoPolicyInput } from '../builders/policy';
import { ManualClock } from '../fakes/manual-clock';
import { APPROVALS, startSlackStack, type SlackStack } from '../support/slack-harness';

const RITA = 'U0RITA'; // engineer, never on call here
const ANN = 'U0ANN'; // engineer, on call later
const BOB = 'U0BOB'; // on call now
const CARL = 'U0CARL'; // was on call an hour ago
const SAM = 'U0SAM'; // security: the escalation target
const SCHEDULE = 'PSRE001';
const REF = `pagerduty:${SCHEDULE}`;
const TOKEN = 'pd-loopback-token-0123';
const MINUTE = 60_000;

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;
const hasButton = (m: SlackMessageRecord | undefined, actionId: string) =>
  render(m).includes(`"action_id":"${actionId}"`);

const policy = parsePolicy({
  ...demoPolicyInput(),
  rules: [
    {
      name: 'prod-on-call',
      accounts: ['111111111111', '333333333333'],
      permissionSets: ['AdministratorAccess'],
      requesters: { groups: ['engineers'] },
      approvers: { oncall: [REF] },
      autoApprove: { whenOnCall: [REF] },
      maxDuration: '4h',
      escalation: { remindAfter: '10m', escalateAfter: '20m', to: { groups: ['security'] } },
    },
  ],
});

describe('on-call approvers and escalation, through Slack and a loopback PagerDuty', () => {
  let stack: SlackStack;
  let pd: RunningPagerDuty;
  let clock: ManualClock;

  beforeAll(async () => {
    pd = await startPagerDutyLoopback({ token: TOKEN, schedules: [{ id: SCHEDULE, name: 'SRE primary' }] });
    const onCall = new PagerDutyOnCall({ token: TOKEN, apiUrl: pd.url, logger: silentLogger });
    stack = await startSlackStack({ policy, onCall, replicas: 3 });
    clock = stack.clock as ManualClock;
    // Carl was on call until an hour ago; Bob is on call since then.
    pd.state.setOnCall(SCHEDULE, 'carl@example.com', clock.now() - 2 * 60 * MINUTE);
    pd.state.setOnCall(SCHEDULE, 'bob@example.com', clock.now() - 60 * MINUTE);
  });
  afterAll(async () => {
    await stack?.stop();
    await pd?.stop();
  });

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const dm = (user: string) => ws().channelMessages(`D${user.slice(1)}`);
  const post = (id: string) =>
    ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes(id) && hasButton(m, 'approve_request'))!;
  const lastRequestId = () => /request `([^`]+)`/.exec(render(ws().channelMessages(APPROVALS).at(-1)))![1] as RequestId;
  const events = async (id: string) => (await stack.store.listAudit({ kind: 'request', id })).map((e) => e.event);

  let first: RequestId;

  it('asks whoever PagerDuty says is on call now, and only them', async () => {
    await client().command(RITA, 'request prod AdministratorAccess 2h INC-7 restore the queue');
    await stack.settle();
    first = lastRequestId();
    const text = render(post(first));
    expect(text).toContain(`the on-call of ${REF}`);
    expect(dm(BOB).some((m) => render(m).includes(first) && hasButton(m, 'approve_request'))).toBe(true);
    expect(dm(CARL).some((m) => render(m).includes(first))).toBe(false);
    expect(pd.log.some((l) => l.startsWith('GET /oncalls?') && l.includes('schedule_ids%5B%5D=PSRE001'))).toBe(true);
  });

  it('refuses the person who was on call an hour ago, privately, and audits it', async () => {
    await client().clickInMessage(CARL, APPROVALS, post(first).ts, 'approve_request');
    await stack.settle();
    expect(render(ws().ephemeralsOf(CARL).at(-1))).toContain(`not on call now on ${REF}`);
    expect(await events(first)).toContain('approve_refused');
    expect((await stack.engine.getRequest(first))!.status).toBe('pending');
  });

  it('lets the person on call now approve, and says so on the message and in the audit', async () => {
    await client().clickInMessage(BOB, APPROVALS, post(first).ts, 'approve_request');
    await stack.settle();
    const request = (await stack.engine.getRequest(first))!;
    expect(request.status).toBe('approved');
    expect(request.approvals[0]!.via).toBe(REF);
    const message = render(
      ws()
        .channelMessages(APPROVALS)
        .find((m) => render(m).includes(first)),
    );
    expect(message).toContain(`Bob approved as the on-call of ${REF}`);
    expect(
      hasButton(
        ws()
          .channelMessages(APPROVALS)
          .find((m) => render(m).includes(first))!,
        'approve_request',
      ),
    ).toBe(false);
    const audit = await stack.store.listAudit({ kind: 'request', id: first });
    expect(audit.find((e) => e.event === 'approve')?.details).toMatchObject({ onCall: REF });
  });

  it('approves an on-call requester at once, and says so loudly in the approvals channel', async () => {
    clock.advance(5 * MINUTE); // beyond the adapter's short cache
    pd.state.setOnCall(SCHEDULE, 'ann@example.com', clock.now());
    const before = ws().channelMessages(APPROVALS).length;
    await client().command(ANN, 'request prod AdministratorAccess 1h INC-8 on-call fix');
    await stack.settle();
    const loud = ws()
      .channelMessages(APPROVALS)
      .slice(before)
      .find((m) => render(m).includes('On-call auto-approval'));
    expect(loud).toBeDefined();
    expect(render(loud)).toContain(REF);
    expect(hasButton(loud, 'approve_request')).toBe(false);
    const id = /request `([^`]+)`/.exec(render(loud))![1]!;
    const request = (await stack.engine.getRequest(id))!;
    expect(request.status).toBe('approved');
    expect(request.onCallSchedule).toBe(REF);
    expect(request.history[0]!.details).toMatchObject({ autoApprovedOnCall: REF });
  });

  it('reminds, then escalates, a request nobody answers: each exactly once across three replicas', async () => {
    await client().command(RITA, 'request payments AdministratorAccess 1h INC-9 reconcile ledgers');
    await stack.settle();
    const id = lastRequestId();
    expect(render(post(id))).toContain('Approvers are reminded at');
    expect(render(post(id))).toContain('Escalates to group security at');
    const race = async () => {
      await Promise.all(stack.engines.map((e) => e.sweep()));
      await stack.settle();
    };

    // Before the escalation, security may not approve.
    await client().clickInMessage(SAM, APPROVALS, post(id).ts, 'approve_request');
    await stack.settle();
    expect(render(ws().ephemeralsOf(SAM).at(-1))).toContain('not');

    clock.advance(10 * MINUTE);
    await race();
    await race();
    expect((await events(id)).filter((e) => e === 'remind')).toHaveLength(1);
    // Ann is on call now: she is reminded, once.
    expect(dm(ANN).filter((m) => render(m).includes(id) && render(m).includes('Reminder'))).toHaveLength(1);
    expect(render(post(id))).toContain('Approvers reminded at');

    clock.advance(10 * MINUTE);
    await race();
    await race();
    expect((await events(id)).filter((e) => e === 'escalate')).toHaveLength(1);
    const samDms = dm(SAM).filter((m) => render(m).includes(id));
    expect(samDms).toHaveLength(1);
    expect(hasButton(samDms[0], 'approve_request')).toBe(true);
    expect(render(post(id))).toContain('Escalated to group security at');

    await client().clickInMessage(SAM, `D${SAM.slice(1)}`, samDms[0]!.ts, 'approve_request');
    await stack.settle();
    expect((await stack.engine.getRequest(id))!.status).toBe('approved');
    expect((await events(id)).filter((e) => e === 'remind' || e === 'escalate')).toEqual(['remind', 'escalate']);
  });
});
