import type { CutInput, PrincipalId, SessionCutStore } from '../../src';
import { T0 } from '../builders';

const ann = '90670000-0000-0000-0000-000000000002' as PrincipalId;
const rita = '90670000-0000-0000-0000-000000000001' as PrincipalId;

function input(over: Partial<CutInput> = {}): CutInput {
  return {
    principalId: rita,
    cutFrom: T0 + 30_000,
    target: { accountId: '111111111111', permissionSetName: 'AdministratorAccess' },
    retainUntil: T0 + 3600_000,
    grant: { grantId: 'grt000001-g', removedAt: T0 },
    ...over,
  };
}

/**
 * The SessionCutStore contract: one record per person, merged with conditional writes (the latest
 * T, the union of the pairs, the furthest retention, each grant once), settled and deleted only at
 * the version read. Every implementation (the in-memory fake, DynamoDB) must pass it unchanged.
 */
export function sessionCutStoreContract(name: string, make: () => Promise<SessionCutStore>): void {
  describe(`SessionCutStore contract: ${name}`, () => {
    let store: SessionCutStore;
    beforeEach(async () => {
      store = await make();
    });

    it('keeps one record per person: the latest T, every pair, the furthest retention', async () => {
      await store.recordSessionCut(input());
      await store.recordSessionCut(
        input({
          cutFrom: T0 + 10_000,
          target: { accountId: '222222222222', permissionSetName: 'ReadOnlyAccess' },
          retainUntil: T0 + 9 * 3600_000,
          grant: { grantId: 'grt000002-g', removedAt: T0 + 5 },
        }),
      );
      await store.recordSessionCut(input({ principalId: ann, grant: { grantId: 'grt000003-g', removedAt: T0 } }));
      const cuts = await store.listSessionCuts();
      expect(cuts.map((c) => c.principalId).sort()).toEqual([rita, ann].sort());
      const r = cuts.find((c) => c.principalId === rita)!;
      expect(r.cutFrom).toBe(T0 + 30_000);
      expect(r.targets).toHaveLength(2);
      expect(r.retainUntil).toBe(T0 + 9 * 3600_000);
      expect(r.pending.map((p) => p.grantId)).toEqual(['grt000001-g', 'grt000002-g']);
      expect(r.version).toBe(2);
    });

    it('loses no merge when replicas record at once', async () => {
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          store.recordSessionCut(
            input({ cutFrom: T0 + i * 1000, grant: { grantId: `grt00000${i}-g`, removedAt: T0 + i } }),
          ),
        ),
      );
      const [cut] = await store.listSessionCuts();
      expect(cut!.pending).toHaveLength(6);
      expect(cut!.cutFrom).toBe(T0 + 5000);
    });

    it('settles grants off the pending list, idempotently', async () => {
      await store.recordSessionCut(input());
      await store.settleSessionCut(rita, ['grt000001-g']);
      await store.settleSessionCut(rita, ['grt000001-g']);
      const [cut] = await store.listSessionCuts();
      expect(cut!.pending).toEqual([]);
      expect(cut!.version).toBe(2);
    });

    it('deletes a record only at the version read (a cut merged since stays)', async () => {
      const first = await store.recordSessionCut(input());
      await store.recordSessionCut(input({ grant: { grantId: 'grt000009-g', removedAt: T0 } }));
      expect(await store.deleteSessionCut(rita, first.version)).toBe(false);
      expect(await store.listSessionCuts()).toHaveLength(1);
      expect(await store.deleteSessionCut(rita, first.version + 1)).toBe(true);
      expect(await store.listSessionCuts()).toEqual([]);
    });
  });
}
