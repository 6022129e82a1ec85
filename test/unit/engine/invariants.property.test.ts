import fc from 'fast-check';
import { ErrorCodes, KeylessError, assignmentKeyString, grantAssignment, type ChatUser } from '../../../src';
import { testEngine, users, type TestEngine } from '../../builders/test-engine';

/**
 * Random sequences of what people and time do, checked against the invariants the product promises:
 * one active grant per (user, account, permission set); nothing active past its expiry after a sweep;
 * no approval from an ineligible person counted; every state change audited exactly once; and no
 * assignment in Identity Center that no grant explains. (Several replicas, crashes, the duration
 * invariant and Identity Center call counts: replicas.property.test.ts.)
 */
const people: ChatUser[] = [users.rita, users.ann, users.bob, users.carl, users.olga, users.sam];
const targets = [
  { account: 'prod', permissionSet: 'AdministratorAccess' },
  { account: 'sandbox', permissionSet: 'ReadOnlyAccess' },
  { account: 'sandbox', permissionSet: 'AdministratorAccess' },
  { account: 'payments', permissionSet: 'AdministratorAccess' },
];
const approverEmails = new Set(['ann@example.com', 'bob@example.com', 'carl@example.com']);

const command = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      who: fc.nat(5),
      target: fc.nat(3),
      minutes: fc.integer({ min: 1, max: 300 }),
      breakGlass: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('approve' as const), who: fc.nat(5), which: fc.nat(3) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('deny' as const), who: fc.constantFrom(1, 2, 3, 4), which: fc.nat(3) }),
  },
  fc.record({ kind: fc.constant('cancel' as const), who: fc.nat(5), which: fc.nat(3), own: fc.boolean() }),
  fc.record({ kind: fc.constant('revoke' as const), who: fc.nat(5), which: fc.nat(3) }),
  fc.record({ kind: fc.constant('extend' as const), which: fc.nat(3), minutes: fc.integer({ min: 1, max: 120 }) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 3 * 3600_000 }) }),
  fc.record({ kind: fc.constant('sweep' as const) }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fail' as const),
      op: fc.constantFrom('assign' as const, 'unassign' as const),
      retryable: fc.boolean(),
    }),
  },
);

/** Picks among the most recent records, where the action is. */
function recent<T>(records: T[], which: number): T {
  return records[records.length - 1 - (which % records.length)]!;
}

async function settle<T>(work: Promise<T>): Promise<void> {
  await work.then(
    () => undefined,
    (error: unknown) => {
      if (!(error instanceof KeylessError)) throw error;
    },
  );
}

describe('engine invariants under random sequences', () => {
  it('hold after every step', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (commands) => {
        const t = testEngine({ options: { stuckAfterAttempts: 3 } });
        for (const c of commands) {
          const requests = [...t.store.requests.values()];
          const grants = [...t.store.grants.values()];
          switch (c.kind) {
            case 'request':
              await settle(
                t.engine.requestAccess({
                  requester: people[c.who]!,
                  ...targets[c.target]!,
                  duration: `${c.minutes}m`,
                  reason: 'property test',
                  breakGlass: c.breakGlass,
                }),
              );
              break;
            case 'approve':
              if (requests.length)
                await settle(t.engine.approve({ requestId: recent(requests, c.which).id, actor: people[c.who]! }));
              break;
            case 'deny':
              if (requests.length)
                await settle(
                  t.engine.deny({
                    requestId: recent(requests, c.which).id,
                    actor: people[c.who]!,
                    reason: 'not now',
                  }),
                );
              break;
            case 'cancel':
              if (requests.length) {
                const r = recent(requests, c.which);
                await settle(t.engine.cancel({ requestId: r.id, actor: c.own ? r.requester : people[c.who]! }));
              }
              break;
            case 'revoke':
              if (grants.length)
                await settle(t.engine.revoke({ grantId: recent(grants, c.which).id, actor: people[c.who]! }));
              break;
            case 'extend':
              if (grants.length) {
                const g = recent(grants, c.which);
                await settle(t.engine.extend({ grantId: g.id, actor: g.requester, duration: `${c.minutes}m` }));
              }
              break;
            case 'advance':
              t.clock.advance(c.ms);
              break;
            case 'sweep':
              await t.engine.sweep();
              break;
            case 'fail':
              t.identity.failNext(
                c.op,
                new KeylessError(c.retryable ? ErrorCodes.Throttled : ErrorCodes.AssignmentFailed, 'injected'),
              );
              break;
          }
          await t.engine.idle();
          checkInvariants(t, c.kind === 'sweep');
        }
        // A final quiet period: everything due must end, and nothing may be left half-done.
        await t.engine.sweep();
        await t.engine.idle();
        checkInvariants(t, true);
        for (let i = 0; i < 12; i++) {
          t.clock.advance(4 * 3600_000); // past any expiry and retry back-off
          await t.engine.sweep();
          await t.engine.idle();
        }
        checkInvariants(t, true);
        expect(
          [...t.store.grants.values()].filter(
            (g) => g.status !== 'failed' && g.status !== 'expired' && g.status !== 'revoked',
          ),
        ).toEqual([]);
        expect(t.identity.assignments.size).toBe(0);
        for (const g of t.store.grants.values()) for (const e of g.history) seen.set(e.to, (seen.get(e.to) ?? 0) + 1);
        for (const r of t.store.requests.values())
          seen.set(`request:${r.status}`, (seen.get(`request:${r.status}`) ?? 0) + 1);
      }),
      { numRuns: 500 },
    );
    // The sequences must reach every corner, or the invariants above were checked on nothing.
    for (const state of [
      'active',
      'expired',
      'revoked',
      'failed',
      'request:approved',
      'request:denied',
      'request:cancelled',
      'request:timed_out',
    ]) {
      expect({ state, reached: (seen.get(state) ?? 0) > 0 }).toEqual({ state, reached: true });
    }
  });
});

function checkInvariants(t: TestEngine, afterSweep: boolean): void {
  const grants = [...t.store.grants.values()];
  const active = grants.filter((g) => g.status === 'active');

  // One active grant per triple.
  const triples = active.map((g) => assignmentKeyString(grantAssignment(g)));
  expect(new Set(triples).size).toBe(triples.length);

  // Nothing active past its expiry after a sweep.
  if (afterSweep) {
    for (const g of active) expect(g.expiresAt!).toBeGreaterThan(t.clock.now());
  }

  // Only eligible approvers counted, never the requester (no rule here allows self-approval).
  for (const r of t.store.requests.values()) {
    for (const a of r.approvals) {
      expect(approverEmails.has(a.actor.email ?? '')).toBe(true);
      expect(a.principalId).not.toBe(r.principalId);
    }
  }

  // Every state change audited exactly once, as an unbroken chain.
  for (const record of [...t.store.requests.values(), ...grants]) {
    expect(record.history.map((e) => e.version)).toEqual(Array.from({ length: record.version }, (_, i) => i + 1));
    record.history.forEach((e, i) => {
      expect(e.from).toBe(i === 0 ? 'none' : record.history[i - 1]!.to);
    });
    expect(record.history.at(-1)!.to).toBe(record.status);
  }

  // Every assignment in Identity Center is explained by a grant that may hold it.
  const explained = new Set(
    grants
      .filter((g) => g.status === 'active' || g.status === 'deprovisioning' || g.status === 'provisioning')
      .map((g) => assignmentKeyString(grantAssignment(g))),
  );
  for (const key of t.identity.assignments.keys()) expect(explained.has(key)).toBe(true);
}
