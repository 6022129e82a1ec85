import { ErrorCodes } from '../../../../src';
import { users } from '../../../builders/test-engine';
import { PROD, SANDBOX, testAlertEngine } from '../../../builders/test-alert-engine';
import { demoPolicy } from '../../../builders/policy';

const iam = {
  accounts: [
    {
      accountId: PROD.id,
      users: [
        { name: 'bob', keys: [{ createdDaysAgo: 200, lastUsedDaysAgo: 1 }] },
        { name: 'idle', keys: [{ createdDaysAgo: 60, lastUsedDaysAgo: 50 }] },
        { name: 'fresh', keys: [{ createdDaysAgo: 2, lastUsedDaysAgo: null }] },
        { name: 'svc-ci', keys: [{ createdDaysAgo: 200, lastUsedDaysAgo: 1 }] },
      ],
    },
    { accountId: SANDBOX.id, root: { mfa: false, accessKeys: 1 }, users: [] },
  ],
};
const options = { userKindRule: { machineUserPattern: /^svc-/ }, machineThresholds: { staleKeyDays: 365 } };

describe('the scheduled key scan', () => {
  it('finds stale and unused keys for the digest, and root problems at once', async () => {
    const { engine, publisher } = testAlertEngine({ iam, options });
    const report = await engine.scanAll();
    // bob, idle and fresh are people on IAM users with keys: three more findings (svc-ci is a machine).
    expect(report).toMatchObject({ accounts: 2, scanned: 2, failed: [], findings: 7 });
    expect(
      publisher
        .ofType('alert_raised')
        .map((e) => e.alert.finding.kind)
        .sort(),
    ).toEqual(['root_access_key_present', 'root_mfa_disabled']);
    const digest = await engine.postDigest();
    expect(
      publisher
        .ofType('digest_posted')[0]!
        .alerts.map((a) => `${a.finding.userName}:${a.finding.kind}`)
        .sort(),
    ).toEqual([
      'bob:human_user_with_access_keys',
      'bob:stale_access_key',
      'fresh:human_user_with_access_keys',
      'idle:human_user_with_access_keys',
      'idle:unused_access_key',
    ]);
    expect(digest!.messages).toHaveLength(2);
  });

  it('does not post a finding again on the next scan, nor list it in the next digest: it counts it on its message', async () => {
    const { engine, publisher, clock, store } = testAlertEngine({ iam, options });
    await engine.scanAll();
    await engine.postDigest();
    const posted = new Map(
      publisher.ofType('alert_raised').map((e) => [e.alert.dedupeKey, store.alerts.get(e.alert.dedupeKey)!.messages]),
    );
    expect([...posted.values()].every((m) => m.length === 2)).toBe(true);
    publisher.clear();
    clock.advance(6 * 3600_000);
    await engine.scanAll();
    expect(await engine.postDigest()).toBeUndefined();
    expect(publisher.types().every((t) => t === 'alert_updated')).toBe(true);
    const updates = publisher.ofType('alert_updated');
    expect(updates.map((u) => u.alert.dedupeKey).sort()).toEqual([...posted.keys()].sort());
    for (const u of updates) {
      expect(u.change).toBe('seen');
      expect(u.alert.messages).toEqual(posted.get(u.alert.dedupeKey));
      expect(u.alert.occurrences).toBe(2);
      expect(u.alert.lastSeenAt).toBe(clock.now());
    }
  });

  it('writes a sighting of a scan finding at most every seenWriteEveryMs when scans are re-run by hand', async () => {
    const { engine, publisher, clock } = testAlertEngine({ iam, options: { ...options, seenWriteEveryMs: 3600_000 } });
    await engine.scanAll();
    publisher.clear();
    clock.advance(60_000);
    await engine.scanAll();
    expect(publisher.events).toEqual([]);
  });

  it('resolves a finding that is gone on the next scan, and updates the digest that listed it', async () => {
    const { engine, publisher, iam: fake, clock } = testAlertEngine({ iam, options });
    await engine.scanAll();
    await engine.postDigest();
    fake.state.useKey(PROD.id, fake.keyId(PROD.id, 'idle'), clock.now());
    publisher.clear();
    const report = await engine.scanAll();
    expect(report.resolved).toBe(1);
    const [update] = publisher.ofType('digest_updated');
    expect(update!.change).toBe('resolved');
    expect(update!.alerts.find((a) => a.finding.kind === 'unused_access_key')!.status).toBe('resolved');
  });

  it('looks up key ids only for users with candidate findings', async () => {
    const { engine, iam: fake } = testAlertEngine({ iam, options });
    await engine.scanAccount(PROD);
    // The report and the summary, then ListAccessKeys + GetAccessKeyLastUsed for bob and idle only;
    // bob's key is past its rotation age: the rotation assistant reads his owner tag (and reuses his keys).
    expect(fake.calls).toBe(1 + 2 * 2 + 1);
  });

  it('reports an account it could not scan as an alert, and resolves it once the scan works', async () => {
    const { engine, publisher, iam: fake } = testAlertEngine({ iam, options });
    fake.failing.add(SANDBOX.id);
    const report = await engine.scanAll();
    expect(report.failed).toEqual([expect.objectContaining({ accountId: SANDBOX.id, ok: false })]);
    expect(report.failed[0]!.error!.code).toBe(ErrorCodes.AwsAccessDenied);
    const blind = publisher.ofType('alert_raised').find((e) => e.alert.finding.kind === 'account_not_scanned')!;
    expect(blind.alert.finding.account).toEqual(SANDBOX);
    fake.failing.clear();
    await engine.scanAll();
    expect((await engine.getAlert(blind.alert.dedupeKey))!.status).toBe('resolved');
  });

  it('reopens a resolved finding as a new incident when it comes back', async () => {
    const { engine, iam: fake, clock } = testAlertEngine({ iam, options });
    await engine.scanAll();
    const key = `key:${PROD.id}:${fake.keyId(PROD.id, 'idle')}:unused_access_key`;
    fake.state.useKey(PROD.id, fake.keyId(PROD.id, 'idle'), clock.now());
    await engine.scanAll();
    clock.advance(60 * 86_400_000);
    await engine.scanAll();
    expect(await engine.getAlert(key)).toMatchObject({ status: 'open', incident: 2 });
  });
});

