import type { Grant, PolicyInput } from '../../../src';
import { demoPolicy } from '../../builders/policy';
import { testEngine, users } from '../../builders/test-engine';
import { FakeIdentityCenter } from '../../fakes/fake-identity-center';
import { FakeSessionCutPolicies } from '../../fakes/fake-session-cut-policies';
import { InMemoryGrantStore } from '../../fakes/in-memory-grant-store';
import { InMemoryLeaderLease } from '../../fakes/in-memory-leader-lease';
import { demoSeed } from '../../fakes/seed';

const EIGHT_HOURS = 8 * 3600;
const sandboxAdmin = {
  account: '222222222222',
  permissionSet: 'AdministratorAccess',
  duration: '1h',
  reason: 'INC-42 restart the queue',
};

/** The demo organization, with AdministratorAccess sessions of `sessionSeconds`. */
function identityWith(sessionSeconds: number): FakeIdentityCenter {
  const seed = demoSeed();
  return new FakeIdentityCenter({
    ...seed,
    permissionSets: seed.permissionSets.map((ps) =>
      ps.name === 'AdministratorAccess' ? { ...ps, sessionDurationSeconds: sessionSeconds } : ps,
    ),
  });
}

function setup(
  over: { sessionSeconds?: number; policy?: Partial<PolicyInput>; cut?: boolean; atExpiryOption?: boolean } = {},
) {
  const store = new InMemoryGrantStore();
  const policies = new FakeSessionCutPolicies();
  const cut = over.cut ?? true;
  const t = testEngine({
    store,
    identity: identityWith(over.sessionSeconds ?? EIGHT_HOURS),
    policy: demoPolicy(over.policy),
    ...(cut ? { sessionCuts: { store, policies, lease: new InMemoryLeaderLease() } } : {}),
    options: {
      sessionCut: { enabled: cut, skewSeconds: 30, expiryCutsWhenSessionOutlives: over.atExpiryOption ?? false },
    },
  });
  return { ...t, policies };
}

async function activeGrant(t: ReturnType<typeof setup>, input = sandboxAdmin): Promise<Grant> {
  const { request } = await t.engine.requestAccess({ requester: users.rita, ...input });
  await t.engine.idle();
  const g = await t.engine.getGrant((await t.engine.getRequest(request.id))!.grantId!);
  expect(g?.status).toBe('active');
  return g!;
}

async function expire(t: ReturnType<typeof setup>, grant: Grant): Promise<Grant> {
  t.clock.advance(grant.expiresAt! - t.clock.now());
  await t.engine.sweep();
  await t.engine.idle();
  const ended = (await t.engine.getGrant(grant.id))!;
  expect(ended.status).toBe('expired');
  return ended;
}

describe('a permission set whose sessions outlast the grant', () => {
  it('is told to the requester in the answer and kept on the request for the approval message', async () => {
    const t = setup({ cut: false });
    const result = await t.engine.requestAccess({ requester: users.rita, ...sandboxAdmin });
    expect(result.sessionWarning).toBe(
      'Sessions from AdministratorAccess last up to 8h, longer than the 1h grant; a session opened during the grant keeps working after it ends, until the session lapses (up to 8h after it was opened).',
    );
    expect(result.request.sessionOutlives).toEqual({
      sessionSeconds: EIGHT_HOURS,
      grantSeconds: 3600,
      cutAtExpiry: false,
    });
    expect(result.request.history[0]?.details).toMatchObject({
      sessionSeconds: EIGHT_HOURS,
      sessionCutAtExpiry: false,
    });

    // A request that needs approval carries it to the approvers (the request_submitted event).
    const prod = await t.engine.requestAccess({
      requester: users.rita,
      account: '111111111111',
      permissionSet: 'AdministratorAccess',
      duration: '2h',
      reason: 'INC-7 rotate the database password',
    });
    expect(prod.request.status).toBe('pending');
    expect(t.notifier.ofType('request_submitted')[0]?.request.sessionOutlives).toMatchObject({ grantSeconds: 7200 });
  });

  it('says nothing when the sessions end before the grant', async () => {
    const t = setup({ sessionSeconds: 3600 });
    const result = await t.engine.requestAccess({ requester: users.rita, ...sandboxAdmin, duration: '2h' });
    expect(result.sessionWarning).toBeUndefined();
    expect(result.request.sessionOutlives).toBeUndefined();
    const same = await t.engine.requestAccess({
      requester: users.rita,
      ...sandboxAdmin,
      account: '111111111111',
      duration: '1h',
    });
    expect(same.sessionWarning).toBeUndefined();
  });

  it('says keyless ends them at expiry when the policy asks it to and session cut is on', async () => {
    const t = setup({ policy: { sessionCut: { atExpiry: true } } });
    const result = await t.engine.requestAccess({ requester: users.rita, ...sandboxAdmin });
    expect(result.sessionWarning).toBe(
      'Sessions from AdministratorAccess last up to 8h, longer than the 1h grant; keyless ends the open sessions when the grant expires.',
    );
    // With session cut off in the deployment the policy's wish cannot hold: the requester is not told it does.
    const off = setup({ cut: false, policy: { sessionCut: { atExpiry: true } } });
    const plain = await off.engine.requestAccess({ requester: users.rita, ...sandboxAdmin });
    expect(plain.request.sessionOutlives?.cutAtExpiry).toBe(false);
  });

  it('counts the time left on a live grant when the request extends it', async () => {
    const t = setup({ cut: false });
    const grant = await activeGrant(t, { ...sandboxAdmin, duration: '2h' });
    t.clock.advance(30 * 60_000);
    const more = await t.engine.extend({ grantId: grant.id, actor: users.rita, duration: '1h' });
    expect(more.request.sessionOutlives).toEqual({
      sessionSeconds: EIGHT_HOURS,
      grantSeconds: 9000,
      cutAtExpiry: false,
    });
  });
});

