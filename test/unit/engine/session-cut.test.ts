import type { Grant } from '../../../src';
import { testEngine, users } from '../../builders/test-engine';
import { FakeSessionCutPolicies } from '../../fakes/fake-session-cut-policies';
import { InMemoryGrantStore } from '../../fakes/in-memory-grant-store';
import { InMemoryLeaderLease } from '../../fakes/in-memory-leader-lease';

const RITA = '90670000-0000-0000-0000-000000000001';
const sandboxAdmin = {
  account: '222222222222',
  permissionSet: 'AdministratorAccess',
  duration: '2h',
  reason: 'INC-42 restart the queue',
};
const role = (account: string, ps: string) =>
  `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_${ps}_0123456789abcdef`;

function setup(sessionCut: Record<string, unknown> = {}, policies = new FakeSessionCutPolicies()) {
  const store = new InMemoryGrantStore();
  const t = testEngine({
    store,
    sessionCuts: { store, policies, lease: new InMemoryLeaderLease() },
    options: { sessionCut: { enabled: true, skewSeconds: 30, ...sessionCut } },
  });
  return { ...t, policies };
}

async function activeGrant(t: ReturnType<typeof setup>, input = sandboxAdmin): Promise<Grant> {
  const { request } = await t.engine.requestAccess({ requester: users.rita, ...input });
  await t.engine.idle();
  const r = await t.engine.getRequest(request.id);
  const g = await t.engine.getGrant(r!.grantId!);
  expect(g?.status).toBe('active');
  return g!;
}

