import type {
  Alert,
  AlertDigest,
  AssignmentDrift,
  ChatUser,
  PostureReport,
  PostureSnapshot,
  RootWindow,
} from '../../domain';
import { postWeeklyPosture, postureFor, readPosture } from './posture';
import { approveDeletion, denyDeletion, requestDeletion } from './rotation';
import {
  acknowledge,
  announceRootWindow,
  approveDeactivation,
  denyDeactivation,
  reactivate,
  requestDeactivation,
  snooze,
} from './actions';
import {
  defaultAlertEngineOptions,
  type AlertContext,
  type AlertEngineDeps,
  type AlertStats,
  type ScanAccount,
} from './deps';
import { postDigest } from './digest';
import { recordDrifts, type DriftReport } from './drift';
import { ingestEvent, type IngestOutcome } from './ingest-event';
import { checkRegions, endSnoozes, scanAccount, scanAll, type AccountScanResult, type ScanReport } from './scan';

/**
 * The security feed (issue 7) behind one object, apart from the grant engine: root activity as it
 * happens, scheduled key scans, alerts with a life, and the actions of their buttons. Adapters feed
 * it (the SQS consumer, the EventBridge endpoint, the scan scheduler) and render what it publishes.
 */
export interface AlertEngine {
  /** One raw EventBridge event (JSON text or object). Never throws for a malformed event. */
  ingestEvent(raw: unknown): Promise<IngestOutcome>;
  /** Scans every account; a failing account becomes an alert, not a failure. */
  scanAll(): Promise<ScanReport>;
  scanAccount(account: ScanAccount): Promise<AccountScanResult>;
  /** Posts the daily digest of digest-class alerts not yet listed; undefined when there is none. */
  postDigest(): Promise<AlertDigest | undefined>;
  /** Region silence and ended snoozes (also done at the end of every scan). */
  checkBlindSpots(): Promise<{ silentRegions: string[]; snoozesEnded: number }>;
  /**
   * The reconciler's complete answer as findings: one alert per drift, counted (not re-posted) on
   * every later run, resolved when it is gone.
   */
  recordDrifts(drifts: readonly AssignmentDrift[]): Promise<DriftReport>;
  acknowledge(input: { dedupeKey: string; actor: ChatUser }): Promise<Alert>;
  snooze(input: { dedupeKey: string; actor: ChatUser; days: number; reason: string }): Promise<Alert>;
  requestDeactivation(input: { dedupeKey: string; actor: ChatUser }): Promise<Alert>;
  approveDeactivation(input: { dedupeKey: string; actor: ChatUser }): Promise<Alert>;
  denyDeactivation(input: { dedupeKey: string; actor: ChatUser; reason?: string }): Promise<Alert>;
  reactivate(input: { dedupeKey: string; actor: ChatUser }): Promise<Alert>;
  /** The rotation assistant's last step: Delete the old key (approval-gated, never undone). */
  requestDeletion(input: { dedupeKey: string; actor: ChatUser }): Promise<Alert>;
  approveDeletion(input: { dedupeKey: string; actor: ChatUser }): Promise<Alert>;
  denyDeletion(input: { dedupeKey: string; actor: ChatUser; reason?: string }): Promise<Alert>;
  announceRootWindow(input: {
    actor: ChatUser;
    account: string;
    duration: string;
    reason: string;
  }): Promise<RootWindow>;
  getAlert(dedupeKey: string): Promise<Alert | undefined>;
  /** `/aws-access posture`: every account's IAM posture, for the security group only. */
  posture(input: { actor: ChatUser }): Promise<PostureReport>;
  /** The posture without an actor (the weekly post, the CLI). */
  readPosture(): Promise<PostureReport>;
  /** The weekly posture post, once per ISO week across replicas; undefined when the week has one. */
  postWeeklyPosture(): Promise<{ week: string; report: PostureReport; snapshot: PostureSnapshot } | undefined>;
  readonly stats: Readonly<AlertStats>;
}

const ACCOUNTS_TTL_MS = 10 * 60_000;

export function createAlertEngine(deps: AlertEngineDeps): AlertEngine {
  const options = { ...defaultAlertEngineOptions, ...deps.options };
  const stats: AlertStats = {
    received: 0,
    malformed: 0,
    duplicates: 0,
    ignored: 0,
    heartbeats: 0,
    raised: 0,
    repeated: 0,
    resolved: 0,
    publishFailures: 0,
  };
  let names = new Map<string, string>();
  let loadedAt = -Infinity;
  let loading: Promise<ScanAccount[]> | undefined;
  let triedAccounts = false;

  const refreshAccounts = (): Promise<ScanAccount[]> => {
    loading ??= deps
      .accounts()
      .then((accounts) => {
        names = new Map(accounts.map((a) => [a.id, a.name]));
        loadedAt = deps.clock.now();
        return accounts;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  const ctx: AlertContext = {
    ...deps,
    options,
    stats,
    regionWrites: new Map(),
    startedAt: deps.clock.now(),
    refreshAccounts,
    async ensureAccounts() {
      if (triedAccounts) return;
      triedAccounts = true;
      await refreshAccounts().catch((error: unknown) => deps.logger.warn({ err: error }, 'account names not loaded'));
    },
    accountName(id) {
      if (deps.clock.now() - loadedAt > ACCOUNTS_TTL_MS && !loading) {
        // The hot path never waits on the catalog: names refresh in the background.
        refreshAccounts().catch((error: unknown) => deps.logger.warn({ err: error }, 'account names not refreshed'));
      }
      return names.get(id) ?? id;
    },
  };

  return {
    ingestEvent: (raw) => ingestEvent(ctx, raw),
    scanAll: () => scanAll(ctx),
    scanAccount: (account) => scanAccount(ctx, account),
    postDigest: () => postDigest(ctx),
    async checkBlindSpots() {
      const snoozesEnded = await endSnoozes(ctx);
      return { silentRegions: await checkRegions(ctx), snoozesEnded };
    },
    recordDrifts: (drifts) => recordDrifts(ctx, drifts),
    acknowledge: (input) => acknowledge(ctx, input),
    snooze: (input) => snooze(ctx, input),
    requestDeactivation: (input) => requestDeactivation(ctx, input),
    approveDeactivation: (input) => approveDeactivation(ctx, input),
    denyDeactivation: (input) => denyDeactivation(ctx, input),
    reactivate: (input) => reactivate(ctx, input),
    requestDeletion: (input) => requestDeletion(ctx, input),
    approveDeletion: (input) => approveDeletion(ctx, input),
    denyDeletion: (input) => denyDeletion(ctx, input),
    announceRootWindow: (input) => announceRootWindow(ctx, input),
    getAlert: (key) => deps.store.getAlert(key),
    posture: (input) => postureFor(ctx, input.actor),
    readPosture: () => readPosture(ctx),
    postWeeklyPosture: () => postWeeklyPosture(ctx),
    get stats() {
      return stats;
    },
  };
}
