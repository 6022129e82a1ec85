import {
  ErrorCodes,
  KeylessError,
  bundleEntries,
  isKeylessError,
  type AccountId,
  type GrantId,
  type PolicyInput,
} from '../../../src';
import { anAccount } from '../../builders';
import { demoPolicy, demoPolicyInput } from '../../builders/policy';
import { testEngine, users } from '../../builders/test-engine';
import { FakeIdentityCenter } from '../../fakes/fake-identity-center';
import { demoSeed } from '../../fakes/seed';

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** prod needs 2 approvals, payments 1 (another rule), sandbox is automatic, staging has no rule. */
function bundlePolicy(over: Partial<PolicyInput> = {}) {
  const base = demoPolicyInput();
  return demoPolicy({
    rules: [
      { ...base.rules![0]!, accounts: ['111111111111'] },
      {
        name: 'payments-admin',
        accounts: ['333333333333'],
        permissionSets: ['AdministratorAccess'],
        requesters: { groups: ['engineers'] },
        approvers: { groups: ['sre-leads'], count: 1 },
        maxDuration: '4h',
      },
      base.rules![1]!,
    ],
    ...over,
  });
}

function bundleEngine(over: Partial<PolicyInput> = {}) {
  const seed = demoSeed();
  seed.accounts.push(
    anAccount({
      id: '444444444444' as AccountId,
      name: 'staging',
      ouPath: ['r-ab12', 'ou-ab12-33333333'],
      ouNames: ['Root', 'Staging'],
      tags: { env: 'staging' },
    }),
  );
  return testEngine({ policy: bundlePolicy(over), identity: new FakeIdentityCenter(seed) });
}

const ask = {
  requester: users.rita,
  accounts: 'prod, payments,sandbox,staging',
  permissionSet: 'AdministratorAccess',
  duration: '1h',
  reason: 'INC-9 rotate the shared keys',
};

