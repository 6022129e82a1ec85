import fc from 'fast-check';
import {
  ErrorCodes,
  KeylessError,
  assignmentKeyString,
  grantAssignment,
  ruleMaxSeconds,
  type ChatUser,
  type Grant,
} from '../../../src';
import { demoPolicy } from '../../builders/policy';
import { users } from '../../builders/test-engine';
import { ReplicaCluster } from '../../fakes/replica-cluster';

/**
 * Random schedules on THREE replicas sharing one store, one Identity Center and one clock: requests,
 * approvals (two approvers on two replicas at once), auto-approvals, break-glass, bursts of the same
 * request on every replica (merges), extensions, revocations, failures, time, sweeps everywhere at
 * once, and replicas crashing in the middle of an Identity Center call. After every step:
 *
 * - the duration invariant: no grant's end is further from its window start (activation, or the
 *   last approved request that moved the end) than the cap of the rule that approved the request
 *   behind that end, read from the policy, not from the grant;
 * - every Identity Center call is made under the lease of its grant, alone on its assignment;
 *   per grant at most one CreateAccountAssignment and one DeleteAccountAssignment that succeeded
 *   (a call lost in a crash is made again by another replica);
 * - every notification at most once per event.
 * After a quiet period: every grant ended, exactly one Delete per grant that held the assignment,
 * nothing left in Identity Center, and every notification exactly once.
 */
const policy = demoPolicy();
const people: ChatUser[] = [users.rita, users.ann, users.bob, users.olga, users.sam];
const targets = [
  { account: 'prod', permissionSet: 'AdministratorAccess' },
  { account: 'sandbox', permissionSet: 'ReadOnlyAccess' },
  { account: 'sandbox', permissionSet: 'AdministratorAccess' },
];
const approvers = [users.ann, users.bob, users.carl];

const capOf = (rule: string): number =>
  rule === 'break-glass'
    ? ruleMaxSeconds(policy.breakGlass!)
    : ruleMaxSeconds(policy.rules.find((r) => r.name === rule)!);

const slot = fc.nat(2);
const command = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      who: fc.nat(people.length - 1),
      target: fc.nat(targets.length - 1),
      minutes: fc.integer({ min: 1, max: 600 }),
      breakGlass: fc.constantFrom(false, false, true),
      on: slot,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      who: fc.nat(people.length - 1),
      target: fc.nat(targets.length - 1),
      minutes: fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 2, maxLength: 3 }),
      breakGlass: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('approve' as const), which: fc.nat(3), first: fc.nat(2) }) },
  fc.record({
    kind: fc.constant('extend' as const),
    which: fc.nat(3),
    minutes: fc.integer({ min: 1, max: 600 }),
    on: slot,
  }),
  fc.record({ kind: fc.constant('revoke' as const), which: fc.nat(3), admin: fc.boolean(), on: slot }),
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 5 * 3600_000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
  fc.record({
    kind: fc.constant('crash' as const),
    on: slot,
    when: fc.constantFrom('before' as const, 'after' as const),
  }),
  fc.record({
    kind: fc.constant('fail' as const),
    op: fc.constantFrom('assign' as const, 'unassign' as const),
    retryable: fc.boolean(),
  }),
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

function recent<T>(records: T[], which: number): T {
  return records[records.length - 1 - (which % records.length)]!;
}

async function settle(work: Promise<unknown>): Promise<void> {
  await work.then(
    () => undefined,
    (error: unknown) => {
      if (!(error instanceof KeylessError)) throw error;
    },
  );
}

