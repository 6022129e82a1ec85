import { ErrorCodes, grantAssignment, isKeylessError, type Grant } from '../../../src';
import { testEngine, users } from '../../builders/test-engine';

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

const prodAdmin = {
  account: '111111111111',
  permissionSet: 'AdministratorAccess',
  duration: '2h',
  reason: 'INC-42 restart the queue',
};

describe('the grant lifecycle', () => {
  it('goes from a request through two approvals to an active assignment, then expires on time', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
    expect(request.status).toBe('pending');
    expect(t.notifier.ofType('request_submitted')[0]?.approverEmails.sort()).toEqual([
      'ann@example.com',
      'bob@example.com',
      'carl@example.com',
    ]);

    expect((await t.engine.approve({ requestId: request.id, actor: users.ann })).outcome).toBe('recorded');
    expect((await t.engine.approve({ requestId: request.id, actor: users.bob })).outcome).toBe('approved');
    await t.engine.idle();

    const after = await t.engine.getRequest(request.id);
    const grant = (await t.engine.getGrant(after!.grantId!)) as Grant;
    expect(grant.status).toBe('active');
    expect(grant.expiresAt).toBe(t.clock.now() + 2 * 3600_000);
    expect(t.identity.has(grantAssignment(grant))).toBe(true);
    expect(t.engine.armedTimers).toBe(0); // 2 h is beyond the timer horizon; the sweep arms it later

    t.clock.advance(2 * 3600_000 - 60_000);
    await t.engine.sweep();
    expect(t.engine.armedTimers).toBe(1);
    t.clock.advance(59_999);
    await t.engine.idle();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('active');

    t.clock.advance(1);
    await t.engine.idle();
    const ended = await t.engine.getGrant(grant.id);
    expect(ended?.status).toBe('expired');
    expect(t.identity.has(grantAssignment(grant))).toBe(false);
    expect(t.identity.unassignCalls).toHaveLength(1);
    expect(await t.store.getActiveSlot(grantAssignment(grant))).toBeUndefined();
    expect(t.notifier.types()).toEqual(
      expect.arrayContaining(['request_submitted', 'request_updated', 'grant_activated', 'grant_ended']),
    );
  });

  it('audits every transition of request and grant exactly once', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin, duration: '1h' });
    await t.engine.approve({ requestId: request.id, actor: users.ann });
    await t.engine.approve({ requestId: request.id, actor: users.bob });
    await t.engine.idle();
    const grantId = (await t.engine.getRequest(request.id))!.grantId!;
    t.clock.advance(3600_000);
    await t.engine.sweep();
    await t.engine.idle();

    const requestTrail = await t.store.listAudit({ kind: 'request', id: request.id });
    expect(requestTrail.map((e) => `${e.event}:${e.from}->${e.to}`)).toEqual([
      'create:none->pending',
      'approve:pending->pending',
      'approve:pending->approved',
      'link_grant:approved->approved',
    ]);
    const grantTrail = await t.store.listAudit({ kind: 'grant', id: grantId });
    expect(grantTrail.map((e) => `${e.event}:${e.from}->${e.to}`)).toEqual([
      'create:none->provisioning',
      'assignment_confirmed:provisioning->active',
      'expiry_reached:active->deprovisioning',
      'unassignment_confirmed:deprovisioning->expired',
    ]);
    expect(grantTrail.map((e) => e.version)).toEqual([1, 2, 3, 4]);
  });

  it('auto-approves where a rule says so and grants at once', async () => {
    const t = testEngine();
    const { request, decision } = await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '90m',
      reason: 'look at the logs',
    });
    expect(decision.outcome).toBe('auto_approve');
    await t.engine.idle();
    const grant = await t.engine.getGrant((await t.engine.getRequest(request.id))!.grantId!);
    expect(grant?.status).toBe('active');
    expect(t.notifier.ofType('request_submitted')).toHaveLength(0);
  });

  it('marks a grant failed with AWS reason when the assignment fails, and frees the slot', async () => {
    const t = testEngine();
    t.identity.failNext(
      'assign',
      new (await import('../../../src')).KeylessError(
        ErrorCodes.AssignmentFailed,
        'Role quota exceeded in 222222222222',
      ),
    );
    const { request } = await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '1h',
      reason: 'look at the logs',
    });
    await t.engine.idle();
    const grant = await t.engine.getGrant((await t.engine.getRequest(request.id))!.grantId!);
    expect(grant?.status).toBe('failed');
    expect(grant?.failure?.message).toContain('Role quota exceeded');
    expect(t.notifier.ofType('grant_failed')).toHaveLength(1);
    expect(await t.store.getActiveSlot(grantAssignment(grant!))).toBeUndefined();
  });

  it('leaves a throttled assignment in provisioning for the sweep, which then completes it', async () => {
    const t = testEngine();
    const { KeylessError } = await import('../../../src');
    t.identity.failNext('assign', new KeylessError(ErrorCodes.Throttled, 'Rate exceeded'));
    const { request } = await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '1h',
      reason: 'look at the logs',
    });
    await t.engine.idle();
    const grantId = (await t.engine.getRequest(request.id))!.grantId!;
    expect((await t.engine.getGrant(grantId))?.status).toBe('provisioning');
    await t.engine.sweep();
    expect((await t.engine.getGrant(grantId))?.status).toBe('active');
  });

  it('turns a second request for a live grant into an extension to the later end, never a second assignment', async () => {
    const t = testEngine();
    const first = await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '1h',
      reason: 'look at the logs',
    });
    await t.engine.idle();
    const grantId = (await t.engine.getRequest(first.request.id))!.grantId!;
    const before = (await t.engine.getGrant(grantId))!.expiresAt!;

    // 30 minutes asked while an hour is left: the grant already ends later, so nothing moves.
    const second = await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '30m',
      reason: 'still looking',
    });
    await t.engine.idle();
    expect(second.request.kind).toBe('extension');
    expect((await t.engine.getGrant(grantId))!.expiresAt).toBe(before);
    expect(t.notifier.ofType('grant_extended').at(-1)).toMatchObject({ addSeconds: 0, grant: { expiresAt: before } });

    // Three hours asked later on: the end becomes that later end.
    t.clock.advance(20 * 60_000);
    await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '3h',
      reason: 'a long query',
    });
    await t.engine.idle();
    const end = t.clock.now() + 3 * 3600_000;
    expect((await t.engine.getGrant(grantId))!.expiresAt).toBe(end);
    expect(t.notifier.ofType('grant_extended').at(-1)).toMatchObject({
      addSeconds: (end - before) / 1000,
      grant: { expiresAt: end },
    });
    expect(t.identity.assignCalls).toHaveLength(1);
    expect(t.notifier.ofType('grant_extended')).toHaveLength(2);
  });

  it('refuses an extension that would go beyond the rule maximum, saying how much is left', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '7h',
      reason: 'long job',
    });
    await t.engine.idle();
    const grantId = (await t.engine.getRequest(request.id))!.grantId!;
    const error = await errorOf(t.engine.extend({ grantId, actor: users.olga, duration: '2h', reason: 'more' }));
    expect(isKeylessError(error, ErrorCodes.PolicyDenied)).toBe(true);
    expect((error as { hint: string }).hint).toContain('1h or less');
  });

  it('revokes early on the grantee’s word and removes the assignment', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '1h',
      reason: 'look at the logs',
    });
    await t.engine.idle();
    const grantId = (await t.engine.getRequest(request.id))!.grantId!;
    await t.engine.revoke({ grantId, actor: users.olga, reason: 'done' });
    await t.engine.idle();
    const grant = await t.engine.getGrant(grantId);
    expect(grant?.status).toBe('revoked');
    expect(grant?.endedBy?.id).toBe('slack:U0OLGA');
    expect(t.identity.assignments.size).toBe(0);
  });

  it('refuses an early revocation by someone unrelated', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '1h',
      reason: 'look at the logs',
    });
    await t.engine.idle();
    const grantId = (await t.engine.getRequest(request.id))!.grantId!;
    const error = await errorOf(t.engine.revoke({ grantId, actor: users.rita }));
    expect(isKeylessError(error, ErrorCodes.NotAllowed)).toBe(true);
    await t.engine.revoke({ grantId, actor: users.sam }); // an admin may
    await t.engine.idle();
    expect((await t.engine.getGrant(grantId))?.status).toBe('revoked');
  });

  it('times a pending request out after the approval window', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin });
    t.clock.advance(24 * 3600_000 - 1);
    await t.engine.sweep();
    expect((await t.engine.getRequest(request.id))?.status).toBe('pending');
    t.clock.advance(1);
    await t.engine.sweep();
    expect((await t.engine.getRequest(request.id))?.status).toBe('timed_out');
    const error = await errorOf(t.engine.approve({ requestId: request.id, actor: users.ann }));
    expect(error).toBeUndefined();
    expect(t.identity.assignCalls).toHaveLength(0);
  });

  it('grants break-glass at once, loudly, and caps it', async () => {
    const t = testEngine();
    const { request, decision } = await t.engine.requestAccess({
      requester: users.ann,
      account: 'prod',
      permissionSet: 'AdministratorAccess',
      duration: '30m',
      reason: 'prod down',
      breakGlass: true,
    });
    expect(decision.outcome).toBe('break_glass');
    await t.engine.idle();
    expect(t.notifier.ofType('break_glass_used')).toHaveLength(1);
    expect((await t.engine.getGrant((await t.engine.getRequest(request.id))!.grantId!))?.breakGlass).toBe(true);
    const tooLong = await errorOf(
      t.engine.requestAccess({
        requester: users.bob,
        account: 'prod',
        permissionSet: 'AdministratorAccess',
        duration: '2h',
        reason: 'prod down',
        breakGlass: true,
      }),
    );
    expect(isKeylessError(tooLong, ErrorCodes.PolicyDenied)).toBe(true);
    const noReason = await errorOf(
      t.engine.requestAccess({
        requester: users.bob,
        account: 'prod',
        permissionSet: 'AdministratorAccess',
        duration: '30m',
        reason: ' ',
        breakGlass: true,
      }),
    );
    expect(isKeylessError(noReason, ErrorCodes.ReasonRequired)).toBe(true);
  });
});
