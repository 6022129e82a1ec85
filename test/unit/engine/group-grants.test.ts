import {
  ErrorCodes,
  KeylessError,
  isKeylessError,
  membershipSlot,
  parsePolicy,
  type Grant,
  type MembershipKey,
  type PrincipalId,
} from '../../../src';
import { groupPolicyInput } from '../../builders/policy';
import { testEngine, users, type TestEngine } from '../../builders/test-engine';

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

const dbAdmins = { account: 'group:db-admins', permissionSet: '', duration: '1h', reason: 'INC-7 fix the replica' };

async function grantedGroup(t: TestEngine): Promise<{ grant: Grant; key: MembershipKey }> {
  const { request } = await t.engine.requestAccess({ requester: users.rita, ...dbAdmins });
  await t.engine.approve({ requestId: request.id, actor: users.ann });
  await t.engine.idle();
  const grantId = (await t.engine.getRequest(request.id))!.grantId!;
  const grant = (await t.engine.getGrant(grantId))!;
  const key = { principalId: grant.principalId, groupId: t.identity.group('db-admins').id };
  return { grant, key };
}

describe('group grants', () => {
  it('adds the membership once approved and removes it at the end, never earlier', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...dbAdmins });
    expect(request.status).toBe('pending');
    expect(request.group?.name).toBe('db-admins');
    expect(request.accountName).toBe('group db-admins');
    expect(t.notifier.ofType('request_submitted')[0]?.approverEmails.sort()).toEqual([
      'ann@example.com',
      'bob@example.com',
      'carl@example.com',
    ]);
    expect(t.identity.addMemberCalls).toHaveLength(0);

    await t.engine.approve({ requestId: request.id, actor: users.ann });
    await t.engine.idle();
    const grant = (await t.engine.getGrant((await t.engine.getRequest(request.id))!.grantId!))!;
    const key = { principalId: grant.principalId, groupId: t.identity.group('db-admins').id };
    expect(grant.status).toBe('active');
    expect(grant.group).toEqual(t.identity.group('db-admins'));
    expect(t.identity.isMember(key)).toBe(true);
    expect(t.identity.assignCalls).toHaveLength(0); // no account assignment for a group grant
    expect(await t.store.getActiveSlot(membershipSlot(key))).toBe(grant.id);

    t.clock.advance(3600_000 - 1);
    await t.engine.sweep();
    await t.engine.idle();
    expect(t.identity.isMember(key)).toBe(true);
    t.clock.advance(1);
    await t.engine.sweep();
    await t.engine.idle();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('expired');
    expect(t.identity.isMember(key)).toBe(false);
    expect(t.identity.removeMemberCalls).toEqual([key]);
    expect(t.identity.unassignCalls).toHaveLength(0);
    expect(await t.store.getActiveSlot(membershipSlot(key))).toBeUndefined();
  });

  it('refuses a start later (--from) for a group: a membership starts when approved, and nothing is filed', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const error = await errorOf(
      t.engine.requestAccess({ requester: users.rita, ...dbAdmins, start: 'tomorrow 09:00' }),
    );
    expect(isKeylessError(error) && error.code).toBe(ErrorCodes.InvalidStart);
    expect(t.notifier.ofType('request_submitted')).toHaveLength(0);
    expect(t.identity.addMemberCalls).toHaveLength(0);
  });

  it('looks up no CloudTrail activity for a group grant (no one account to read)', async () => {
    const lookups: unknown[] = [];
    const t = testEngine({
      policy: parsePolicy(groupPolicyInput()),
      activity: {
        lookup: async (query) => {
          lookups.push(query);
          return { events: [], regions: [], truncated: false, unavailable: [] };
        },
      },
      options: { activity: { firstAfterMs: 60_000, finalAfterMs: 120_000 } },
    });
    const { grant } = await grantedGroup(t);
    await t.engine.revoke({ grantId: grant.id, actor: users.rita });
    await t.engine.idle();
    t.clock.advance(10 * 60_000);
    await t.engine.sweep();
    await t.engine.idle();
    const ended = (await t.engine.getGrant(grant.id))!;
    expect(ended.status).toBe('revoked');
    expect(ended.activity).toBeUndefined();
    expect(lookups).toHaveLength(0);
  });

  it('keeps one live grant per (user, group): a second request extends the first', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const { grant } = await grantedGroup(t);
    const { request } = await t.engine.requestAccess({ requester: users.rita, ...dbAdmins, duration: '90m' });
    expect(request.kind).toBe('extension');
    expect(request.extendsGrantId).toBe(grant.id);
    await t.engine.approve({ requestId: request.id, actor: users.bob });
    await t.engine.idle();
    expect(t.identity.addMemberCalls).toHaveLength(1);
    expect((await t.engine.getGrant(grant.id))?.expiresAt).toBe(t.clock.now() + 90 * 60_000);
  });

  it('removes the membership when the grant is ended early', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const { grant, key } = await grantedGroup(t);
    await t.engine.revoke({ grantId: grant.id, actor: users.rita, reason: 'done' });
    await t.engine.idle();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('revoked');
    expect(t.identity.isMember(key)).toBe(false);
  });

  it('leaves no membership behind when adding it fails', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    t.identity.failNext('add_member', new KeylessError(ErrorCodes.UnknownGroup, 'gone'));
    const { grant, key } = await grantedGroup(t);
    expect(grant.status).toBe('failed');
    expect(t.identity.isMember(key)).toBe(false);
    expect(await t.store.getActiveSlot(membershipSlot(key))).toBeUndefined();
  });

  it('refuses whoever no rule lets join the group, without asking the identity store', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const spy = jest.spyOn(t.identity, 'findGroup');
    const error = await errorOf(t.engine.requestAccess({ requester: users.olga, ...dbAdmins }));
    expect(isKeylessError(error, ErrorCodes.PolicyDenied)).toBe(true);
    expect((error as Error).message).toContain('no rule lets you request membership of group db-admins');
    const other = await errorOf(
      t.engine.requestAccess({ requester: users.rita, ...dbAdmins, account: 'group:finance' }),
    );
    expect(isKeylessError(other, ErrorCodes.PolicyDenied)).toBe(true);
    expect(spy).not.toHaveBeenCalled();
  });

  it('caps the duration at the rule maximum and refuses break-glass into a group', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const long = await errorOf(t.engine.requestAccess({ requester: users.rita, ...dbAdmins, duration: '3h' }));
    expect(isKeylessError(long, ErrorCodes.PolicyDenied)).toBe(true);
    expect((long as KeylessError).hint).toContain('2h');
    const bg = await errorOf(t.engine.requestAccess({ requester: users.ann, ...dbAdmins, breakGlass: true }));
    expect(isKeylessError(bg, ErrorCodes.PolicyDenied)).toBe(true);
  });

  it('says clearly when the group the policy names is missing from Identity Center', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput({ groups: ['db-owners'] })) });
    const error = await errorOf(
      t.engine.requestAccess({ requester: users.rita, ...dbAdmins, account: 'group:db-owners' }),
    );
    expect(isKeylessError(error, ErrorCodes.UnknownGroup)).toBe(true);
  });

  it('explains group rules with `why`', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const yes = await t.engine.explain({ user: users.rita, account: 'group:db-admins', permissionSet: '' });
    expect(yes).toContain('membership of group db-admins');
    expect(yes).toContain('2h');
    expect(yes).toMatch(/^Yes, with approval/);
    const no = await t.engine.explain({ user: users.olga, account: 'group:db-admins', permissionSet: '' });
    expect(no).toMatch(/^No: no rule lets you request membership of group db-admins/);
  });

  it('reconciles both ways: a member nobody granted is drift, a vanished membership revokes its grant', async () => {
    const t = testEngine({ policy: parsePolicy({ ...groupPolicyInput(), reconcile: { removeUnknown: true } }) });
    const { grant, key } = await grantedGroup(t);
    const intruder = { principalId: t.identity.principalId('olga@example.com'), groupId: key.groupId };
    t.identity.plantMember(intruder);

    const drifts = await t.engine.reconcile();
    expect(drifts).toEqual([
      expect.objectContaining({ kind: 'unknown_assignment', group: t.identity.group('db-admins'), removed: true }),
    ]);
    expect(drifts[0]?.assignment.principalId).toBe(intruder.principalId);
    expect(t.identity.isMember(intruder)).toBe(false);
    expect(t.identity.isMember(key)).toBe(true); // the granted membership is explained

    await t.identity.removeGroupMember(key); // behind keyless's back
    const second = await t.engine.reconcile();
    await t.engine.idle();
    expect(second).toEqual([expect.objectContaining({ kind: 'vanished_assignment', grantId: grant.id })]);
    expect((await t.engine.getGrant(grant.id))?.status).toBe('revoked');
  });

  it('reports a membership that outlived its grant', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const { grant, key } = await grantedGroup(t);
    t.clock.advance(3600_000);
    await t.engine.sweep();
    await t.engine.idle();
    expect((await t.engine.getGrant(grant.id))?.status).toBe('expired');
    t.identity.plantMember(key);
    // The slot is free once the grant ended, so this reads as a membership nobody granted.
    const drifts = await t.engine.reconcile();
    expect(drifts.map((d) => [d.kind, d.assignment.principalId])).toEqual([
      ['unknown_assignment', key.principalId as PrincipalId],
    ]);
    expect(t.identity.isMember(key)).toBe(true); // removeUnknown is off: reported, left in place
  });
});

describe('group rules in the policy', () => {
  it('accepts a rule naming groups only, and refuses one naming neither accounts nor groups', () => {
    expect(parsePolicy(groupPolicyInput()).rules.at(-1)?.groups).toEqual(['db-admins']);
    expect(() => parsePolicy(groupPolicyInput({ groups: [] }))).toThrow(
      /name accounts \(with permissionSets\) or groups/,
    );
    expect(() => parsePolicy(groupPolicyInput({ accounts: ['111111111111'] }))).toThrow(/accounts need permissionSets/);
  });

  it('refuses a granted group that also decides who may approve or ask', () => {
    expect(() => parsePolicy(groupPolicyInput({ approvers: { groups: ['db-admins'], count: 1 } }))).toThrow(
      /"db-admins" is a group keyless grants membership of/,
    );
    expect(() => parsePolicy({ ...groupPolicyInput(), admins: { groups: ['db-admins'] } })).toThrow(
      /admins\.groups\[0\]: "db-admins" is a group keyless grants/,
    );
  });
});
