import type { OnCallDirectory, PolicyInput } from '../../../src';
import { demoPolicy, demoPolicyInput } from '../../builders/policy';
import { testEngine, users } from '../../builders/test-engine';

const SCHEDULE = 'pagerduty:PSRE001';

/** Who is on call, as a directory answers (emails, lower-cased). */
class OnCallNow implements OnCallDirectory {
  readonly onCall = new Map<string, string[]>();
  asked = 0;
  whoIsOnCall(schedule: string): Promise<string[]> {
    this.asked++;
    return Promise.resolve(this.onCall.get(schedule) ?? []);
  }
}

/** The demo policy and two rules that serve the on-call: one auto-approves them, one has them approve. */
function onCallPolicy() {
  const rules: PolicyInput['rules'] = [
    ...(demoPolicyInput().rules ?? []),
    {
      name: 'prod-readonly-oncall',
      accounts: ['111111111111'],
      permissionSets: ['ReadOnlyAccess'],
      requesters: { groups: ['engineers'] },
      autoApprove: { whenOnCall: [SCHEDULE] },
      maxDuration: '2h',
    },
    {
      name: 'payments-readonly',
      accounts: ['333333333333'],
      permissionSets: ['ReadOnlyAccess'],
      requesters: { groups: ['engineers'] },
      approvers: { oncall: [SCHEDULE] },
      maxDuration: '3h',
    },
  ];
  return demoPolicy({ rules });
}

function setup() {
  const directory = new OnCallNow();
  const t = testEngine({ policy: onCallPolicy(), onCall: directory });
  return { ...t, directory };
}

const names = (o: { options: { permissionSet: { name: string }; maxSeconds: number }[] }) =>
  o.options.map((x) => `${x.permissionSet.name} ${x.maxSeconds}`).sort();

describe('the request form offers the rules that serve the on-call to the people they serve', () => {
  it('offers a rule that auto-approves the on-call to whoever is on call now, and to nobody else', async () => {
    const t = setup();
    expect(names(await t.engine.requestOptions({ user: users.rita, account: '111111111111' }))).toEqual([
      'AdministratorAccess 14400',
    ]);
    t.directory.onCall.set(SCHEDULE, ['rita@example.com']);
    expect(names(await t.engine.requestOptions({ user: users.rita, account: '111111111111' }))).toEqual([
      'AdministratorAccess 14400',
      'ReadOnlyAccess 7200',
    ]);
    // Someone else, not on call, still does not see it.
    expect(names(await t.engine.requestOptions({ user: users.ann, account: '111111111111' }))).toEqual([
      'AdministratorAccess 14400',
    ]);
  });

  it('offers a rule whose approvers are only the on-call to its requesters, on call or not', async () => {
    const t = setup();
    expect(names(await t.engine.requestOptions({ user: users.rita, account: '333333333333' }))).toEqual([
      'AdministratorAccess 14400',
      'ReadOnlyAccess 10800',
    ]);
  });

  it('asks the directory only about the schedules that can change the answer', async () => {
    const t = setup();
    await t.engine.requestOptions({ user: users.rita, account: '222222222222' });
    expect(t.directory.asked).toBe(0);
    await t.engine.requestOptions({ user: users.rita, account: '111111111111' });
    expect(t.directory.asked).toBe(1);
  });

  it('why answers for the on-call as the request will', async () => {
    const t = setup();
    const before = await t.engine.explain({
      user: users.rita,
      account: '111111111111',
      permissionSet: 'ReadOnlyAccess',
    });
    expect(before).toMatch(/^No: rule "prod-readonly-oncall" gives ReadOnlyAccess .* only to whoever is on call now/);
    t.directory.onCall.set(SCHEDULE, ['rita@example.com']);
    const now = await t.engine.explain({ user: users.rita, account: '111111111111', permissionSet: 'ReadOnlyAccess' });
    expect(now).toMatch(/^Yes: rule "prod-readonly-oncall" approves ReadOnlyAccess .* at once for whoever is on call/);
    const result = await t.engine.requestAccess({
      requester: users.rita,
      account: '111111111111',
      permissionSet: 'ReadOnlyAccess',
      duration: '2h',
      reason: 'INC-9 page says the queue is stuck',
    });
    expect(result.decision.outcome).toBe('auto_approve');
  });
});