describe('several accounts in one request', () => {
  it('decides each account by its own rule, refuses the one with no rule up front, and files one request per account', async () => {
    const t = bundleEngine();
    const result = await t.engine.requestBundle(ask);
    expect(result.requests.map((r) => [r.accountName, r.rule, r.status, r.approvalsRequired])).toEqual([
      ['prod', 'prod-admin', 'pending', 2],
      ['payments', 'payments-admin', 'pending', 1],
      ['sandbox', 'sandbox-readonly', 'approved', 0],
    ]);
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]).toMatchObject({ accountName: 'staging', accountId: '444444444444' });
    expect(result.refused[0]!.why).toContain('no rule lets you request AdministratorAccess in staging');
    for (const r of result.requests) {
      expect(r.bundle).toEqual({
        id: result.bundleId,
        requestIds: result.requests.map((x) => x.id),
        refused: result.refused,
      });
    }
    // One announcement for the bundle; none of its requests is announced on its own.
    expect(t.notifier.ofType('request_submitted')).toHaveLength(0);
    const [submitted] = t.notifier.ofType('bundle_submitted');
    expect(submitted?.requests.map((r) => r.accountName)).toEqual(['prod', 'payments', 'sandbox']);
    expect(submitted?.approverEmails.sort()).toEqual(['ann@example.com', 'bob@example.com', 'carl@example.com']);
    expect(await t.store.getRequest(result.requests[0]!.id)).toBeDefined();
  });

  it('approves, with one click, every pending account the approver may approve, each counted by its own rule', async () => {
    const t = bundleEngine();
    const { requests } = await t.engine.requestBundle(ask);
    const [prod, payments] = requests;
    const first = await t.engine.approveBundle({ requestId: prod!.id, actor: users.bob });
    expect(first.results.map((r) => [r.accountName, r.outcome])).toEqual([
      ['prod', 'recorded'],
      ['payments', 'approved'],
    ]);
    expect((await t.engine.getRequest(prod!.id))?.status).toBe('pending');
    expect((await t.engine.getRequest(payments!.id))?.status).toBe('approved');
    // The same approver again adds nothing (each request counts a person once).
    const again = await t.engine.approveBundle({ requestId: payments!.id, actor: users.bob });
    expect(again.results.map((r) => r.outcome)).toEqual(['duplicate']);
    await t.engine.approveBundle({ requestId: prod!.id, actor: users.carl });
    await t.engine.idle();
    const view = (await t.engine.bundleOf(prod!.id))!;
    expect(view.grants.map((g) => [g.accountName, g.status])).toEqual([
      ['prod', 'active'],
      ['payments', 'active'],
      ['sandbox', 'active'],
    ]);
    expect(bundleEntries(view).map((e) => e.state)).toEqual(['active', 'active', 'active', 'refused']);
  });

  it('refuses the requester approving her own bundle and an outsider, and changes nothing', async () => {
    const t = bundleEngine();
    const { requests } = await t.engine.requestBundle({ ...ask, requester: users.ann });
    const own = await errorOf(t.engine.approveBundle({ requestId: requests[0]!.id, actor: users.ann }));
    expect(isKeylessError(own, ErrorCodes.SelfApprovalForbidden)).toBe(true);
    const outsider = await errorOf(t.engine.approveBundle({ requestId: requests[0]!.id, actor: users.olga }));
    expect(isKeylessError(outsider, ErrorCodes.NotEligibleApprover)).toBe(true);
    for (const r of requests.filter((x) => x.status === 'pending')) {
      expect((await t.engine.getRequest(r.id))?.approvals).toHaveLength(0);
      expect((await t.store.listAudit({ kind: 'request', id: r.id })).map((e) => e.event)).toContain('approve_refused');
    }
  });

  it('denies every pending account with one reason, and asks for one first', async () => {
    const t = bundleEngine();
    const { requests } = await t.engine.requestBundle(ask);
    const noReason = await errorOf(t.engine.denyBundle({ requestId: requests[1]!.id, actor: users.bob }));
    expect(isKeylessError(noReason, ErrorCodes.ReasonRequired)).toBe(true);
    await t.engine.denyBundle({ requestId: requests[1]!.id, actor: users.bob, reason: 'use read-only' });
    const statuses = await Promise.all(requests.map(async (r) => (await t.engine.getRequest(r.id))?.status));
    expect(statuses).toEqual(['denied', 'denied', 'approved']);
  });

  it('ends every live grant of the bundle with End now, or one with the grant’s own End now', async () => {
    const t = bundleEngine();
    const { requests } = await t.engine.requestBundle(ask);
    await t.engine.approveBundle({ requestId: requests[0]!.id, actor: users.bob });
    await t.engine.approveBundle({ requestId: requests[0]!.id, actor: users.carl });
    await t.engine.idle();
    const view = (await t.engine.bundleOf(requests[0]!.id))!;
    await t.engine.revoke({ grantId: view.grants[2]!.id, actor: users.rita });
    await t.engine.idle();
    expect((await t.engine.getGrant(view.grants[2]!.id))?.status).toBe('revoked');
    expect((await t.engine.getGrant(view.grants[0]!.id))?.status).toBe('active');
    const all = await t.engine.revokeBundle({ requestId: requests[0]!.id, actor: users.rita });
    expect(all.results.map((r) => r.accountName)).toEqual(['prod', 'payments']);
    await t.engine.idle();
    const after = (await t.engine.bundleOf(requests[0]!.id))!;
    expect(after.grants.map((g) => g.status)).toEqual(['revoked', 'revoked', 'revoked']);
    expect(t.identity.assignments.size).toBe(0);
  });

  it('reports one account that AWS failed to assign, and gives the others', async () => {
    const t = bundleEngine();
    t.identity.failNext('assign', new KeylessError(ErrorCodes.AssignmentFailed, 'Role quota exceeded'));
    const { requests } = await t.engine.requestBundle({ ...ask, accounts: 'sandbox,prod' });
    await t.engine.approveBundle({ requestId: requests[1]!.id, actor: users.bob });
    await t.engine.approveBundle({ requestId: requests[1]!.id, actor: users.carl });
    await t.engine.idle();
    const entries = bundleEntries((await t.engine.bundleOf(requests[0]!.id))!);
    expect(entries.map((e) => [e.accountName, e.state])).toEqual([
      ['sandbox', 'failed'],
      ['prod', 'active'],
    ]);
    expect(entries[0]!.line).toContain('Role quota exceeded');
    expect(entries.map((e) => e.endable)).toEqual([false, true]);
  });

  it('expands ou:<name> to every account under the OU', async () => {
    const t = bundleEngine();
    const { requests, refused } = await t.engine.requestBundle({ ...ask, accounts: 'ou:Staging,ou:ou-ab12-22222222' });
    expect(refused.map((r) => r.accountName)).toEqual(['staging']);
    expect(requests.map((r) => r.accountName)).toEqual(['sandbox']);
  });

  it('refuses more accounts than the policy allows, says how many, and files nothing', async () => {
    const t = bundleEngine({ maxAccountsPerRequest: 2 });
    const error = await errorOf(t.engine.requestBundle(ask));
    expect(isKeylessError(error, ErrorCodes.InvalidInput)).toBe(true);
    expect((error as Error).message).toContain('You asked for 4 accounts');
    expect((error as Error).message).toContain('at most 2');
    expect(await t.store.listRequests({ status: 'pending' })).toHaveLength(0);
    expect(t.notifier.events).toHaveLength(0);
  });

  it('names an unknown account or OU and files nothing', async () => {
    const t = bundleEngine();
    const error = await errorOf(t.engine.requestBundle({ ...ask, accounts: 'prod,ou:Nowhere,prdo' }));
    expect(isKeylessError(error, ErrorCodes.UnknownAccount)).toBe(true);
    expect((error as Error).message).toContain('"ou:Nowhere", "prdo"');
    expect(t.notifier.events).toHaveLength(0);
  });

  it('refuses the whole request when the policy refuses every account, with each one’s reason', async () => {
    const t = bundleEngine();
    const error = await errorOf(t.engine.requestBundle({ ...ask, accounts: 'staging', requester: users.olga }));
    expect(isKeylessError(error, ErrorCodes.PolicyDenied)).toBe(true);
    expect((error as Error).message).toContain('staging (444444444444)');
    expect(t.notifier.events).toHaveLength(0);
  });

  it('files nothing twice when the same submission arrives again', async () => {
    const t = bundleEngine();
    const first = await t.engine.requestBundle({ ...ask, idempotencyKey: 'slack:T1:cmd:abc' });
    const again = await t.engine.requestBundle({ ...ask, idempotencyKey: 'slack:T1:cmd:abc' });
    expect(again.duplicate).toBe(true);
    expect(again.requests.map((r) => r.id)).toEqual(first.requests.map((r) => r.id));
    expect(t.notifier.ofType('bundle_submitted')).toHaveLength(1);
    expect(await t.store.listRequests({ status: 'pending' })).toHaveLength(2);
  });

  it('keeps the one-active-grant guard per account: a bundle for a live grant extends it', async () => {
    const t = bundleEngine();
    const first = await t.engine.requestBundle({ ...ask, accounts: 'sandbox' });
    await t.engine.idle();
    const again = await t.engine.requestBundle({ ...ask, accounts: 'sandbox' });
    await t.engine.idle();
    expect(again.requests[0]!.kind).toBe('extension');
    expect(again.requests[0]!.extendsGrantId).toBe(first.requests[0]!.grantId ?? `${first.requests[0]!.id}-g`);
    expect(t.identity.assignments.size).toBe(1);
    expect((await t.engine.getGrant(`${first.requests[0]!.id}-g` as GrantId))?.status).toBe('active');
  });
});
