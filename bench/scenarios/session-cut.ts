/**
 * `npm run bench -- session-cut [--revocations 500] [--people 125] [--replicas 3] [--window 60000]
 *  [--scp-delay 400] [--unassign-delay 250] [--store-delay 3] [--conflict-every 10] [--grace 30000]`
 *
 * Ending the open sessions of early-ended grants, on three engines (distinct replicaId, ids and
 * session-cut writers) sharing one grant store, one Identity Center and one set of keyless service
 * control policies, with the system clock and the default sweep.
 *
 * Set-up (not measured): `people` users each get `revocations / people` active grants (two sandbox
 * accounts × two permission sets, auto-approved through the engine).
 * Measured: every grant is ended early (End now by its holder) on the replicas in turn, the calls
 * spread evenly over `window`. lag = the time AWS accepted the policy write that holds the grant's
 * cut (the grant's `sessionsCutAt`, written by the writer as the write returns) − the End now call.
 * `missed`: an early end with no statement in force at the end (the fake reads the documents on its
 * own and must deny that person's session on that role issued just before T).
 *
 * What stands in for AWS (in memory, with latency): the store answers after `store-delay` ms
 * (DynamoDB), Identity Center confirms a deletion after `unassign-delay` ms, and every policy write
 * takes `scp-delay` ms and fails with ConcurrentModificationException every `conflict-every`-th
 * write (as the adapter reports it once its own retries are spent), 5,120 characters and at most 4
 * policies of keyless's own enforced. The AWS emulator's Organizations is not used here.
 */
