/**
 * The mix of the replica bench's burst (bench/support/replicas-run.ts): besides account grants that
 * expire, a share of group grants (a membership of an Identity Center group, removed with
 * DeleteGroupMembership at expiry) and a share of access that starts later (a scheduled grant whose
 * start falls inside the window: the replicas create its assignment at the start, then revoke it
 * `scheduledDurationS` later). `--only-accounts` turns the mix off (the scenario measured before it).
 *
 * What it adds to the bench's figures (from the emulator's admin state and the table, at the end):
 * - leaked_assignments / leaked_memberships: an assignment or membership of the burst still in the
 *   emulator whose grant has ended (expired, revoked, failed): access the table says is gone. A grant
 *   still live at the end (its revocation not done by the deadline) is counted in `missed` instead;
 * - early: scheduled grants whose assignment was created before their start;
 * - missed_starts: scheduled grants never started by the end of the grace period.
 * Group revocations count in `missed`, `double_revocations` and the lag figures as account ones do.
 */
import type { AwsEmulatorAdminClient } from '../../adapters/local/aws-emulator';
import type { DynamoGrantStore } from '../../adapters/dynamodb';
import { isFinalGrant, type GrantId } from '../../src';
import {
  forEachLimit,
  quantile,
  resolveGroupTargets,
  resolveTargets,
  targetKey,
  writeMixedBurst,
  type Target,
} from './local-stack';

export interface BurstMix {
  /** Share of the grants that are group memberships (default 0.1). */
  groups: number;
  /** Share of the grants that start inside the window, then expire (default 0.1). */
  scheduled: number;
  /** How long a scheduled grant lasts once started, in seconds (default 2). */
  scheduledDurationS: number;
}

export const DEFAULT_MIX: BurstMix = { groups: 0.1, scheduled: 0.1, scheduledDurationS: 2 };
export const ONLY_ACCOUNTS: BurstMix = { groups: 0, scheduled: 0, scheduledDurationS: 2 };

/** The groups the bench seed adds for group grants: `bench-group-<k>`, each with no standing member. */
export const benchGroupName = (k: number): string => `bench-group-${String(k).padStart(3, '0')}`;

/** How many bench groups `grants` group grants over `side` users need (one membership per user and group). */
export const benchGroupCount = (grants: number, mix: BurstMix, side: number): number =>
  Math.ceil(groupGrantsOf(grants, mix) / side);

const groupGrantsOf = (grants: number, mix: BurstMix) => Math.round(grants * mix.groups);
const scheduledGrantsOf = (grants: number, mix: BurstMix) => Math.round(grants * mix.scheduled);

type Emulator = Pick<AwsEmulatorAdminClient, 'state'>;
type EmulatorState = Awaited<ReturnType<Emulator['state']>>;
type Identity = Parameters<typeof resolveTargets>[0];

export interface BurstPlan {
  /** Every grant's target, account and group ones (each has access at set-up) and scheduled ones. */
  active: Target[];
  scheduled: Target[];
  groupIds: Set<string>;
}

/** Distinct targets for the burst: account triples, (user, group) memberships, scheduled triples. */
export async function planBurst(identity: Identity, side: number, grants: number, mix: BurstMix): Promise<BurstPlan> {
  const groups = groupGrantsOf(grants, mix);
  const scheduled = scheduledGrantsOf(grants, mix);
  const triples = await resolveTargets(identity, side, grants - groups);
  const names = Array.from({ length: benchGroupCount(grants, mix, side) }, (_, k) => benchGroupName(k));
  const memberships = groups > 0 ? await resolveGroupTargets(identity, side, names, groups) : [];
  const accounts = triples.slice(0, triples.length - scheduled);
  return {
    active: spread(accounts, memberships),
    scheduled: triples.slice(triples.length - scheduled),
    groupIds: new Set(memberships.map((t) => t.accountId as string)),
  };
}

