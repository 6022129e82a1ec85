import { decide, matchesAccount, ruleMaxSeconds, type DecisionInput } from '../../../src';
import { aPermissionSet, aPrincipal, anAccount } from '../../builders';
import { demoPolicy, demoPolicyInput } from '../../builders/policy';
import type { AccountId } from '../../../src';

/**
 * The edges of the policy: a cap is exact to the second, an OU rule covers every account below the
 * OU however deep, and a deny rule wins over break-glass too.
 */
const policy = demoPolicy();
const engineer = aPrincipal();
const lead = aPrincipal({
  principalId: '90670000-0000-0000-0000-000000000002',
  email: 'ann@example.com',
  groups: ['sre-leads'],
});
const prod = anAccount();
const admin = aPermissionSet();
const ask = (over: Partial<DecisionInput> = {}): DecisionInput => ({
  principal: engineer,
  account: prod,
  permissionSet: admin,
  durationSeconds: 3600,
  ...over,
});

/** prod-admin covers ou:ou-ab12-11111111; these accounts sit one and two OUs below it. */
const childOfProd = anAccount({
  id: '444444444444' as AccountId,
  name: 'prod-eu',
  ouPath: ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-44444444'],
  tags: {},
});
const grandchildOfProd = anAccount({
  id: '555555555555' as AccountId,
  name: 'prod-eu-batch',
  ouPath: ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-44444444', 'ou-ab12-55555555'],
  tags: {},
});
/** Below a sibling OU: prod-admin must not cover it. */
const nestedElsewhere = anAccount({
  id: '666666666666' as AccountId,
  name: 'dev-eu',
  ouPath: ['r-ab12', 'ou-ab12-22222222', 'ou-ab12-44444444'],
  tags: {},
});

describe('the exact boundary of every cap', () => {
  const max = ruleMaxSeconds(policy.rules.find((r) => r.name === 'prod-admin')!);
  const glass = ruleMaxSeconds(policy.breakGlass!);

  it('a rule allows exactly its maximum, and refuses one second more', () => {
    expect(decide(policy, ask({ durationSeconds: max })).outcome).toBe('needs_approval');
    expect(decide(policy, ask({ durationSeconds: max + 1 }))).toMatchObject({
      outcome: 'deny',
      maxDurationSeconds: max,
    });
  });

  it('break-glass allows exactly its cap, and refuses one second more', () => {
    expect(decide(policy, ask({ principal: lead, breakGlass: true, durationSeconds: glass })).outcome).toBe(
      'break_glass',
    );
    expect(decide(policy, ask({ principal: lead, breakGlass: true, durationSeconds: glass + 1 }))).toMatchObject({
      outcome: 'deny',
      maxDurationSeconds: glass,
    });
  });

  it('an auto-approving rule allows exactly its maximum, and refuses one second more', () => {
    const sandbox = anAccount({ id: '222222222222' as AccountId, tags: { env: 'sandbox' } });
    const auto = ruleMaxSeconds(policy.rules.find((r) => r.name === 'sandbox-readonly')!);
    expect(decide(policy, ask({ account: sandbox, durationSeconds: auto })).outcome).toBe('auto_approve');
    expect(decide(policy, ask({ account: sandbox, durationSeconds: auto + 1 })).outcome).toBe('deny');
  });
});

describe('an OU rule covers the OU and everything below it', () => {
  it('matches accounts one and two OUs below the named OU', () => {
    expect(matchesAccount(['ou:ou-ab12-11111111'], childOfProd)).toBe(true);
    expect(matchesAccount(['ou:ou-ab12-11111111'], grandchildOfProd)).toBe(true);
    expect(decide(policy, ask({ account: grandchildOfProd })).rule).toBe('prod-admin');
    expect(decide(policy, ask({ account: childOfProd })).outcome).toBe('needs_approval');
  });

  it('matches the intermediate OU and the root too, and never a sibling branch', () => {
    expect(matchesAccount(['ou:ou-ab12-44444444'], grandchildOfProd)).toBe(true);
    expect(matchesAccount(['ou:r-ab12'], grandchildOfProd)).toBe(true);
    expect(matchesAccount(['ou:ou-ab12-11111111'], nestedElsewhere)).toBe(false);
    expect(decide(policy, ask({ account: nestedElsewhere })).outcome).toBe('deny');
  });
});

describe('a deny rule wins for break-glass too', () => {
  const withDeny = demoPolicy({
    rules: [
      ...demoPolicyInput().rules!,
      {
        name: 'no-admin-below-prod-eu',
        effect: 'deny',
        accounts: ['ou:ou-ab12-44444444'],
        permissionSets: ['AdministratorAccess'],
        requesters: { groups: ['sre-leads'] },
      },
    ],
  });

  it('refuses break-glass where a deny rule matches, naming the rule', () => {
    // Without the deny rule, break-glass would open it.
    expect(decide(policy, ask({ principal: lead, account: grandchildOfProd, breakGlass: true })).outcome).toBe(
      'break_glass',
    );
    expect(decide(withDeny, ask({ principal: lead, account: grandchildOfProd, breakGlass: true }))).toMatchObject({
      outcome: 'deny',
      rule: 'no-admin-below-prod-eu',
    });
    expect(decide(withDeny, ask({ principal: lead, account: childOfProd, breakGlass: true })).outcome).toBe('deny');
    // Elsewhere break-glass still works.
    expect(decide(withDeny, ask({ principal: lead, account: prod, breakGlass: true })).outcome).toBe('break_glass');
  });
});

describe('the alerts block: user kinds and per-kind thresholds', () => {
  it('refuses a machineUsers name pattern that is not a regular expression, naming the field', () => {
    expect(() => demoPolicy({ alerts: { machineUsers: { namePattern: '(svc' } } })).toThrow(
      /machineUsers.*namePattern|regular expression/,
    );
  });

  it('refuses a path that is not an IAM path, and an unknown threshold', () => {
    expect(() => demoPolicy({ alerts: { machineUsers: { pathPrefix: 'machine' } } })).toThrow(/IAM path/);
    expect(() => demoPolicy({ alerts: { machine: { staleDays: 3 } as never } })).toThrow();
  });

  it('defaults the password thresholds and leaves per-kind overrides empty', () => {
    expect(demoPolicy().alerts).toMatchObject({
      passwordUnusedDays: 90,
      passwordNeverUsedGraceDays: 7,
      human: {},
      machine: {},
      machineUsers: {},
    });
  });
});