describe('alert actions', () => {
  async function withDigest() {
    const env = testAlertEngine({
      iam,
      options: { ...options, securityApprovers: { groups: ['security'], emails: [] } },
    });
    await env.engine.scanAll();
    await env.engine.postDigest();
    const key = `key:${PROD.id}:${env.iam.keyId(PROD.id, 'idle')}:unused_access_key`;
    env.publisher.clear();
    return { ...env, key };
  }

  it('acknowledges, showing who and when', async () => {
    const { engine, publisher, key, clock } = await withDigest();
    const alert = await engine.acknowledge({ dedupeKey: key, actor: users.rita });
    expect(alert.acknowledged).toEqual({ by: expect.objectContaining({ id: 'slack:U0RITA' }), at: clock.now() });
    expect(publisher.ofType('digest_updated')[0]!.change).toBe('acknowledged');
  });

  it('snoozes for 7 or 30 days with a reason, and wakes up after', async () => {
    const { engine, key, clock } = await withDigest();
    await expect(engine.snooze({ dedupeKey: key, actor: users.rita, days: 3, reason: 'x' })).rejects.toThrow(/7 or 30/);
    await expect(engine.snooze({ dedupeKey: key, actor: users.rita, days: 7, reason: ' ' })).rejects.toMatchObject({
      code: ErrorCodes.ReasonRequired,
    });
    await engine.snooze({ dedupeKey: key, actor: users.rita, days: 7, reason: 'rotation next sprint' });
    clock.advance(8 * 86_400_000);
    await engine.checkBlindSpots();
    expect((await engine.getAlert(key))!.status).toBe('open');
  });

  it('deactivates a key after approval, through the remediation role, and can reactivate it', async () => {
    const { engine, iam: fake, key, publisher } = await withDigest();
    const requested = await engine.requestDeactivation({ dedupeKey: key, actor: users.rita });
    expect(requested.remediation).toMatchObject({
      status: 'pending_approval',
      userName: 'idle',
      checked: { status: 'Active', lastUsedAt: expect.any(Number) },
    });
    await expect(engine.approveDeactivation({ dedupeKey: key, actor: users.ann })).rejects.toMatchObject({
      code: ErrorCodes.NotEligibleApprover,
    });
    const done = await engine.approveDeactivation({ dedupeKey: key, actor: users.sam });
    expect(done.remediation!.status).toBe('done');
    expect(fake.state.findKey(PROD.id, fake.keyId(PROD.id, 'idle'))!.status).toBe('Inactive');
    expect(publisher.ofType('digest_updated').map((e) => e.change)).toEqual(['deactivation_requested', 'deactivated']);
    await engine.reactivate({ dedupeKey: key, actor: users.sam });
    expect(fake.state.findKey(PROD.id, fake.keyId(PROD.id, 'idle'))!.status).toBe('Active');
    expect(fake.statusChanges.map((c) => c.status)).toEqual(['Inactive', 'Active']);
  });

  it('does not let the requester approve their own deactivation', async () => {
    const { engine, key } = await withDigest();
    await engine.requestDeactivation({ dedupeKey: key, actor: users.sam });
    await expect(engine.approveDeactivation({ dedupeKey: key, actor: users.sam })).rejects.toMatchObject({
      code: ErrorCodes.SelfApprovalForbidden,
    });
  });

  it('takes a double click on approve as one deactivation', async () => {
    const { engine, key, iam: fake } = await withDigest();
    await engine.requestDeactivation({ dedupeKey: key, actor: users.rita });
    await Promise.all([
      engine.approveDeactivation({ dedupeKey: key, actor: users.sam }),
      engine.approveDeactivation({ dedupeKey: key, actor: users.sam }),
    ]);
    expect(fake.statusChanges).toHaveLength(1);
  });

  it('audits every action on the alert with who did it', async () => {
    const { engine, key } = await withDigest();
    await engine.acknowledge({ dedupeKey: key, actor: users.rita });
    await engine.requestDeactivation({ dedupeKey: key, actor: users.rita });
    await engine.denyDeactivation({ dedupeKey: key, actor: users.sam, reason: 'used by the batch' });
    const history = (await engine.getAlert(key))!.history.map((h) => `${h.event}:${h.actor.id}`);
    expect(history.slice(-3)).toEqual([
      'acknowledge:slack:U0RITA',
      'deactivation_requested:slack:U0RITA',
      'deactivation_denied:slack:U0SAM',
    ]);
  });
});

