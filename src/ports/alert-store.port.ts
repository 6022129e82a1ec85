import type { Alert, AlertDigest, PostureSnapshot, RootWindow } from '../domain';

/**
 * Where alerts live (design §7: `ALERT#<dedupe key>` items), with the same single-item conditional
 * writes as the GrantStore:
 * - `createAlert` fails with VERSION_CONFLICT when the key exists;
 * - `saveAlert` writes only when the stored version is still `expectedVersion`, else VERSION_CONFLICT.
 */
export interface AlertStore {
  getAlert(dedupeKey: string): Promise<Alert | undefined>;
  createAlert(alert: Alert): Promise<void>;
  saveAlert(next: Alert, expectedVersion: number): Promise<void>;
  /** Alerts not resolved, of one account or of all; order is by account then key. May lag writes by a second. */
  listLiveAlerts(query?: { accountId?: string }): Promise<Alert[]>;

  /** Raw events are deduped by event id: true the first time, false while remembered. */
  claimEvent(eventId: string, nowMs: number, ttlSeconds: number): Promise<boolean>;
  /** Forgets a claimed event whose handling failed, so that a redelivery is handled. */
  releaseEvent(eventId: string): Promise<void>;

  getDigest(id: string): Promise<AlertDigest | undefined>;
  /** Creates (expectedVersion 0) or updates a digest, conditionally on its version. */
  saveDigest(next: AlertDigest, expectedVersion: number): Promise<void>;

  addRootWindow(window: RootWindow): Promise<void>;
  /** Windows of an account that have not ended at `atMs`. */
  listRootWindows(accountId: string, atMs: number): Promise<RootWindow[]>;

  /** The latest event time seen per region (proof that the feed from that region is alive). */
  recordRegionSeen(region: string, atMs: number): Promise<void>;
  listRegionsSeen(): Promise<Record<string, number>>;

  /** The weekly posture snapshot of an ISO week (`2026-W49`), if one was taken. */
  getPostureSnapshot(week: string): Promise<PostureSnapshot | undefined>;
  /**
   * Creates (expectedVersion 0: fails with VERSION_CONFLICT when the week has one, so one replica
   * posts the week) or updates a week's snapshot, conditionally on its version.
   */
  savePostureSnapshot(next: PostureSnapshot, expectedVersion: number): Promise<void>;
}
