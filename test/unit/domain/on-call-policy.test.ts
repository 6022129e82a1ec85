import {
  decide,
  isEligibleApprover,
  nextEscalationStep,
  parsePolicy,
  policyOnCallRefs,
  type PolicyInput,
  type Principal,
} from '../../../src';
import { aRequest, T0 } from '../../builders';
import { demoPolicyInput } from '../../builders/policy';
import { demoSeed } from '../../fakes/seed';

const REF = 'pagerduty:PSRE001';
const seed = demoSeed();
const who = (name: string): Principal => seed.principals.find((p) => p.userName === name)!;
const prod = seed.accounts[0]!;
const admin = seed.permissionSets[0]!;

const withRule = (rule: Record<string, unknown>, over: Partial<PolicyInput> = {}) =>
  parsePolicy({
    ...demoPolicyInput(),
    ...over,
    rules: [
      {
        name: 'prod-on-call',
        accounts: ['111111111111'],
        permissionSets: ['AdministratorAccess'],
        requesters: { groups: ['engineers'] },
        ...rule,
      },
    ],
  } as PolicyInput);

const problemsOf = (rule: Record<string, unknown>, over: Partial<PolicyInput> = {}): string => {
  try {
    withRule(rule, over);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('on-call and escalation in the policy', () => {
  it('accepts on-call approvers, whenOnCall auto-approval and an escalation, and lists every schedule', () => {
    const p = withRule({
      approvers: { oncall: [REF] },
      autoApprove: { whenOnCall: ['pagerduty:PAUTO01'] },
      escalation: { remindAfter: '10m', escalateAfter: '30m', to: { oncall: ['pagerduty:PMGR001'] } },
    });
    expect(policyOnCallRefs(p)).toEqual(['pagerduty:PAUTO01', 'pagerduty:PMGR001', REF]);
  });

  it.each([
    [{ approvers: { oncall: ['opsgenie:team'] } }, 'must be a PagerDuty schedule'],
    [{ approvers: { groups: ['sre-leads'] }, autoApprove: { whenOnCall: [] } }, 'whenOnCall'],
    [
      { approvers: { groups: ['sre-leads'] }, escalation: { escalateAfter: '30m' } },
      'escalateAfter needs the approvers',
    ],
    [{ approvers: { groups: ['sre-leads'] }, escalation: {} }, 'name remindAfter, escalateAfter, or both'],
    [
      {
        approvers: { groups: ['sre-leads'] },
        escalation: { remindAfter: '30m', escalateAfter: '10m', to: { groups: ['x'] } },
      },
      'must be longer than remindAfter',
    ],
    [{ autoApprove: true, escalation: { remindAfter: '10m' } }, 'escalation needs approvers'],
  ])('refuses %j', (rule, message) => {
    expect(problemsOf(rule)).toContain(message);
  });

  it('refuses a reminder or escalation at or after the end of the approval window', () => {
    const rule = {
      approvers: { groups: ['sre-leads'] },
      escalation: { remindAfter: '2h', escalateAfter: '3h', to: { groups: ['x'] } },
    };
    const message = problemsOf(rule, { approvalWindow: '2h' });
    expect(message).toContain('remindAfter: must be shorter than the approvalWindow');
    expect(message).toContain('escalateAfter: must be shorter than the approvalWindow');
    expect(problemsOf(rule, { approvalWindow: '4h' })).toBe('');
  });
});

describe('on-call decisions', () => {
  const policy = withRule({ approvers: { groups: ['sre-leads'] }, autoApprove: { whenOnCall: [REF] } });
  const input = { principal: who('rita'), account: prod, permissionSet: admin, durationSeconds: 3600 };

  it('auto-approves a requester who is on call now, naming the schedule', () => {
    const d = decide(policy, { ...input, onCall: new Set([REF]) });
    expect(d.outcome).toBe('auto_approve');
    expect(d.onCallSchedule).toBe(REF);
  });

  it('falls back to the approvers for anyone not on call', () => {
    expect(decide(policy, input).outcome).toBe('needs_approval');
    expect(decide(policy, { ...input, onCall: new Set(['pagerduty:POTHER1']) }).outcome).toBe('needs_approval');
  });

  it('denies, saying why, under a rule that serves only the on-call', () => {
    const onlyOnCall = withRule({ autoApprove: { whenOnCall: [REF] } });
    const d = decide(onlyOnCall, input);
    expect(d.outcome).toBe('deny');
    expect(d.reason).toContain('only to whoever is on call now');
    expect(decide(onlyOnCall, { ...input, onCall: new Set([REF]) }).outcome).toBe('auto_approve');
  });

  it('lets an on-call approver approve only while on call, and never their own request', () => {
    const spec = { groups: [], emails: [], oncall: [REF], count: 1 };
    const bob = who('bob');
    expect(isEligibleApprover(spec, bob, 'someone-else', false, new Set([REF]))).toEqual({ eligible: true, via: REF });
    expect(isEligibleApprover(spec, bob, 'someone-else', false, new Set())).toEqual({
      eligible: false,
      why: 'not_on_call',
    });
    expect(isEligibleApprover(spec, bob, bob.principalId, false, new Set([REF]))).toEqual({
      eligible: false,
      why: 'self',
    });
  });
});

describe('the next escalation step of a request', () => {
  const escalation = { remindAt: T0 + 10, escalateAt: T0 + 20, to: { groups: ['security'], emails: [] } };

  it('is the reminder, then the escalation, then nothing', () => {
    const r = aRequest({ escalation, decideBy: T0 + 1000 });
    expect(nextEscalationStep(r)).toEqual({ step: 'remind', at: T0 + 10 });
    expect(nextEscalationStep({ ...r, remindedAt: T0 + 10 })).toEqual({ step: 'escalate', at: T0 + 20 });
    expect(nextEscalationStep({ ...r, remindedAt: T0 + 10, escalatedAt: T0 + 20 })).toBeUndefined();
  });

  it('is nothing for a decided request, or one whose window ends first', () => {
    expect(nextEscalationStep(aRequest({ escalation, status: 'denied' }))).toBeUndefined();
    expect(nextEscalationStep(aRequest({ escalation, decideBy: T0 + 5 }))).toBeUndefined();
  });
});