async function run(c: ReplicaCluster, cmd: Command): Promise<void> {
  const requests = [...c.store.requests.values()];
  const grants = [...c.store.grants.values()].filter((g) => g.status === 'active' || g.status === 'provisioning');
  switch (cmd.kind) {
    case 'request':
      return settle(
        c.on(cmd.on, (e) =>
          e.requestAccess({
            requester: people[cmd.who]!,
            ...targets[cmd.target]!,
            duration: `${cmd.minutes}m`,
            reason: 'property test',
            breakGlass: cmd.breakGlass,
          }),
        ),
      );
    case 'burst':
      // The same person asks on every replica at once: the requests race into one grant.
      await Promise.all(
        cmd.minutes.map((m, i) =>
          settle(
            c.on(i, (e) =>
              e.requestAccess({
                requester: people[cmd.who]!,
                ...targets[cmd.target]!,
                duration: `${m}m`,
                reason: 'property test',
                breakGlass: cmd.breakGlass,
              }),
            ),
          ),
        ),
      );
      return;
    case 'approve': {
      const pending = requests.filter((r) => r.status === 'pending');
      if (!pending.length) return;
      const r = recent(pending, cmd.which);
      // Two approvers at once on two replicas: the quorum is reached once, provisioning starts once.
      await Promise.all([
        settle(c.on(cmd.first, (e) => e.approve({ requestId: r.id, actor: approvers[cmd.first]! }))),
        settle(c.on(cmd.first + 1, (e) => e.approve({ requestId: r.id, actor: approvers[(cmd.first + 1) % 3]! }))),
      ]);
      return;
    }
    case 'extend':
      if (!grants.length) return;
      {
        const g = recent(grants, cmd.which);
        return settle(
          c.on(cmd.on, (e) => e.extend({ grantId: g.id, actor: g.requester, duration: `${cmd.minutes}m` })),
        );
      }
    case 'revoke':
      if (!grants.length) return;
      {
        const g = recent(grants, cmd.which);
        return settle(c.on(cmd.on, (e) => e.revoke({ grantId: g.id, actor: cmd.admin ? users.sam : g.requester })));
      }
    case 'advance':
      return c.advance(cmd.ms);
    case 'sweep':
      return c.sweepAll();
    case 'crash':
      c.crash(cmd.on, cmd.when);
      return;
    case 'fail':
      c.identity.failNext(
        cmd.op,
        new KeylessError(cmd.retryable ? ErrorCodes.Throttled : ErrorCodes.AssignmentFailed, 'injected'),
      );
      return;
  }
}

/** The request whose approval set the grant's current end, and when its window started. */
function windowOf(g: Grant): { requestId: string; startAt: number } {
  const moved = [...g.history].reverse().find((e) => e.event === 'extended' && e.details?.moved === true);
  const requestId = moved ? String(moved.details!.requestId) : g.requestId;
  return { requestId, startAt: Math.max(g.activatedAt ?? 0, moved?.at ?? 0) };
}

/** Nothing left to do: no live grant, no approved request waiting for its grant. */
function quiet(c: ReplicaCluster): boolean {
  return (
    [...c.store.grants.values()].every(
      (g) => g.status === 'expired' || g.status === 'revoked' || g.status === 'failed',
    ) && [...c.store.requests.values()].every((r) => r.status !== 'approved' || r.grantId !== undefined)
  );
}

function checkDuration(c: ReplicaCluster): void {
  for (const g of c.store.grants.values()) {
    const { requestId, startAt } = windowOf(g);
    const request = c.store.requests.get(requestId);
    expect(request).toBeDefined();
    const cap = capOf(request!.rule);
    if (g.expiresAt !== undefined) {
      expect({ grant: g.id, window: g.expiresAt - startAt }).toEqual({
        grant: g.id,
        window: Math.min(g.expiresAt - startAt, cap * 1000),
      });
      const extended = g.history.some(
        (e) => e.event === 'extended' && e.details?.moved === true && e.at > g.activatedAt!,
      );
      if (!extended) expect(g.expiresAt - g.activatedAt!).toBeLessThanOrEqual(cap * 1000);
    } else if (g.status === 'provisioning') {
      expect(g.durationSeconds).toBeLessThanOrEqual(cap);
    }
  }
}

function checkCalls(c: ReplicaCluster): void {
  expect(c.violations).toEqual([]);
  const ok = new Map<string, number>();
  for (const call of c.calls) {
    if (call.outcome !== 'ok') continue;
    const k = `${call.op}:${call.grantId}`;
    ok.set(k, (ok.get(k) ?? 0) + 1);
  }
  for (const [k, n] of ok) expect({ call: k, n }).toEqual({ call: k, n: 1 });
  // Only eligible approvers counted, never the requester; every state change audited once, in a chain.
  for (const r of c.store.requests.values()) {
    for (const a of r.approvals) {
      expect(approvers.some((p) => p.email === a.actor.email)).toBe(true);
      expect(a.principalId).not.toBe(r.principalId);
    }
  }
  for (const record of [...c.store.requests.values(), ...c.store.grants.values()]) {
    expect(record.history.map((e) => e.version)).toEqual(Array.from({ length: record.version }, (_, i) => i + 1));
    expect(record.history.at(-1)!.to).toBe(record.status);
  }
  // One active grant per (user, account, permission set).
  const active = [...c.store.grants.values()].filter((g) => g.status === 'active');
  const triples = active.map((g) => assignmentKeyString(grantAssignment(g)));
  expect(new Set(triples).size).toBe(triples.length);
}

