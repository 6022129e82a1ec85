import type { Grant, GrantId } from '../../../src';
import { mixOptions } from '../../../bench/scenarios/replicas';
import {
  DEFAULT_MIX,
  mixChecks,
  ONLY_ACCOUNTS,
  revocationsOf,
  type BurstPlan,
} from '../../../bench/support/replicas-mix';
import { targetKey } from '../../../bench/support/local-stack';

const T = 1_800_000_000_000;
const GROUP = '3634e42a-44b2-427d-8f75-ca8a199edb49';
const PS = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-000000000000000b';
const account = (user: string, accountId = '700000000001') => ({ principalId: user, accountId, permissionSetArn: PS });
const membership = (user: string) => ({ principalId: user, accountId: GROUP, permissionSetArn: '' });

/** A burst of three: an account grant, a group grant and a scheduled grant starting at T + 1000. */
function burst(statuses: Record<string, Grant['status']>) {
  const keys = {
    account: targetKey(account('u-1')),
    group: targetKey(membership('u-2')),
    scheduled: targetKey(account('u-3')),
  };
  const grantOf = new Map(Object.values(keys).map((k, i) => [k, `g${i}` as GrantId]));
  const status = new Map(Object.entries(keys).map(([kind, k]) => [grantOf.get(k)!, statuses[kind] ?? 'expired']));
  return {
    keys,
    plan: { active: [], scheduled: [], groupIds: new Set([GROUP]) } as unknown as BurstPlan,
    burst: {
      firstExpiry: T,
      expiresAt: new Map([
        [keys.account, T],
        [keys.group, T + 500],
        [keys.scheduled, T + 3000],
      ]),
      grantOf,
      startsAt: new Map([[keys.scheduled, T + 1000]]),
    },
    store: { getGrant: (id: GrantId) => Promise.resolve({ status: status.get(id) } as Grant) },
  };
}

const op = (kind: 'create' | 'delete', a: ReturnType<typeof account>, createdAt: number) => ({
  requestId: `${kind}-${createdAt}`,
  kind,
  assignment: { ...a, principalType: 'USER' as const },
  createdAt,
  completesAt: createdAt,
  outcome: 'SUCCEEDED' as const,
  status: 'SUCCEEDED' as const,
});

const clean = {
  assignments: [],
  memberships: [],
  operations: [
    op('delete', account('u-1'), T + 10),
    op('create', account('u-3'), T + 1010),
    op('delete', account('u-3'), T + 3040),
  ],
  membershipChanges: [
    { kind: 'create' as const, groupId: GROUP, userId: 'u-2', at: T - 100 },
    { kind: 'delete' as const, groupId: GROUP, userId: 'u-2', at: T + 520 },
  ],
};

describe("the replica bench's mix: its invariants", () => {
  it('counts nothing when every access was removed and the scheduled grant started on time', async () => {
    const b = burst({});
    const figures = await mixChecks({ state: clean, log: [], ...b, deadline: T + 60_000 });
    expect(figures).toMatchObject({ leaked_assignments: 0, leaked_memberships: 0, early: 0, missed_starts: 0 });
    expect(figures.p99_start_lag_ms).toBe(10);
    // Each kind's revocation lag, from its own expiry (a scheduled grant's: its start + its duration).
    expect(figures.p99_lag_ms_by_kind).toEqual({ account: 10, group: 20, scheduled: 40 });
  });

  it('counts an assignment or a membership left once its grant ended', async () => {
    const b = burst({});
    const state = {
      ...clean,
      assignments: [{ ...account('u-1'), principalType: 'USER' as const }],
      memberships: [{ groupId: GROUP, userId: 'u-2' }],
    };
    const figures = await mixChecks({ state, log: [], ...b, deadline: T + 60_000 });
    expect(figures).toMatchObject({ leaked_assignments: 1, leaked_memberships: 1 });
    // Not ended (active, or its removal still under way): not leaked; a late removal is `missed`.
    const live = burst({ account: 'active', group: 'deprovisioning' });
    expect(await mixChecks({ state, log: [], ...live, deadline: T + 60_000 })).toMatchObject({
      leaked_assignments: 0,
      leaked_memberships: 0,
    });
  });

  it('counts a scheduled grant assigned before its start, and one never started', async () => {
    const b = burst({});
    const early = { ...clean, operations: [op('create', account('u-3'), T + 999)] };
    expect((await mixChecks({ state: early, log: [], ...b, deadline: T + 60_000 })).early).toBe(1);
    const never = { ...clean, operations: [] };
    expect((await mixChecks({ state: never, log: [], ...b, deadline: T + 60_000 })).missed_starts).toBe(1);
    const late = { ...clean, operations: [op('create', account('u-3'), T + 70_000)] };
    expect((await mixChecks({ state: late, log: [], ...b, deadline: T + 60_000 })).missed_starts).toBe(1);
  });

  it('counts DeleteGroupMembership calls and their errors', async () => {
    const log = [
      { operation: 'DeleteGroupMembership', outcome: 'ok' },
      { operation: 'DeleteGroupMembership', outcome: 'ResourceNotFoundException' },
      { operation: 'DeleteAccountAssignment', outcome: 'ok' },
    ];
    const figures = await mixChecks({ state: clean, log, ...burst({}), deadline: T + 60_000 });
    expect(figures).toMatchObject({ membership_delete_calls: 2, membership_delete_errors: 1 });
  });

  it("lists a removed membership of the bench's groups as a revocation, beside deleted assignments", () => {
    const revocations = revocationsOf(
      {
        operations: [op('delete', account('u-1'), T + 10), op('create', account('u-3'), T + 20)],
        membershipChanges: [
          { kind: 'create', groupId: GROUP, userId: 'u-2', at: T - 100 },
          { kind: 'delete', groupId: GROUP, userId: 'u-2', at: T + 30 },
          { kind: 'delete', groupId: 'another-group', userId: 'u-2', at: T + 40 },
        ],
      },
      new Set([GROUP]),
    );
    expect(revocations.map((r) => [targetKey(r.assignment), r.createdAt])).toEqual([
      [targetKey(account('u-1')), T + 10],
      [targetKey(membership('u-2')), T + 30],
    ]);
  });
});

describe('the replica bench: its mix from the command line', () => {
  it('mixes group grants and scheduled starts in by default, and none with --only-accounts', () => {
    expect(mixOptions({})).toEqual(DEFAULT_MIX);
    expect(DEFAULT_MIX.groups).toBeGreaterThan(0);
    expect(DEFAULT_MIX.scheduled).toBeGreaterThan(0);
    expect(mixOptions({ 'only-accounts': 'true' })).toEqual(ONLY_ACCOUNTS);
    expect(ONLY_ACCOUNTS).toMatchObject({ groups: 0, scheduled: 0 });
    expect(mixOptions({ groups: '0.25', scheduled: '0', 'scheduled-duration': '5' })).toEqual({
      groups: 0.25,
      scheduled: 0,
      scheduledDurationS: 5,
    });
  });
});