/** Interleaves two lists evenly (each item at its own relative position), so both span the window. */
function spread<T>(a: readonly T[], b: readonly T[]): T[] {
  const at = (i: number, n: number) => (i + 0.5) / n;
  const tagged = [...a.map((x, i) => ({ x, p: at(i, a.length) })), ...b.map((x, i) => ({ x, p: at(i, b.length) }))];
  return tagged.sort((m, n) => m.p - n.p).map((t) => t.x);
}

/** The access every non-scheduled grant holds before the burst: its assignment or its membership. */
export async function grantPlannedAccess(
  identity: Pick<Identity, 'assign' | 'addGroupMember'>,
  plan: BurstPlan,
): Promise<void> {
  const failures = await forEachLimit(plan.active, 64, (t) =>
    t.group ? identity.addGroupMember({ principalId: t.principalId, groupId: t.group.id }) : identity.assign(t),
  );
  if (failures.length) throw new Error(`set-up: ${failures.length} assignments or memberships failed`);
}

export interface WrittenBurst {
  firstExpiry: number;
  /** Each grant's expiry by targetKey (a scheduled grant's: its start + its duration, as planned). */
  expiresAt: Map<string, number>;
  grantOf: Map<string, GrantId>;
  /** Scheduled grants' starts by targetKey. */
  startsAt: Map<string, number>;
}

/** Writes the burst: active grants and scheduled grants, their instants spread evenly over the window. */
export async function writePlannedBurst(
  store: DynamoGrantStore,
  plan: BurstPlan,
  o: { windowMs: number; leadMs: number },
  mix: BurstMix,
): Promise<WrittenBurst> {
  const items = spread(
    plan.active.map((target) => ({ target, scheduled: false })),
    plan.scheduled.map((target) => ({ target, scheduled: true })),
  );
  const burst = await writeMixedBurst(store, items, { ...o, durationSeconds: mix.scheduledDurationS });
  const expiresAt = new Map(burst.at);
  const startsAt = new Map<string, number>();
  for (const t of plan.scheduled) {
    const start = burst.at.get(targetKey(t))!;
    startsAt.set(targetKey(t), start);
    expiresAt.set(targetKey(t), start + mix.scheduledDurationS * 1000);
  }
  return { firstExpiry: burst.first, expiresAt, grantOf: burst.grantOf, startsAt };
}

/**
 * Every revocation the emulator accepted: account assignments deleted (its operations) and
 * memberships of the bench's groups removed, in one shape (a membership as `<user>#<group>#`).
 */
export function revocationsOf(
  state: Pick<EmulatorState, 'operations' | 'membershipChanges'>,
  groupIds: ReadonlySet<string>,
): { assignment: { principalId: string; accountId: string; permissionSetArn: string }; createdAt: number }[] {
  const deletes = state.operations.filter((op) => op.kind === 'delete');
  const removals = state.membershipChanges
    .filter((c) => c.kind === 'delete' && groupIds.has(c.groupId))
    .map((c) => ({
      assignment: { principalId: c.userId, accountId: c.groupId, permissionSetArn: '' },
      createdAt: c.at,
    }));
  return [...deletes, ...removals];
}

/** The real expiry of each scheduled grant (its activation + its duration), where it started. */
export async function actualExpiries(
  store: Pick<DynamoGrantStore, 'getGrant'>,
  burst: Pick<WrittenBurst, 'startsAt' | 'grantOf' | 'expiresAt'>,
): Promise<void> {
  await forEachLimit([...burst.startsAt.keys()], 32, async (key) => {
    const grant = await store.getGrant(burst.grantOf.get(key)!);
    if (grant?.expiresAt !== undefined) burst.expiresAt.set(key, grant.expiresAt);
  });
}