function checkNotifications(c: ReplicaCluster, final: boolean): void {
  const count = new Map<string, number>();
  for (const e of c.notifier.events) {
    const key =
      e.type === 'grant_extended'
        ? `${e.type}:${e.grant.id}:${e.grant.version}`
        : e.type === 'request_submitted'
          ? `${e.type}:${e.request.id}`
          : e.type === 'request_updated'
            ? `${e.type}:${e.request.id}:${e.request.version}`
            : 'grant' in e
              ? `${e.type}:${e.grant.id}${e.type === 'revocation_stuck' ? `:${e.attempts}` : ''}`
              : `${e.type}:${JSON.stringify(e)}`;
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  for (const [key, n] of count) expect({ key, n }).toEqual({ key, n: 1 });
  // Exactly once needs every replica alive: a replica that dies between a write and its
  // notification takes that notification with it (at most once; no outbox yet).
  if (!final || c.dead > 0) return;
  const grants = [...c.store.grants.values()];
  const extensions = grants.flatMap((g) => g.history.filter((e) => e.event === 'extended'));
  expect(c.notifier.ofType('grant_extended')).toHaveLength(extensions.length);
  for (const g of grants) {
    if (g.activatedAt !== undefined) expect(count.get(`grant_activated:${g.id}`)).toBe(1);
    if (g.status === 'expired' || g.status === 'revoked') expect(count.get(`grant_ended:${g.id}`)).toBe(1);
    if (g.breakGlass) expect(count.get(`break_glass_used:${g.id}`)).toBe(1);
  }
}

describe('three replicas under random schedules', () => {
  it('keep the duration invariant, call Identity Center exactly once per grant, and notify once', async () => {
    const reached = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
        const c = new ReplicaCluster(3, { policy });
        for (const cmd of commands) {
          await run(c, cmd);
          await c.idle();
          checkDuration(c);
          checkCalls(c);
          checkNotifications(c, false);
        }
        // A quiet period: past every expiry, lease and back-off, sweeping on every replica.
        for (let i = 0; i < 20 && !quiet(c); i++) {
          await c.advance(3 * 3600_000);
          await c.sweepAll();
        }
        checkDuration(c);
        checkCalls(c);
        checkNotifications(c, true);
        const grants = [...c.store.grants.values()];
        expect(
          grants.filter((g) => g.status === 'provisioning' || g.status === 'active' || g.status === 'deprovisioning'),
        ).toEqual([]);
        expect(c.identity.assignments.size).toBe(0);
        // Every grant that held the assignment had it removed, and at most one Delete was answered: a
        // Delete whose answer was lost is made again only when the assignment is still there (the
        // resumed removal looks first), so a landed one is not repeated.
        for (const g of grants) {
          const mine = c.calls.filter((x) => x.grantId === g.id);
          const assigned = mine.some((x) => x.op === 'assign' && (x.outcome === 'ok' || x.outcome === 'lost_after'));
          const unassigns = mine.filter((x) => x.op === 'unassign');
          const landed = unassigns.filter((x) => x.outcome === 'ok' || x.outcome === 'lost_after').length;
          const answered = unassigns.filter((x) => x.outcome === 'ok').length;
          if (assigned) {
            expect({ grant: g.id, removed: landed >= 1, answeredAtMostOnce: answered <= 1 }).toEqual({
              grant: g.id,
              removed: true,
              answeredAtMostOnce: true,
            });
          }
        }
        for (const g of grants) for (const e of g.history) reached.set(e.event, (reached.get(e.event) ?? 0) + 1);
        for (const x of c.calls)
          reached.set(`ic:${x.op}:${x.outcome}`, (reached.get(`ic:${x.op}:${x.outcome}`) ?? 0) + 1);
        const merged = grants.filter((g) => g.failure?.code === 'MERGED').length;
        if (merged) reached.set('merged', (reached.get('merged') ?? 0) + merged);
        if (grants.some((g) => g.breakGlass)) reached.set('break_glass', (reached.get('break_glass') ?? 0) + 1);
      }),
      { numRuns: 1000 },
    );
    // The schedules must reach every corner, or the checks above were made on nothing.
    for (const corner of [
      'assignment_confirmed',
      'extended',
      'merged',
      'break_glass',
      'revoke_requested',
      'unassignment_failed',
      'ic:assign:lost_before',
      'ic:assign:lost_after',
      'ic:unassign:lost_before',
      'ic:unassign:lost_after',
    ]) {
      expect({ corner, reached: (reached.get(corner) ?? 0) > 0 }).toEqual({ corner, reached: true });
    }
  }, 120_000);
});
