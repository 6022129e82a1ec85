import { readFileSync } from 'node:fs';
import {
  ErrorCodes,
  decide,
  explainDecision,
  isKeylessError,
  parsePolicy,
  requestablePermissionSets,
  type DecisionInput,
} from '../../../src';
import {
  POLICY_SCHEMA_PATH,
  README_PATH,
  readmeWithReference,
  renderPolicySchema,
} from '../../../scripts/generate-policy-schema';
import { aPermissionSet, aPrincipal, anAccount, READONLY } from '../../builders';
import { demoPolicy, demoPolicyInput } from '../../builders/policy';
import type { AccountId } from '../../../src';

const policy = demoPolicy();
const engineer = aPrincipal();
const lead = aPrincipal({
  principalId: '90670000-0000-0000-0000-000000000002',
  email: 'ann@example.com',
  groups: ['sre-leads'],
});
const prod = anAccount();
const sandbox = anAccount({
  id: '222222222222' as AccountId,
  name: 'sandbox',
  ouPath: ['r-ab12', 'ou-ab12-22222222'],
  tags: { env: 'sandbox' },
});
const payments = anAccount({
  id: '333333333333' as AccountId,
  name: 'payments',
  ouPath: ['r-ab12', 'ou-ab12-11111111'],
  tags: { env: 'prod', pci: 'true' },
});
const admin = aPermissionSet();
const readOnly = aPermissionSet({ arn: READONLY, name: 'ReadOnlyAccess' });

const ask = (over: Partial<DecisionInput> = {}): DecisionInput => ({
  principal: engineer,
  account: prod,
  permissionSet: admin,
  durationSeconds: 3600,
  ...over,
});

function problemsOf(document: unknown): string[] {
  try {
    parsePolicy(document);
    return [];
  } catch (error) {
    if (!isKeylessError(error, ErrorCodes.InvalidPolicy)) throw error;
    return error.details.problems as string[];
  }
}

describe('the policy file', () => {
  it('accepts the design’s example and fills defaults', () => {
    expect(policy.rules[0]?.selfApproval).toBe(false);
    expect(policy.approvalWindowSeconds).toBe(86400);
    expect(policy.alerts.staleKeyDays).toBe(90);
  });

  it('lists every problem with its path in one error', () => {
    const input = demoPolicyInput() as Record<string, unknown> & { rules: Record<string, unknown>[] };
    const problems = problemsOf({
      ...input,
      identityCenter: { instanceArn: 'nope', identityStoreId: 'd-1234567890', region: 'us-east-1' },
      rules: [
        { ...input.rules[0], maxDuration: 'forever' },
        { ...input.rules[1], accounts: ['12345'] },
        { ...input.rules[1], name: 'prod-admin', autoApprove: false },
      ],
      surprise: true,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^identityCenter\.instanceArn: /),
        expect.stringMatching(/^rules\[0\]\.maxDuration: /),
        expect.stringMatching(/^rules\[1\]\.accounts\[0\]: /),
        expect.stringMatching(/^rules\[2\]\.name: duplicate rule name/),
        expect.stringMatching(/^rules\[2\]\.approvers: an allow rule needs approvers or autoApprove/),
        expect.stringMatching(/surprise/),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(6);
  });

  it('refuses an N-of-M rule that names fewer approvers than it needs', () => {
    const input = demoPolicyInput();
    const problems = problemsOf({
      ...input,
      rules: [
        {
          name: 'x',
          accounts: ['*'],
          permissionSets: ['*'],
          requesters: { groups: ['*'] },
          approvers: { emails: ['a@example.com'], count: 2 },
        },
      ],
    });
    expect(problems).toEqual([expect.stringContaining('rules[0].approvers.count: needs 2 approvals but lists only 1')]);
  });

  it('keeps the committed JSON Schema in step with the zod schema (npm run schema)', () => {
    expect(readFileSync(POLICY_SCHEMA_PATH, 'utf8')).toBe(renderPolicySchema());
  });

  it('keeps the policy reference in README.md in step with the schema (npm run schema)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toBe(readmeWithReference(readme));
    expect(readme).toContain('| `rules[].approvers.count` |');
  });
});

