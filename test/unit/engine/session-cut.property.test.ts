import fc from 'fast-check';
import { ErrorCodes, KeylessError, SCP_MAX_CHARS, type ChatUser, type Grant } from '../../../src';
import { demoPolicy } from '../../builders/policy';
import { users } from '../../builders/test-engine';
import { ReplicaCluster } from '../../fakes/replica-cluster';

/**
 * Random schedules on THREE replicas sharing one store, one Identity Center, one set of keyless
 * service control policies and one clock: grants, End now and revocations by an admin on any
 * replica, scheduled expiries, time, sweeps everywhere, ConcurrentModificationExceptions, and
 * replicas crashing in the middle of an Identity Center call or a policy write. After every step:
 *
 * - no policy ever exceeds 5,120 characters (none is even sent), and each person is named in at
 *   most one statement across all of keyless's policies;
 * - every early end whose grant says its sessions are cut is covered: AWS (the fake, reading the
 *   documents on its own) denies that person's session on that role issued just before T, until T +
 *   the session duration + the margin has passed.
 * After a short quiet period every early end is marked and covered; after a long one every
 * statement and every cut record is gone.
 */
const policy = demoPolicy();
const SESSION_MS = 3600_000; // the demo permission sets' session duration
const MARGIN_MS = 30_000;
const people: ChatUser[] = [users.rita, users.ann, users.bob, users.olga];
const targets = [
  { account: '222222222222', permissionSet: 'ReadOnlyAccess' },
  { account: '222222222222', permissionSet: 'AdministratorAccess' },
];
const slot = fc.nat(2);
const command = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      who: fc.nat(people.length - 1),
      target: fc.nat(targets.length - 1),
      minutes: fc.integer({ min: 5, max: 240 }),
      on: slot,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('revoke' as const), which: fc.nat(5), admin: fc.boolean(), on: slot }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 90 * 60_000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
  fc.record({
    kind: fc.constant('crash' as const),
    on: slot,
    when: fc.constantFrom('before' as const, 'after' as const),
  }),
  fc.record({
    kind: fc.constant('crashPolicy' as const),
    on: slot,
    when: fc.constantFrom('before' as const, 'after' as const),
  }),
  fc.record({ kind: fc.constant('conflict' as const), times: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('failUnassign' as const) }),
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

async function settle(work: Promise<unknown>): Promise<void> {
  await work.then(
    () => undefined,
    (error: unknown) => {
      if (!(error instanceof KeylessError)) throw error;
    },
  );
}

async function run(c: ReplicaCluster, cmd: Command): Promise<void> {
  const live = [...c.store.grants.values()].filter((g) => g.status === 'active' || g.status === 'provisioning');
  switch (cmd.kind) {
    case 'request':
      return settle(
        c.on(cmd.on, (e) =>
          e.requestAccess({
            requester: people[cmd.who]!,
            ...targets[cmd.target]!,
            duration: `${cmd.minutes}m`,
            reason: 'property test',
          }),
        ),
      );
    case 'revoke': {
      if (!live.length) return;
      const g = live[live.length - 1 - (cmd.which % live.length)]!;
      return settle(c.on(cmd.on, (e) => e.revoke({ grantId: g.id, actor: cmd.admin ? users.sam : g.requester })));
    }
    case 'advance':
      return c.advance(cmd.ms);
    case 'sweep':
      return c.sweepAll();
    case 'crash':
      return c.crash(cmd.on, cmd.when);
    case 'crashPolicy':
      return c.crashAtPolicyWrite(cmd.on, cmd.when);
    case 'conflict':
      return c.policies.failNext(cmd.times);
    case 'failUnassign':
      return c.identity.failNext('unassign', new KeylessError(ErrorCodes.Throttled, 'injected'));
  }
}

const roleArn = (g: Grant) =>
  `arn:aws:iam::${g.accountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${g.permissionSetName}_a1b2c3d4e5f60718`;
const cutFrom = (g: Grant) => (g.sessionCut && 'from' in g.sessionCut ? g.sessionCut.from : undefined);
const covered = (c: ReplicaCluster, g: Grant) =>
  c.policies.denies({
    userId: g.principalId,
    roleArn: roleArn(g),
    accountId: g.accountId,
    issuedAt: cutFrom(g)! - 1000,
  });

function checkPolicies(c: ReplicaCluster): void {
  expect(c.policies.sizeRejections).toBe(0);
  expect(c.policies.maxChars).toBeLessThanOrEqual(SCP_MAX_CHARS);
  for (const p of c.policies.policies.values()) expect(p.content.length).toBeLessThanOrEqual(SCP_MAX_CHARS);
  for (const [user, n] of c.policies.statementsPerUser()) expect({ user, n }).toEqual({ user, n: 1 });
}

function checkCoverage(c: ReplicaCluster, final: boolean): number {
  const now = c.clock.now();
  let checked = 0;
  for (const g of c.store.grants.values()) {
    if (g.status !== 'revoked' || g.assignmentRemovedAt === undefined) continue;
    const from = cutFrom(g);
    // Every early end that removed an assignment records a cut (T after the removal).
    expect({ grant: g.id, cut: from !== undefined }).toEqual({ grant: g.id, cut: true });
    if (from! <= g.assignmentRemovedAt) throw new Error(`T before the removal on ${g.id}`);
    if (now >= from! + SESSION_MS + MARGIN_MS) continue; // retention passed: it may go
    if (g.sessionsCutAt === undefined && !final) continue; // written soon (the lag the metric measures)
    expect({ grant: g.id, marked: g.sessionsCutAt !== undefined }).toEqual({ grant: g.id, marked: true });
    expect({ grant: g.id, covered: covered(c, g) }).toEqual({ grant: g.id, covered: true });
    checked++;
  }
  return checked;
}

describe('session cuts on three replicas under random schedules', () => {
  it('stay within the size limit, name each person once, and cover every early end until its retention', async () => {
    let checked = 0;
    let crashedWriters = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        const c = new ReplicaCluster(3, { policy }, { options: { skewSeconds: 30, retryDelayMs: 250 } });
        for (const cmd of commands) {
          await run(c, cmd);
          await c.idle();
          checkPolicies(c);
          checkCoverage(c, false);
        }
        // A short quiet period (past leases and back-offs, well within the retention).
        for (let i = 0; i < 8; i++) {
          await c.advance(20_000);
          await c.sweepAll();
          checkPolicies(c);
        }
        checked += checkCoverage(c, true);
        crashedWriters += c.dead;
        // A long one: every statement goes once its retention has passed.
        for (let i = 0; i < 8; i++) {
          await c.advance(3 * 3600_000);
          await c.sweepAll();
          checkPolicies(c);
        }
        const cuts = [...c.store.sessionCuts.values()];
        expect(cuts).toEqual([]);
        expect(c.policies.policies.size).toBe(0);
      }),
      { numRuns: 300 },
    );
    expect(checked).toBeGreaterThan(0);
    expect(crashedWriters).toBeGreaterThan(0);
  }, 180_000);
});