describe('the policy switch: a scheduled expiry ends the open sessions when they outlive the grant', () => {
  it('cuts at expiry when the policy says so at the top level (the engine option left off)', async () => {
    const t = setup({ policy: { sessionCut: { atExpiry: true } } });
    const ended = await expire(t, await activeGrant(t));
    expect(ended.sessionCut).toHaveProperty('from');
    expect(ended.sessionsCutAt).toBeDefined();
    expect(t.policies.policies.size).toBe(1);
  });

  it('follows the rule over the top level, both ways', async () => {
    const sandboxRule = (atExpiry: boolean) =>
      demoPolicy().rules.map((r) =>
        r.name === 'sandbox-readonly' ? { ...r, sessionCut: { atExpiry } } : r,
      ) as PolicyInput['rules'];
    const on = setup({ policy: { rules: sandboxRule(true) } });
    expect((await expire(on, await activeGrant(on))).sessionCut).toHaveProperty('from');

    const off = setup({ policy: { rules: sandboxRule(false), sessionCut: { atExpiry: true } } });
    expect((await expire(off, await activeGrant(off))).sessionCut).toBeUndefined();
    expect(off.policies.writes).toEqual([]);

    // The policy's false also overrides the deployment's default.
    const overridden = setup({ policy: { sessionCut: { atExpiry: false } }, atExpiryOption: true });
    expect((await expire(overridden, await activeGrant(overridden))).sessionCut).toBeUndefined();
  });

  it('leaves a grant alone at expiry when its sessions end before it, whatever the policy says', async () => {
    const t = setup({ sessionSeconds: 3600, policy: { sessionCut: { atExpiry: true } } });
    const ended = await expire(t, await activeGrant(t, { ...sandboxAdmin, duration: '2h' }));
    expect(ended.sessionCut).toBeUndefined();
    expect(t.policies.writes).toEqual([]);
  });

  it('is explained by why', async () => {
    const on = setup({ policy: { sessionCut: { atExpiry: true } } });
    const yes = await on.engine.explain({
      user: users.rita,
      account: '222222222222',
      permissionSet: 'AdministratorAccess',
    });
    expect(yes).toContain('Sessions from AdministratorAccess last up to 8h.');
    expect(yes).toContain('so does the scheduled expiry of a grant shorter than that (policy sessionCut.atExpiry)');

    const off = setup();
    const no = await off.engine.explain({
      user: users.rita,
      account: '222222222222',
      permissionSet: 'AdministratorAccess',
    });
    expect(no).toContain(
      'the scheduled expiry of a grant shorter than that does not (sessionCut.atExpiry is not set in the policy)',
    );

    const disabled = setup({ cut: false, policy: { sessionCut: { atExpiry: true } } });
    expect(
      await disabled.engine.explain({
        user: users.rita,
        account: '222222222222',
        permissionSet: 'AdministratorAccess',
      }),
    ).toContain('Session cut is off in this deployment (KEYLESS_SESSION_CUT)');
  });
});
