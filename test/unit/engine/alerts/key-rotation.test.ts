import { ErrorCodes, observeRotation, ownerFromTags, type KeyRotation } from '../../../../src';
import { users } from '../../../builders/test-engine';
import { PROD, testAlertEngine } from '../../../builders/test-alert-engine';

const DAY = 86_400_000;
const OLD = 'AKIAOLDKEY0000000001';

const iam = (tags: Record<string, string> = { owner: 'Owen@Example.com' }) => ({
  accounts: [
    {
      accountId: PROD.id,
      users: [{ name: 'deployer', tags, keys: [{ id: OLD, createdDaysAgo: 200, lastUsedDaysAgo: 1 }] }],
    },
  ],
});

const STALE = `key:${PROD.id}:${OLD}:stale_access_key`;

async function started(tags?: Record<string, string>) {
  const env = testAlertEngine({ iam: iam(tags), accounts: [PROD] });
  await env.engine.scanAll();
  return env;
}

describe('the rotation assistant', () => {
  it('starts one rotation for a key past its rotation age, addressed to the owner named by the owner tag', async () => {
    const { engine, publisher } = await started();
    const posted = publisher.ofType('rotation_posted');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.alert.rotation).toMatchObject({ step: 'waiting_new_key', owner: 'owen@example.com' });
    expect((await engine.getAlert(STALE))!.rotation!.messages).toHaveLength(2);
    await engine.scanAll();
    expect(publisher.ofType('rotation_posted')).toHaveLength(1);
  });

  it('tells the security channel when the user has no owner tag (no owner on the rotation)', async () => {
    const { publisher } = await started({});
    expect(publisher.ofType('rotation_posted')[0]!.alert.rotation!.owner).toBeUndefined();
  });

  it('walks the whole flow: new key, used, deactivate approved, waiting period, delete approved', async () => {
    const { engine, iam: fake, clock, publisher } = await started();
    const step = async () => (await engine.getAlert(STALE))!.rotation!.step;

    const fresh = fake.state.createKey(PROD.id, 'deployer', clock.now());
    await engine.scanAll();
    expect(await step()).toBe('new_key_unused');
    expect((await engine.getAlert(STALE))!.rotation!.newKey!.accessKeyId).toBe(fresh.id);

    clock.advance(60_000);
    fake.state.useKey(PROD.id, fresh.id, clock.now());
    await engine.scanAll();
    expect(await step()).toBe('ready_to_deactivate');
    const updates = publisher.ofType('rotation_updated').map((e) => e.alert.rotation!.step);
    expect(updates).toEqual(['new_key_unused', 'ready_to_deactivate']);
    // Each update goes to the message posted first: one message, updated in place.
    const first = (await engine.getAlert(STALE))!.rotation!.messages;
    for (const e of publisher.ofType('rotation_updated')) expect(e.alert.rotation!.messages).toEqual(first);

    await engine.requestDeactivation({ dedupeKey: STALE, actor: users.rita });
    await engine.approveDeactivation({ dedupeKey: STALE, actor: users.sam });
    expect(fake.state.findKey(PROD.id, OLD)!.status).toBe('Inactive');
    expect(await step()).toBe('old_key_deactivated');
    // The old key is no longer stale, but the alert stays open until the rotation ends.
    clock.advance(DAY);
    await engine.scanAll();
    expect((await engine.getAlert(STALE))!.status).not.toBe('resolved');
    await expect(engine.requestDeletion({ dedupeKey: STALE, actor: users.rita })).rejects.toMatchObject({
      code: ErrorCodes.InvalidTransition,
    });

    clock.advance(7 * DAY);
    await engine.scanAll();
    expect(await step()).toBe('ready_to_delete');
    await engine.requestDeletion({ dedupeKey: STALE, actor: users.rita });
    await expect(engine.approveDeletion({ dedupeKey: STALE, actor: users.ann })).rejects.toMatchObject({
      code: ErrorCodes.NotEligibleApprover,
    });
    expect(fake.state.findKey(PROD.id, OLD)).toBeDefined();
    const done = await engine.approveDeletion({ dedupeKey: STALE, actor: users.sam });
    expect(fake.state.findKey(PROD.id, OLD)).toBeUndefined();
    expect(fake.deletions).toEqual([{ accountId: PROD.id, accessKeyId: OLD }]);
    expect(done.rotation).toMatchObject({ step: 'deleted', deletion: { status: 'done' } });
    expect(done.history.map((h) => h.event)).toEqual(
      expect.arrayContaining(['deletion_requested', 'deletion_approved', 'key_deleted']),
    );
    // Nothing undoes a deletion: no Reactivate for the deleted key, no Delete twice.
    await engine.approveDeletion({ dedupeKey: STALE, actor: users.sam });
    expect(fake.deletions).toHaveLength(1);
    await engine.scanAll();
    expect((await engine.getAlert(STALE))!.status).toBe('resolved');
  });

  it('flags a rollback (the old key used again after deactivation) and clears it once deactivated again', async () => {
    const { engine, iam: fake, clock, publisher } = await started();
    const fresh = fake.state.createKey(PROD.id, 'deployer', clock.now());
    fake.state.useKey(PROD.id, fresh.id, clock.now());
    await engine.scanAll();
    await engine.requestDeactivation({ dedupeKey: STALE, actor: users.rita });
    await engine.approveDeactivation({ dedupeKey: STALE, actor: users.sam });
    clock.advance(DAY);
    await engine.reactivate({ dedupeKey: STALE, actor: users.sam });
    clock.advance(60_000);
    fake.state.useKey(PROD.id, OLD, clock.now());
    await engine.scanAll();
    expect((await engine.getAlert(STALE))!.rotation!.step).toBe('rolled_back');
    const flagged = publisher.ofType('alert_raised').find((e) => e.alert.finding.kind === 'key_rotation_rolled_back');
    expect(flagged!.alert.finding).toMatchObject({
      severity: 'high',
      delivery: 'immediate',
      evidence: { keyLast4: '0001' },
    });
    // Deletion is never offered for a key that is back in use.
    await expect(engine.requestDeletion({ dedupeKey: STALE, actor: users.rita })).rejects.toMatchObject({
      code: ErrorCodes.InvalidTransition,
    });

    clock.advance(60_000);
    await engine.requestDeactivation({ dedupeKey: STALE, actor: users.rita });
    await engine.approveDeactivation({ dedupeKey: STALE, actor: users.sam });
    expect((await engine.getAlert(STALE))!.rotation!.step).toBe('old_key_deactivated');
    expect((await engine.getAlert(flagged!.alert.dedupeKey))!.status).toBe('resolved');
  });

  it('does not let the requester of a deletion approve it', async () => {
    const { engine, iam: fake, clock } = await started();
    const fresh = fake.state.createKey(PROD.id, 'deployer', clock.now());
    fake.state.useKey(PROD.id, fresh.id, clock.now());
    await engine.scanAll();
    await engine.requestDeactivation({ dedupeKey: STALE, actor: users.rita });
    await engine.approveDeactivation({ dedupeKey: STALE, actor: users.sam });
    clock.advance(8 * DAY);
    await engine.scanAll();
    await engine.requestDeletion({ dedupeKey: STALE, actor: users.sam });
    await expect(engine.approveDeletion({ dedupeKey: STALE, actor: users.sam })).rejects.toMatchObject({
      code: ErrorCodes.SelfApprovalForbidden,
    });
    expect(fake.state.findKey(PROD.id, OLD)).toBeDefined();
  });

  it('refuses an approved deletion when the old key was used since: the key stays', async () => {
    const { engine, iam: fake, clock } = await started();
    const fresh = fake.state.createKey(PROD.id, 'deployer', clock.now());
    fake.state.useKey(PROD.id, fresh.id, clock.now());
    await engine.scanAll();
    await engine.requestDeactivation({ dedupeKey: STALE, actor: users.rita });
    await engine.approveDeactivation({ dedupeKey: STALE, actor: users.sam });
    clock.advance(8 * DAY);
    await engine.scanAll();
    await engine.requestDeletion({ dedupeKey: STALE, actor: users.rita });
    // Re-enabled and used outside keyless between the request and the approval.
    fake.state.findKey(PROD.id, OLD)!.status = 'Active';
    fake.state.useKey(PROD.id, OLD, clock.now());
    await expect(engine.approveDeletion({ dedupeKey: STALE, actor: users.sam })).rejects.toThrow(/not deleted/);
    expect(fake.state.findKey(PROD.id, OLD)).toBeDefined();
    expect((await engine.getAlert(STALE))!.rotation).toMatchObject({
      step: 'rolled_back',
      deletion: { status: 'failed' },
    });
  });

  it('does not start a rotation when the policy turns it off', async () => {
    const { demoPolicy } = await import('../../../builders/policy');
    const env = testAlertEngine({
      iam: iam(),
      accounts: [PROD],
      policy: demoPolicy({ alerts: { rotation: { enabled: false } } }),
    });
    await env.engine.scanAll();
    expect(env.publisher.ofType('rotation_posted')).toHaveLength(0);
  });
});

