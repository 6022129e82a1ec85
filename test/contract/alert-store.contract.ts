import { ErrorCodes, emptyCounts, systemActor, transitionAlert, type AlertStore } from '../../src';
import { T0 } from '../builders';
import { anAlert } from '../builders/alerts';

/** What every AlertStore does: run on the in-memory fake and on DynamoDB (dynalite). */
export function alertStoreContract(name: string, make: () => Promise<{ store: AlertStore }>): void {
  describe(`AlertStore contract: ${name}`, () => {
    let store: AlertStore;
    beforeEach(async () => {
      ({ store } = await make());
    });

    it('creates an alert once and reads it back whole', async () => {
      const alert = anAlert();
      await store.createAlert(alert);
      expect(await store.getAlert(alert.dedupeKey)).toEqual(alert);
      await expect(store.createAlert(alert)).rejects.toMatchObject({ code: ErrorCodes.VersionConflict });
    });

    it('saves only over the version it read', async () => {
      const alert = anAlert();
      await store.createAlert(alert);
      const t = transitionAlert(alert, { type: 'acknowledge', actor: systemActor('t'), at: T0 + 1 })!;
      await store.saveAlert(t.next, 1);
      await expect(store.saveAlert(t.next, 1)).rejects.toMatchObject({ code: ErrorCodes.VersionConflict });
      expect((await store.getAlert(alert.dedupeKey))!.status).toBe('acknowledged');
    });

    it('lists live alerts of one account or of all, and drops resolved ones', async () => {
      const a = anAlert({}, { dedupeKey: 'key:111111111111:A:stale_access_key' });
      const b = anAlert(
        {},
        { dedupeKey: 'key:222222222222:B:stale_access_key', account: { id: '222222222222', name: 'sandbox' } },
      );
      const c = anAlert({}, { dedupeKey: 'key:111111111111:C:stale_access_key' });
      for (const x of [a, b, c]) await store.createAlert(x);
      const resolved = transitionAlert(c, { type: 'resolve', actor: systemActor('t'), at: T0 + 1, reason: 'gone' })!;
      await store.saveAlert(resolved.next, 1);
      expect((await store.listLiveAlerts({ accountId: '111111111111' })).map((x) => x.dedupeKey)).toEqual([
        a.dedupeKey,
      ]);
      expect((await store.listLiveAlerts()).map((x) => x.dedupeKey)).toEqual([a.dedupeKey, b.dedupeKey]);
    });

    it('remembers a raw event id until its time is up, and forgets it when released', async () => {
      expect(await store.claimEvent('cloudtrail:e1', T0, 60)).toBe(true);
      expect(await store.claimEvent('cloudtrail:e1', T0 + 1000, 60)).toBe(false);
      expect(await store.claimEvent('cloudtrail:e1', T0 + 61_000, 60)).toBe(true);
      await store.releaseEvent('cloudtrail:e1');
      expect(await store.claimEvent('cloudtrail:e1', T0 + 62_000, 60)).toBe(true);
    });

    it('creates a digest once and updates it under its version', async () => {
      const digest = {
        id: '2026-11-23-1',
        date: '2026-11-23',
        version: 1,
        createdAt: T0,
        dedupeKeys: ['a'],
        messages: [],
      };
      await store.saveDigest(digest, 0);
      await expect(store.saveDigest(digest, 0)).rejects.toMatchObject({ code: ErrorCodes.VersionConflict });
      const posted = {
        ...digest,
        version: 2,
        messages: [{ platform: 'slack' as const, channel: 'C1', messageId: '1.2' }],
      };
      await store.saveDigest(posted, 1);
      expect(await store.getDigest(digest.id)).toEqual(posted);
    });

    it('keeps one posture snapshot per week: created once (a second replica is refused), updated under its version', async () => {
      expect(await store.getPostureSnapshot('2026-W48')).toBeUndefined();
      const counts = { ...emptyCounts(), humanIamUsers: 3, mfaGaps: 1 };
      const snapshot = {
        week: '2026-W48',
        version: 1,
        takenAt: T0,
        totals: counts,
        accounts: { '111111111111': counts },
        messages: [],
      };
      await store.savePostureSnapshot(snapshot, 0);
      await expect(store.savePostureSnapshot({ ...snapshot, takenAt: T0 + 1 }, 0)).rejects.toMatchObject({
        code: ErrorCodes.VersionConflict,
      });
      const posted = {
        ...snapshot,
        version: 2,
        messages: [{ platform: 'teams' as const, channel: '19:x', messageId: 'a1' }],
      };
      await expect(store.savePostureSnapshot(posted, 2)).rejects.toMatchObject({ code: ErrorCodes.VersionConflict });
      await store.savePostureSnapshot(posted, 1);
      expect(await store.getPostureSnapshot('2026-W48')).toEqual(posted);
      expect(await store.getPostureSnapshot('2026-W49')).toBeUndefined();
    });

    it('keeps root windows of an account until they end', async () => {
      const by = systemActor('sam');
      await store.addRootWindow({
        id: 'w1',
        accountId: '111111111111',
        from: T0,
        until: T0 + 3600_000,
        reason: 'x',
        announcedBy: by,
      });
      await store.addRootWindow({
        id: 'w2',
        accountId: '222222222222',
        from: T0,
        until: T0 + 3600_000,
        reason: 'y',
        announcedBy: by,
      });
      expect((await store.listRootWindows('111111111111', T0 + 1000)).map((w) => w.id)).toEqual(['w1']);
      expect(await store.listRootWindows('111111111111', T0 + 3600_001)).toEqual([]);
    });

    it('keeps the latest time each region was heard from', async () => {
      await store.recordRegionSeen('us-east-1', T0 + 2000);
      await store.recordRegionSeen('us-east-1', T0 + 1000);
      await store.recordRegionSeen('eu-west-1', T0);
      expect(await store.listRegionsSeen()).toEqual({ 'us-east-1': T0 + 2000, 'eu-west-1': T0 });
    });
  });
}