describe('decide', () => {
  it('asks for N-of-M approval where the rule says so', () => {
    const d = decide(policy, ask());
    expect(d).toMatchObject({
      outcome: 'needs_approval',
      rule: 'prod-admin',
      approvers: { groups: ['sre-leads'], count: 2 },
      selfApproval: false,
    });
  });

  it('matches accounts by id, by OU (anywhere in the path) and by tag', () => {
    expect(decide(policy, ask({ account: prod })).rule).toBe('prod-admin');
    expect(decide(policy, ask({ account: { ...prod, id: '444444444444' as AccountId } })).rule).toBe('prod-admin');
    expect(decide(policy, ask({ account: sandbox, permissionSet: readOnly })).rule).toBe('sandbox-readonly');
  });

  it('auto-approves where a rule says so', () => {
    expect(decide(policy, ask({ account: sandbox, permissionSet: readOnly })).outcome).toBe('auto_approve');
  });

  it('denies what no rule allows', () => {
    const d = decide(policy, ask({ account: prod, permissionSet: readOnly }));
    expect(d).toMatchObject({ outcome: 'deny' });
    expect(d.reason).toContain('no rule lets you request ReadOnlyAccess in prod');
  });

  it('denies a requester outside the rule’s groups and emails', () => {
    const outsider = aPrincipal({ groups: ['marketing'], email: 'm@example.com' });
    expect(decide(policy, ask({ principal: outsider })).outcome).toBe('deny');
  });

  it('lets an explicit deny win over an allow', () => {
    const financeEngineer = aPrincipal({ groups: ['engineers', 'finance'] });
    const d = decide(policy, ask({ principal: financeEngineer, account: payments }));
    expect(d).toMatchObject({ outcome: 'deny', rule: 'no-pci-for-engineers' });
  });

  it('denies more than the rule’s maximum duration and says the maximum', () => {
    const d = decide(policy, ask({ durationSeconds: 5 * 3600 }));
    expect(d).toMatchObject({ outcome: 'deny', maxDurationSeconds: 4 * 3600 });
    expect(d.reason).toContain('longer than the 4h allowed');
  });

  it('grants break-glass at once within its cap, to the people it names', () => {
    expect(decide(policy, ask({ principal: lead, breakGlass: true, durationSeconds: 1800 })).outcome).toBe(
      'break_glass',
    );
    expect(decide(policy, ask({ principal: lead, breakGlass: true, durationSeconds: 7200 })).outcome).toBe('deny');
    expect(decide(policy, ask({ principal: engineer, breakGlass: true, durationSeconds: 1800 })).outcome).toBe('deny');
    expect(decide(demoPolicy({ breakGlass: undefined }), ask({ breakGlass: true })).reason).toContain('not enabled');
  });

  it('matches requesters by email as well as group', () => {
    const byEmail = demoPolicy({
      rules: [
        {
          name: 'one-person',
          accounts: ['*'],
          permissionSets: ['*'],
          requesters: { emails: ['rita@example.com'] },
          autoApprove: true,
        },
      ],
    });
    expect(decide(byEmail, ask()).outcome).toBe('auto_approve');
    expect(decide(byEmail, ask({ principal: lead })).outcome).toBe('deny');
  });

  it('prefers the least demanding rule that fits', () => {
    const two = demoPolicy({
      rules: [
        {
          name: 'strict',
          accounts: ['*'],
          permissionSets: ['*'],
          requesters: { groups: ['*'] },
          approvers: { groups: ['sre-leads'], count: 3 },
          maxDuration: '8h',
        },
        {
          name: 'light',
          accounts: ['*'],
          permissionSets: ['*'],
          requesters: { groups: ['*'] },
          approvers: { groups: ['sre-leads'], count: 1 },
          maxDuration: '1h',
        },
      ],
    });
    expect(decide(two, ask({ durationSeconds: 3600 })).rule).toBe('light');
    expect(decide(two, ask({ durationSeconds: 7200 })).rule).toBe('strict');
  });

  it('explains a decision in one sentence', () => {
    expect(explainDecision(decide(policy, ask()))).toBe(
      'Yes, with approval: rule "prod-admin" allows AdministratorAccess in prod (111111111111) for up to 4h with 2 approval(s) from group sre-leads (you cannot approve your own request).',
    );
    expect(explainDecision(decide(policy, ask({ permissionSet: readOnly })))).toBe(
      'No: no rule lets you request ReadOnlyAccess in prod (111111111111).',
    );
  });

  it('filters the permission sets a person may ask for in an account', () => {
    expect(requestablePermissionSets(policy, engineer, prod, [admin, readOnly]).map((p) => p.name)).toEqual([
      'AdministratorAccess',
    ]);
    expect(requestablePermissionSets(policy, engineer, sandbox, [admin, readOnly]).map((p) => p.name)).toEqual([
      'AdministratorAccess',
      'ReadOnlyAccess',
    ]);
  });
});