import {
  createEngine,
  silentLogger,
  type AccountId,
  type ChatUser,
  type Clock,
  type Engine,
  type Grant,
  type PermissionSetArn,
  type Principal,
} from '../../src';
import { ADMIN, READONLY, anAccount } from '../../test/builders';
import { demoPolicy } from '../../test/builders/policy';
import { FakeIdentityCenter } from '../../test/fakes/fake-identity-center';
import { FakeSessionCutPolicies } from '../../test/fakes/fake-session-cut-policies';
import { InMemoryGrantStore } from '../../test/fakes/in-memory-grant-store';
import { InMemoryLeaderLease } from '../../test/fakes/in-memory-leader-lease';
import { RecordingNotifier } from '../../test/fakes/recording-notifier';
import { SequentialIds } from '../../test/fakes/sequential-ids';
import type { BenchArgs } from '../run';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every async method answers after `ms` (a network round trip). */
function slow<T extends object>(target: T, ms: () => number): T {
  return new Proxy(target, {
    get(t, p, receiver) {
      const value: unknown = Reflect.get(t, p, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await sleep(ms());
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

const clock: Clock = {
  now: () => Date.now(),
  setTimer(atMs, fn) {
    const handle = setTimeout(fn, Math.max(0, atMs - Date.now()));
    return { cancel: () => clearTimeout(handle) };
  },
};

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export default async function sessionCut(args: BenchArgs): Promise<Record<string, unknown>> {
  const revocations = Number(args.revocations ?? 500);
  const peopleCount = Number(args.people ?? 125);
  const replicas = Number(args.replicas ?? 3);
  const windowMs = Number(args.window ?? 60_000);
  const scpDelay = Number(args['scp-delay'] ?? 400);
  const unassignDelay = Number(args['unassign-delay'] ?? 250);
  const storeDelay = Number(args['store-delay'] ?? 3);
  const conflictEvery = Number(args['conflict-every'] ?? 10);
  const graceMs = Number(args.grace ?? 30_000);
  const log = (line: string) => console.error(line);

  const accounts = ['222222222222', '444444444444'].map((id, i) =>
    anAccount({
      id: id as AccountId,
      name: `sandbox-${i + 1}`,
      ouPath: ['r-ab12', 'ou-ab12-22222222'],
      tags: { env: 'sandbox' },
    }),
  );
  const sets = [
    { arn: ADMIN as PermissionSetArn, name: 'AdministratorAccess', sessionDurationSeconds: 3600 },
    { arn: READONLY as PermissionSetArn, name: 'ReadOnlyAccess', sessionDurationSeconds: 8 * 3600 },
  ];
  const principals: Principal[] = Array.from({ length: peopleCount }, (_, i) => ({
    principalId:
      `9067${String(i).padStart(4, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}` as Principal['principalId'],
    userName: `user${i}`,
    email: `user${i}@example.com`,
    displayName: `User ${i}`,
    groups: ['engineers'],
  }));
  const identity = new FakeIdentityCenter({ principals, accounts, permissionSets: sets });
  const store = new InMemoryGrantStore();
  const policies = new FakeSessionCutPolicies({ now: clock.now, concurrentEvery: conflictEvery });
  const lease = new InMemoryLeaderLease();
  const notifier = new RecordingNotifier();
  const policy = demoPolicy();
  const engines: Engine[] = Array.from({ length: replicas }, (_, i) =>
    createEngine({
      store: slow(store, () => storeDelay),
      membership: store,
      identity,
      notifier,
      clock,
      logger: silentLogger,
      ids: new SequentialIds(`r${i + 1}x`),
      policy: () => policy,
      sessionCuts: {
        store: slow(store, () => storeDelay),
        policies: slow(policies, () => scpDelay),
        lease: slow(lease, () => storeDelay),
      },
      options: { replicaId: `replica-${i + 1}`, sessionCut: { enabled: true, skewSeconds: 30 } },
    }),
  );

  // Set-up: active grants, assigned at once.
  const targets = accounts.flatMap((a) => sets.map((s) => ({ account: a.id, permissionSet: s.name })));
  const users: ChatUser[] = principals.map((p, i) => ({
    platform: 'slack',
    id: `U${i}`,
    displayName: p.displayName,
    email: p.email,
  }));
  const grants: Grant[] = [];
  for (let i = 0; grants.length < revocations && i < revocations * 2; i++) {
    const user = users[i % users.length]!;
    const target = targets[Math.floor(i / users.length) % targets.length]!;
    const { request } = await engines[0]!.requestAccess({
      requester: user,
      ...target,
      duration: '4h',
      reason: 'bench',
    });
    await engines[0]!.idle();
    const r = await store.getRequest(request.id);
    const g = r?.grantId ? await store.getGrant(r.grantId) : undefined;
    if (g?.status === 'active') grants.push(g);
  }
  log(
    `set up ${grants.length} active grants of ${peopleCount} people; revoking over ${windowMs} ms on ${replicas} replicas`,
  );
  identity.confirm = () => sleep(unassignDelay);
  await Promise.all(engines.map((e) => e.start()));

  // Measured: End now on every grant, spread evenly over the window, replicas in turn.
  const endedAt = new Map<string, number>();
  const started = Date.now();
  await Promise.all(
    grants.map(async (g, i) => {
      await sleep(started + (i * windowMs) / grants.length - Date.now());
      endedAt.set(g.id, Date.now());
      await engines[i % replicas]!.revoke({ grantId: g.id, actor: g.requester });
    }),
  );
  const deadline = Date.now() + graceMs;
  const done = () => grants.every((g) => store.grants.get(g.id)?.sessionsCutAt !== undefined);
  while (!done() && Date.now() < deadline) await sleep(200);
  await Promise.all(engines.map((e) => e.stop()));

  const lags: number[] = [];
  let missed = 0;
  for (const g of grants) {
    const now = store.grants.get(g.id)!;
    const from = now.sessionCut && 'from' in now.sessionCut ? now.sessionCut.from : undefined;
    const covered =
      from !== undefined &&
      policies.denies({
        userId: now.principalId,
        roleArn: `arn:aws:iam::${now.accountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${now.permissionSetName}_0123456789abcdef`,
        accountId: now.accountId,
        issuedAt: from - 1000,
      });
    if (now.status !== 'revoked' || now.sessionsCutAt === undefined || !covered) missed++;
    if (now.sessionsCutAt !== undefined) lags.push(now.sessionsCutAt - endedAt.get(g.id)!);
  }
  lags.sort((a, b) => a - b);
  const cutLags = notifier
    .ofType('sessions_cut')
    .map((e) => e.lagSeconds * 1000)
    .sort((a, b) => a - b);
  const packing = [...policies.policies.values()].some((p) => p.content.includes('"identitystore:UserId":['))
    ? 'grouped'
    : [...policies.policies.values()].some((p) => p.content.includes('ArnLike'))
      ? 'narrowed'
      : 'per_person';
  log(
    `p50 ${quantile(lags, 0.5)} ms, p99 ${quantile(lags, 0.99)} ms, max ${lags.at(-1) ?? 0} ms; ${policies.writes.length} policy writes; packing ${packing}`,
  );
  return {
    scenario: 'session-cut',
    revocations: grants.length,
    replicas,
    people: peopleCount,
    window_ms: windowMs,
    p50_ms: quantile(lags, 0.5),
    p99_ms: quantile(lags, 0.99),
    max_ms: lags.at(-1) ?? 0,
    removal_to_cut_p99_ms: quantile(cutLags, 0.99),
    missed,
    max_policy_chars: policies.maxChars,
    policies: policies.policies.size,
    policy_writes: policies.writes.length,
    packing,
  };
}