describe('rotation steps (pure)', () => {
  const base: KeyRotation = {
    step: 'waiting_new_key',
    startedAt: 0,
    deletion: { status: 'none' },
    messages: [],
    checkedAt: 0,
  };
  const old = { accessKeyId: OLD, status: 'Active' as const, createdAt: 0, lastUsedAt: 10 };
  const observe = (keys: Parameters<typeof observeRotation>[1]['keys'], r = base, now = 100) =>
    observeRotation(r, { oldKeyId: OLD, keys, remediation: undefined, now, waitMs: 50 }).step;

  it('waits for a newer key, then for its use', () => {
    expect(observe([old])).toBe('waiting_new_key');
    expect(observe([old, { accessKeyId: 'AKIANEW', status: 'Active', createdAt: 5, lastUsedAt: null }])).toBe(
      'new_key_unused',
    );
    expect(observe([old, { accessKeyId: 'AKIANEW', status: 'Active', createdAt: 5, lastUsedAt: 20 }])).toBe(
      'ready_to_deactivate',
    );
  });

  it('does not take an older or inactive second key for the new one', () => {
    expect(
      observe([
        { ...old, createdAt: 10 },
        { accessKeyId: 'AKIAOLDER', status: 'Active', createdAt: 1, lastUsedAt: 5 },
      ]),
    ).toBe('waiting_new_key');
    expect(observe([old, { accessKeyId: 'AKIANEW', status: 'Inactive', createdAt: 5, lastUsedAt: 20 }])).toBe(
      'waiting_new_key',
    );
  });

  it('offers delete only after the whole waiting period inactive and unused', () => {
    const inactive = { ...old, status: 'Inactive' as const };
    const seen = observeRotation(base, {
      oldKeyId: OLD,
      keys: [inactive],
      remediation: undefined,
      now: 100,
      waitMs: 50,
    });
    expect(seen.step).toBe('old_key_deactivated');
    expect(observe([inactive], seen, 149)).toBe('old_key_deactivated');
    expect(observe([inactive], seen, 150)).toBe('ready_to_delete');
    expect(observe([{ ...inactive, lastUsedAt: 120 }], seen, 150)).toBe('rolled_back');
  });

  it('takes an owner tag only when it holds an email', () => {
    expect(ownerFromTags({ owner: ' Ana@Example.com ' }, 'owner')).toBe('ana@example.com');
    expect(ownerFromTags({ owner: 'team-payments' }, 'owner')).toBeUndefined();
    expect(ownerFromTags(undefined, 'owner')).toBeUndefined();
  });
});

describe('a deleted key', () => {
  it('offers no Reactivate and refuses one: a deletion is never undone', async () => {
    const { engine, iam: fake, clock } = testAlertEngine({ iam: iam(), accounts: [PROD] });
    await engine.scanAll();
    const fresh = fake.state.createKey(PROD.id, 'deployer', clock.now());
    fake.state.useKey(PROD.id, fresh.id, clock.now());
    await engine.scanAll();
    await engine.requestDeactivation({ dedupeKey: STALE, actor: users.rita });
    await engine.approveDeactivation({ dedupeKey: STALE, actor: users.sam });
    clock.advance(7 * DAY);
    await engine.scanAll();
    await engine.requestDeletion({ dedupeKey: STALE, actor: users.rita });
    const deleted = await engine.approveDeletion({ dedupeKey: STALE, actor: users.sam });
    const { availableAlertActions } = await import('../../../../src');
    expect(availableAlertActions(deleted, clock.now())).not.toContain('reactivate');
    await expect(engine.reactivate({ dedupeKey: STALE, actor: users.sam })).rejects.toMatchObject({
      code: ErrorCodes.InvalidTransition,
    });
    expect(fake.statusChanges.map((c) => c.status)).toEqual(['Inactive']);
  });
});