describe('ending the open sessions of an early-ended grant', () => {
  it('denies the person’s sessions issued before T on that role once End now removed the assignment', async () => {
    const t = setup();
    const grant = await activeGrant(t);
    const openedAt = t.clock.now() + 60_000;
    t.clock.advance(10 * 60_000);
    await t.engine.revoke({ grantId: grant.id, actor: users.rita });
    await t.engine.idle();

    const ended = (await t.engine.getGrant(grant.id))!;
    const removedAt = ended.assignmentRemovedAt!;
    expect(ended.status).toBe('revoked');
    expect(ended.sessionCut).toEqual({ from: Math.ceil((removedAt + 30_000) / 1000) * 1000 });
    expect(ended.sessionsCutAt).toBeGreaterThanOrEqual(removedAt);
    const session = { userId: RITA, roleArn: role('222222222222', 'AdministratorAccess'), accountId: '222222222222' };
    expect(t.policies.denies({ ...session, issuedAt: openedAt })).toBe(true);
    // A later sign-in (a new grant to the same person) is untouched, and so are other people and roles.
    expect(t.policies.denies({ ...session, issuedAt: removedAt + 31_000 })).toBe(false);
    expect(t.policies.denies({ ...session, userId: '90670000-0000-0000-0000-000000000002', issuedAt: openedAt })).toBe(
      false,
    );
    expect(t.policies.denies({ ...session, roleArn: role('222222222222', 'ReadOnlyAccess'), issuedAt: openedAt })).toBe(
      false,
    );

    // Both moments in the audit and in the event the metrics read.
    const audit = ended.history.map((e) => e.event);
    expect(audit).toEqual(expect.arrayContaining(['unassignment_confirmed', 'sessions_cut']));
    expect(ended.history.find((e) => e.event === 'unassignment_confirmed')?.details).toMatchObject({
      assignmentRemovedAt: removedAt,
      sessionCutFrom: ended.sessionCut && 'from' in ended.sessionCut ? ended.sessionCut.from : -1,
    });
    expect(ended.history.find((e) => e.event === 'sessions_cut')?.details).toMatchObject({
      sessionsCutAt: ended.sessionsCutAt,
    });
    const event = t.notifier.ofType('sessions_cut')[0];
    expect(event?.grant.id).toBe(grant.id);
    expect(event?.lagSeconds).toBe((ended.sessionsCutAt! - removedAt) / 1000);
  });

  it('removes the statement once T plus the session duration and the margin has passed', async () => {
    const t = setup();
    const grant = await activeGrant(t);
    await t.engine.revoke({ grantId: grant.id, actor: users.sam });
    await t.engine.idle();
    const from = ((await t.engine.getGrant(grant.id))!.sessionCut as { from: number }).from;
    expect(t.policies.policies.size).toBe(1);

    // The demo permission set's sessions last 1 h: kept until T + 1 h + 30 s.
    t.clock.advance(from + 3600_000 + 30_000 - 1 - t.clock.now());
    await t.engine.sweep();
    await t.engine.idle();
    expect(t.policies.policies.size).toBe(1);
    t.clock.advance(1);
    await t.engine.sweep();
    await t.engine.idle();
    expect(t.policies.policies.size).toBe(0);
    expect(t.store.sessionCuts.size).toBe(0);
  });

  it('does nothing at a scheduled expiry unless told to, and then only when sessions outlive the grant', async () => {
    const plain = setup();
    const g1 = await activeGrant(plain, { ...sandboxAdmin, duration: '30m' });
    plain.clock.advance(30 * 60_000);
    await plain.engine.sweep();
    await plain.engine.idle();
    expect((await plain.engine.getGrant(g1.id))?.status).toBe('expired');
    expect((await plain.engine.getGrant(g1.id))?.sessionCut).toBeUndefined();
    expect(plain.policies.writes).toEqual([]);

    const strict = setup({ expiryCutsWhenSessionOutlives: true });
    const g2 = await activeGrant(strict, { ...sandboxAdmin, duration: '30m' }); // 1 h sessions outlive 30 min
    strict.clock.advance(30 * 60_000);
    await strict.engine.sweep();
    await strict.engine.idle();
    expect((await strict.engine.getGrant(g2.id))?.sessionCut).toHaveProperty('from');
    expect((await strict.engine.getGrant(g2.id))?.sessionsCutAt).toBeDefined();

    const g3 = await activeGrant(strict, { ...sandboxAdmin, duration: '2h' }); // sessions end before the grant
    strict.clock.advance(2 * 3600_000);
    await strict.engine.sweep();
    await strict.engine.idle();
    expect((await strict.engine.getGrant(g3.id))?.status).toBe('expired');
    expect((await strict.engine.getGrant(g3.id))?.sessionCut).toBeUndefined();
  });

  it('says on the grant that sessions in the management account are not ended, and writes nothing', async () => {
    const t = setup({ managementAccountId: '222222222222' });
    const grant = await activeGrant(t);
    await t.engine.revoke({ grantId: grant.id, actor: users.rita });
    await t.engine.idle();
    const ended = (await t.engine.getGrant(grant.id))!;
    expect(ended.sessionCut).toEqual({ skipped: 'management_account' });
    expect(ended.history.find((e) => e.event === 'unassignment_confirmed')?.details?.sessionCut).toBe(
      'sessions in the management account are not ended',
    );
    expect(t.policies.writes).toEqual([]);
    expect(t.notifier.ofType('grant_ended')[0]?.grant.sessionCut).toEqual({ skipped: 'management_account' });
  });

  it('retries a ConcurrentModificationException and keeps the cut until it is written', async () => {
    const t = setup();
    const grant = await activeGrant(t);
    t.policies.failNext(3);
    await t.engine.revoke({ grantId: grant.id, actor: users.rita });
    await t.engine.idle();
    expect((await t.engine.getGrant(grant.id))?.sessionsCutAt).toBeUndefined();
    expect([...t.store.sessionCuts.values()][0]?.pending.map((p) => p.grantId)).toEqual([grant.id]);
    for (let i = 0; i < 6 && !(await t.engine.getGrant(grant.id))?.sessionsCutAt; i++) {
      t.clock.advance(2000);
      await t.engine.idle();
    }
    expect((await t.engine.getGrant(grant.id))?.sessionsCutAt).toBeDefined();
    expect([...t.store.sessionCuts.values()][0]?.pending).toEqual([]);
  });

  it('keeps one statement per person holding the latest T across two early ends', async () => {
    const t = setup();
    const a = await activeGrant(t);
    await t.engine.revoke({ grantId: a.id, actor: users.rita });
    await t.engine.idle();
    t.clock.advance(5 * 60_000);
    const b = await activeGrant(t, { ...sandboxAdmin, permissionSet: 'ReadOnlyAccess' });
    await t.engine.revoke({ grantId: b.id, actor: users.rita });
    await t.engine.idle();
    expect(t.policies.statementsPerUser().get(RITA)).toBe(1);
    const later = ((await t.engine.getGrant(b.id))!.sessionCut as { from: number }).from;
    for (const ps of ['AdministratorAccess', 'ReadOnlyAccess']) {
      const session = { userId: RITA, roleArn: role('222222222222', ps), accountId: '222222222222' };
      expect(t.policies.denies({ ...session, issuedAt: later - 1000 })).toBe(true);
      expect(t.policies.denies({ ...session, issuedAt: later })).toBe(false);
    }
  });

  it('writes nothing when the feature is off', async () => {
    const t = setup({ enabled: false });
    const grant = await activeGrant(t);
    await t.engine.revoke({ grantId: grant.id, actor: users.rita });
    await t.engine.idle();
    expect((await t.engine.getGrant(grant.id))?.sessionCut).toBeUndefined();
    expect(t.policies.writes).toEqual([]);
  });
});
