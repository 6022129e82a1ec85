import fc from 'fast-check';
import {
  ErrorCodes,
  SCP_MAX_CHARS,
  cutInForce,
  isKeylessError,
  membersOfDocument,
  mergeCut,
  packSessionCuts,
  tokenIssueTime,
  type PrincipalId,
  type SessionCut,
} from '../../../src';

const T = Date.UTC(2026, 11, 2, 1, 20, 45, 120);
const uid = (n: number) => `90670000-0000-0000-0000-${String(n).padStart(12, '0')}` as PrincipalId;

function cut(n: number, over: Partial<SessionCut> = {}): SessionCut {
  return {
    principalId: uid(n),
    cutFrom: T + n * 1000,
    targets: [{ accountId: '111111111111', permissionSetName: 'AdministratorAccess' }],
    retainUntil: T + 3600_000,
    pending: [],
    version: 1,
    ...over,
  };
}

describe('session cut statements', () => {
  it('denies the person’s credentials issued before T, on the roles of the pairs cut, minified', () => {
    const { documents, packing } = packSessionCuts([cut(1)], { slots: 4 });
    expect(packing).toBe('narrowed');
    expect(documents).toHaveLength(1);
    const doc = JSON.parse(documents[0]!);
    expect(documents[0]).toBe(JSON.stringify(doc));
    expect(doc).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: {
            StringEquals: { 'identitystore:UserId': uid(1) },
            DateLessThan: { 'aws:TokenIssueTime': '2026-12-02T01:20:47Z' },
            ArnLike: {
              'aws:PrincipalArn':
                'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*',
            },
          },
        },
      ],
    });
  });

  it('writes T in ISO 8601 UTC to the second, rounded up (never earlier than asked)', () => {
    expect(tokenIssueTime(Date.UTC(2026, 0, 1, 0, 0, 0, 1))).toBe('2026-01-01T00:00:01Z');
    expect(tokenIssueTime(Date.UTC(2026, 0, 1, 0, 0, 0, 0))).toBe('2026-01-01T00:00:00Z');
  });

  it('merges a person’s cuts into one: the latest T, every pair, the furthest retention, each grant once', () => {
    const a = mergeCut(undefined, {
      principalId: uid(1),
      cutFrom: T + 10_000,
      target: { accountId: '111111111111', permissionSetName: 'ReadOnlyAccess' },
      retainUntil: T + 7200_000,
      grant: { grantId: 'g1', removedAt: T },
    });
    const b = mergeCut(a, {
      principalId: uid(1),
      cutFrom: T + 5_000,
      target: { accountId: '222222222222', permissionSetName: 'AdministratorAccess' },
      retainUntil: T + 3600_000,
      grant: { grantId: 'g2', removedAt: T + 1 },
    });
    const c = mergeCut(b, {
      ...{ principalId: uid(1), cutFrom: T, retainUntil: T },
      target: b.targets[0]!,
      grant: { grantId: 'g2', removedAt: T + 9 },
    });
    expect(c.cutFrom).toBe(Math.ceil((T + 10_000) / 1000) * 1000);
    expect(c.targets.map((t) => t.accountId)).toEqual(['111111111111', '222222222222']);
    expect(c.retainUntil).toBe(T + 7200_000);
    expect(c.pending).toEqual([
      { grantId: 'g1', removedAt: T },
      { grantId: 'g2', removedAt: T + 1 },
    ]);
    expect(c.version).toBe(3);
  });

  it('keeps a cut in force until its retention has passed', () => {
    expect(cutInForce(cut(1), T + 3600_000 - 1)).toBe(true);
    expect(cutInForce(cut(1), T + 3600_000)).toBe(false);
  });

  it('is deterministic whatever the order of the cuts', () => {
    const cuts = Array.from({ length: 30 }, (_, i) => cut(i));
    const a = packSessionCuts(cuts, { slots: 4 });
    const b = packSessionCuts([...cuts].reverse(), { slots: 4 });
    expect(b.documents).toEqual(a.documents);
    expect(a.documents.length).toBeGreaterThan(1);
  });

  it('keeps a person in the policy that holds them when it still fits', () => {
    const cuts = Array.from({ length: 20 }, (_, i) => cut(i));
    const first = packSessionCuts(cuts, { slots: 4 });
    const movedTo = first.documents.length; // pretend person 0 sat in the last slot
    const previous = new Map([[uid(0), movedTo - 1]]);
    const again = packSessionCuts(cuts, { slots: 4, previous });
    expect(again.members[movedTo - 1]).toContain(uid(0));
    expect(again.members.flat().filter((m) => m === uid(0))).toHaveLength(1);
  });

  it('falls back to one statement per person, then to shared statements, and never drops a cut', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => cut(i, { cutFrom: T }));
    expect(packSessionCuts(many(10), { slots: 4 }).packing).toBe('narrowed');
    expect(packSessionCuts(many(80), { slots: 4 }).packing).toBe('per_person');
    const grouped = packSessionCuts(many(300), { slots: 4 });
    expect(grouped.packing).toBe('grouped');
    expect(new Set(grouped.members.flat()).size).toBe(300);
    let error: unknown;
    try {
      packSessionCuts(many(600), { slots: 4 });
    } catch (e) {
      error = e;
    }
    expect(isKeylessError(error, ErrorCodes.SessionCutNoRoom)).toBe(true);
  });

  it('never exceeds the size limit and names each person once, whatever the cuts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            n: fc.nat(400),
            at: fc.integer({ min: 0, max: 3600_000 }),
            pairs: fc.array(
              fc.record({
                account: fc.constantFrom('111111111111', '222222222222', '333333333333'),
                ps: fc.constantFrom('AdministratorAccess', 'ReadOnlyAccess', 'PowerUserAccess'),
              }),
              { minLength: 1, maxLength: 4 },
            ),
          }),
          { maxLength: 250 },
        ),
        fc.integer({ min: 1, max: 4 }),
        (raw, slots) => {
          const byPerson = new Map<string, SessionCut>();
          for (const r of raw) {
            byPerson.set(
              uid(r.n),
              cut(r.n, {
                cutFrom: T + r.at,
                targets: r.pairs.map((p) => ({ accountId: p.account, permissionSetName: p.ps })),
              }),
            );
          }
          const cuts = [...byPerson.values()];
          let packed;
          try {
            packed = packSessionCuts(cuts, { slots });
          } catch (error) {
            expect(isKeylessError(error, ErrorCodes.SessionCutNoRoom)).toBe(true);
            return;
          }
          expect(packed.documents.length).toBeLessThanOrEqual(slots);
          for (const d of packed.documents) expect(d.length).toBeLessThanOrEqual(SCP_MAX_CHARS);
          const named = packed.documents.flatMap(membersOfDocument);
          expect(named.sort()).toEqual(cuts.map((c) => c.principalId).sort());
          // Each person's T in the documents is never earlier than their own.
          for (const d of packed.documents) {
            for (const s of JSON.parse(d).Statement) {
              const t = Date.parse(s.Condition.DateLessThan['aws:TokenIssueTime']);
              const ids = [s.Condition.StringEquals['identitystore:UserId']].flat() as string[];
              for (const id of ids) expect(t).toBeGreaterThanOrEqual(byPerson.get(id)!.cutFrom);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
