import { ErrorCodes, isKeylessError } from '../../../src';
import { demoPolicy } from '../../builders/policy';
import { testEngine, users } from '../../builders/test-engine';

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

const prodAdmin = {
  account: 'prod',
  permissionSet: 'AdministratorAccess',
  duration: '1h',
  reason: 'INC-7 fix the deploy',
};

describe('approving and denying', () => {
  it('refuses the requester’s own approval, audits it, and does not count it', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.ann, ...prodAdmin });
    const error = await errorOf(t.engine.approve({ requestId: request.id, actor: users.ann }));
    expect(isKeylessError(error, ErrorCodes.SelfApprovalForbidden)).toBe(true);
    expect((await t.engine.getRequest(request.id))?.approvals).toHaveLength(0);
    const trail = await t.store.listAudit({ kind: 'request', id: request.id });
    expect(trail.map((e) => e.event)).toEqual(['create', 'approve_refused']);
    expect(trail[1]?.actor.id).toBe('slack:U0ANN');
  });

  it('counts the requester when the rule allows self-approval', async () => {
    const base = demoPolicy();
    const policy = demoPolicy({
      rules: base.rules.map((r) =>
        r.name === 'prod-admin'
          ? { ...r, selfApproval: true, approvers: { groups: ['sre-leads'], emails: [], count: 1 } }
          : r,
      ),
    });
    const t = testEngine({ policy });
    const { request } = await t.engine.requestAccess({ requester: users.ann, ...prodAdmin });
    expect((await t.engine.approve({ requestId: request.id, actor: users.ann })).outcome).toBe('approved');
  });

  it('refuses an outsider, audits it, and does not count it', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
    const error = await errorOf(t.engine.approve({ requestId: request.id, actor: users.olga }));
    expect(isKeylessError(error, ErrorCodes.NotEligibleApprover)).toBe(true);
    await errorOf(t.engine.deny({ requestId: request.id, actor: users.olga }));
    expect((await t.engine.getRequest(request.id))?.status).toBe('pending');
    expect((await t.store.listAudit({ kind: 'request', id: request.id })).map((e) => e.event)).toEqual([
      'create',
      'approve_refused',
      'deny_refused',
    ]);
  });

  it.each([
    [
      'unknown to Identity Center',
      { email: 'nobody@example.com' },
      ErrorCodes.PrincipalNotFound,
      'not known to Identity Center',
    ],
    ['without a verified email', { email: undefined }, ErrorCodes.UnverifiedIdentity, 'no verified email'],
  ])(
    'refuses a person %s, audits it on both approve and deny, and changes nothing',
    async (_name, over, code, reason) => {
      const t = testEngine();
      const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
      const { email: _email, ...base } = users.olga;
      const stranger = { ...base, id: 'U0STRANGER', ...(over.email ? { email: over.email } : {}) };
      expect(isKeylessError(await errorOf(t.engine.approve({ requestId: request.id, actor: stranger })), code)).toBe(
        true,
      );
      expect(isKeylessError(await errorOf(t.engine.deny({ requestId: request.id, actor: stranger })), code)).toBe(true);
      const after = await t.engine.getRequest(request.id);
      expect(after?.status).toBe('pending');
      expect(after?.approvals).toHaveLength(0);
      const trail = await t.store.listAudit({ kind: 'request', id: request.id });
      expect(trail.map((e) => [e.event, e.actor.id, e.reason])).toEqual([
        ['create', expect.any(String), prodAdmin.reason],
        ['approve_refused', 'slack:U0STRANGER', reason],
        ['deny_refused', 'slack:U0STRANGER', reason],
      ]);
    },
  );

  it('treats a double click as one approval', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
    const [a, b] = await Promise.all([
      t.engine.approve({ requestId: request.id, actor: users.ann }),
      t.engine.approve({ requestId: request.id, actor: users.ann }),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(['duplicate', 'recorded']);
    expect((await t.engine.getRequest(request.id))?.approvals).toHaveLength(1);
  });

  it('approves once when the last two approvers click at the same time, and creates one grant', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
    await t.engine.approve({ requestId: request.id, actor: users.ann });
    const results = await Promise.all([
      t.engine.approve({ requestId: request.id, actor: users.bob }),
      t.engine.approve({ requestId: request.id, actor: users.carl }),
    ]);
    await t.engine.idle();
    expect(results.map((r) => r.outcome).sort()).toEqual(['already_decided', 'approved']);
    expect(t.store.grants.size).toBe(1);
    expect(t.identity.assignCalls).toHaveLength(1);
  });

  it('denies with the approver’s reason, and later clicks change nothing', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
    const denied = await t.engine.deny({ requestId: request.id, actor: users.bob, reason: 'use read-only' });
    expect(denied.request.denial?.reason).toBe('use read-only');
    expect((await t.engine.approve({ requestId: request.id, actor: users.ann })).outcome).toBe('already_decided');
    await t.engine.idle();
    expect(t.identity.assignCalls).toHaveLength(0);
  });

  it.each([[undefined], [''], ['   '], ['no']])(
    'refuses a denial whose reason is %p, from any client, and changes nothing',
    async (reason) => {
      const t = testEngine();
      const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
      const error = await errorOf(
        t.engine.deny({ requestId: request.id, actor: users.bob, ...(reason === undefined ? {} : { reason }) }),
      );
      expect(isKeylessError(error, ErrorCodes.ReasonRequired)).toBe(true);
      expect((error as Error).message).toContain('at least 3 characters');
      expect((await t.engine.getRequest(request.id))?.status).toBe('pending');
    },
  );

  it('lets only the requester cancel, and only while pending', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
    expect(
      isKeylessError(
        await errorOf(t.engine.cancel({ requestId: request.id, actor: users.ann })),
        ErrorCodes.NotAllowed,
      ),
    ).toBe(true);
    expect((await t.engine.cancel({ requestId: request.id, actor: users.rita })).outcome).toBe('cancelled');
    expect((await t.engine.cancel({ requestId: request.id, actor: users.rita })).outcome).toBe('already_decided');
  });

  it('creates one request for a chat retry of the same submission', async () => {
    const t = testEngine();
    const first = await t.engine.requestAccess({
      requester: users.rita,
      ...prodAdmin,
      idempotencyKey: 'slack:view:V123',
    });
    const retry = await t.engine.requestAccess({
      requester: users.rita,
      ...prodAdmin,
      idempotencyKey: 'slack:view:V123',
    });
    expect(retry.duplicate).toBe(true);
    expect(retry.request.id).toBe(first.request.id);
    expect(t.store.requests.size).toBe(1);
    expect(t.notifier.ofType('request_submitted')).toHaveLength(1);
  });

  it('lists what waits on an approver, and a person’s own grants and requests', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
    expect((await t.engine.approvalsFor(users.ann)).map((r) => r.id)).toEqual([request.id]);
    expect(await t.engine.approvalsFor(users.rita)).toEqual([]);
    await t.engine.approve({ requestId: request.id, actor: users.ann });
    expect(await t.engine.approvalsFor(users.ann)).toEqual([]);
    expect((await t.engine.listMine(users.rita)).requests.map((r) => r.id)).toEqual([request.id]);
  });

  it('explains the policy to a person', async () => {
    const t = testEngine();
    expect(await t.engine.explain({ user: users.rita, account: 'prod', permissionSet: 'AdministratorAccess' })).toMatch(
      /^Yes, with approval: rule "prod-admin"/,
    );
    expect(
      await t.engine.explain({ user: users.olga, account: 'payments', permissionSet: 'AdministratorAccess' }),
    ).toMatch(/^No: rule "no-pci-for-engineers" denies/);
  });

  it('offers only the permission sets the rules allow for an account, with their maximum', async () => {
    const t = testEngine();
    const { options } = await t.engine.requestOptions({ user: users.rita, account: '222222222222' });
    expect(options.map((o) => [o.permissionSet.name, o.maxSeconds])).toEqual([
      ['AdministratorAccess', 8 * 3600],
      ['ReadOnlyAccess', 8 * 3600],
    ]);
  });

  it('gives clear errors for unknown accounts, permission sets, people and missing emails', async () => {
    const t = testEngine();
    const codes = await Promise.all([
      errorOf(t.engine.requestAccess({ requester: users.rita, ...prodAdmin, account: 'prdo' })),
      errorOf(t.engine.requestAccess({ requester: users.rita, ...prodAdmin, permissionSet: 'God' })),
      errorOf(t.engine.requestAccess({ requester: users.nobody, ...prodAdmin })),
      errorOf(t.engine.requestAccess({ requester: { ...users.rita, email: undefined }, ...prodAdmin })),
      errorOf(t.engine.requestAccess({ requester: users.rita, ...prodAdmin, ticket: 'javascript:alert(1)' })),
    ]);
    expect(codes.map((e) => (isKeylessError(e) ? e.code : e))).toEqual([
      ErrorCodes.UnknownAccount,
      ErrorCodes.UnknownPermissionSet,
      ErrorCodes.PrincipalNotFound,
      ErrorCodes.UnverifiedIdentity,
      ErrorCodes.InvalidInput,
    ]);
    expect(t.store.requests.size).toBe(0);
  });
});