export interface MixFigures {
  group_grants: number;
  scheduled_grants: number;
  /** Assignments / memberships of the burst left in the emulator after their grant ended: must be 0. */
  leaked_assignments: number;
  leaked_memberships: number;
  /** Scheduled grants whose assignment was created before their start: must be 0. */
  early: number;
  /** Scheduled grants never started by the deadline: must be 0. */
  missed_starts: number;
  /** From a scheduled grant's start to its CreateAccountAssignment accepted. */
  p99_start_lag_ms: number;
  /** p99 revocation lag of each kind of grant (expiry to the removal accepted), to tell which one lags. */
  p99_lag_ms_by_kind: { account: number; group: number; scheduled: number };
  /** DeleteGroupMembership calls the emulator answered, and how many with an error. */
  membership_delete_calls: number;
  membership_delete_errors: number;
}

/** The mix's invariants, once the burst has passed. */
export async function mixChecks(input: {
  state: Pick<EmulatorState, 'assignments' | 'operations' | 'memberships' | 'membershipChanges'>;
  log: { operation: string; outcome: string }[];
  store: Pick<DynamoGrantStore, 'getGrant'>;
  plan: BurstPlan;
  burst: WrittenBurst;
  deadline: number;
}): Promise<MixFigures> {
  const { state, plan, burst } = input;
  // Grants not ended: their access may still be there (a revocation late past the deadline is `missed`).
  const active = new Set<string>();
  await forEachLimit([...burst.grantOf.entries()], 32, async ([key, id]) => {
    const grant = await input.store.getGrant(id);
    if (grant && !isFinalGrant(grant)) active.add(key);
  });
  const burstKeys = new Set(burst.grantOf.keys());
  const leakedAssignments = state.assignments.filter((a) => burstKeys.has(targetKey(a)) && !active.has(targetKey(a)));
  const leakedMemberships = state.memberships.filter((m) => {
    const key = targetKey({ principalId: m.userId, accountId: m.groupId, permissionSetArn: '' });
    return plan.groupIds.has(m.groupId) && !active.has(key);
  });
  const createsPerKey = new Map<string, number>();
  for (const op of state.operations) {
    if (op.kind !== 'create') continue;
    const key = targetKey(op.assignment);
    createsPerKey.set(key, Math.min(createsPerKey.get(key) ?? Infinity, op.createdAt));
  }
  let early = 0;
  let missedStarts = 0;
  const startLags: number[] = [];
  for (const [key, start] of burst.startsAt) {
    const created = createsPerKey.get(key);
    if (created === undefined || created > input.deadline) missedStarts++;
    if (created === undefined) continue;
    if (created < start) early++;
    startLags.push(created - start);
  }
  startLags.sort((a, b) => a - b);
  const removedAt = new Map<string, number>();
  for (const r of revocationsOf(state, plan.groupIds)) {
    const key = targetKey(r.assignment);
    removedAt.set(key, Math.min(removedAt.get(key) ?? Infinity, r.createdAt));
  }
  const kindOf = (key: string) =>
    burst.startsAt.has(key) ? 'scheduled' : plan.groupIds.has(key.split('#')[1] ?? '') ? 'group' : 'account';
  const lags = { account: [] as number[], group: [] as number[], scheduled: [] as number[] };
  for (const [key, expiry] of burst.expiresAt) {
    const removed = removedAt.get(key);
    if (removed !== undefined) lags[kindOf(key)].push(removed - expiry);
  }
  const p99 = (list: number[]) =>
    quantile(
      [...list].sort((a, b) => a - b),
      0.99,
    );
  const membershipDeletes = input.log.filter((e) => e.operation === 'DeleteGroupMembership');
  return {
    group_grants: plan.active.filter((t) => t.group).length,
    scheduled_grants: plan.scheduled.length,
    leaked_assignments: leakedAssignments.length,
    leaked_memberships: leakedMemberships.length,
    early,
    missed_starts: missedStarts,
    p99_start_lag_ms: quantile(startLags, 0.99),
    p99_lag_ms_by_kind: { account: p99(lags.account), group: p99(lags.group), scheduled: p99(lags.scheduled) },
    membership_delete_calls: membershipDeletes.length,
    membership_delete_errors: membershipDeletes.filter((e) => e.outcome !== 'ok').length,
  };
}