describe('IAM user hygiene in the scan, configured by the policy alerts block', () => {
  const hygieneIam = {
    accounts: [
      {
        accountId: PROD.id,
        users: [
          // A person signing in with a password alone, and another whose password lies unused.
          { name: 'ana', passwordLastUsedDaysAgo: 1, mfa: false },
          { name: 'ben', passwordLastUsedDaysAgo: 100, mfa: true },
          // A console password nobody ever used.
          { name: 'cleo', createdDaysAgo: 30, passwordLastUsedDaysAgo: null, mfa: true },
          // A person with a key (should be in Identity Center), and machines told by tag and by path.
          { name: 'dan', keys: [{ createdDaysAgo: 10, lastUsedDaysAgo: 1 }] },
          {
            name: 'deployer',
            tags: { 'keyless:user-kind': 'machine' },
            passwordLastUsedDaysAgo: 100,
            mfa: true,
            keys: [{ createdDaysAgo: 10, lastUsedDaysAgo: 1 }],
          },
          { name: 'builder', path: '/machine/', keys: [{ createdDaysAgo: 10, lastUsedDaysAgo: 1 }] },
        ],
      },
    ],
  };
  const policy = demoPolicy({
    alerts: {
      machine: { passwordUnusedDays: 365 },
      machineUsers: { tag: { key: 'keyless:user-kind', value: 'machine' }, pathPrefix: '/machine/' },
    },
  });

  it('finds console users without MFA, unused and never-used passwords, and people with keys; machines by tag and path', async () => {
    const { engine, store } = testAlertEngine({ iam: hygieneIam, policy, accounts: [PROD] });
    await engine.scanAll();
    const live = (await store.listLiveAlerts({ accountId: PROD.id }))
      .map((a) => `${a.finding.userName}:${a.finding.kind}`)
      .sort();
    expect(live).toEqual([
      'ana:console_user_without_mfa',
      'ben:console_password_unused',
      'cleo:console_password_never_used',
      'dan:human_user_with_access_keys',
    ]);
  });

  it('without machineUsers in the policy, the tagged and pathed users count as people', async () => {
    const { engine, store } = testAlertEngine({ iam: hygieneIam, policy: demoPolicy(), accounts: [PROD] });
    await engine.scanAll();
    const people = (await store.listLiveAlerts({ accountId: PROD.id }))
      .filter((a) => a.finding.kind === 'human_user_with_access_keys')
      .map((a) => a.finding.userName)
      .sort();
    expect(people).toEqual(['builder', 'dan', 'deployer']);
  });

  it('resolves a hygiene finding on the next scan once fixed, through the lifecycle every finding has', async () => {
    const { engine, iam: fake, clock } = testAlertEngine({ iam: hygieneIam, policy, accounts: [PROD] });
    await engine.scanAll();
    const key = `user:${PROD.id}:ana:console_user_without_mfa`;
    await engine.acknowledge({ dedupeKey: key, actor: users.rita });
    fake.state.account(PROD.id).users.get('ana')!.mfa = true;
    clock.advance(60_000);
    await engine.scanAll();
    expect((await engine.getAlert(key))!.status).toBe('resolved');
  });
});
