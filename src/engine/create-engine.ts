import type {
  AccessRequest,
  Account,
  BundleView,
  AssignmentDrift,
  ChatUser,
  Grant,
  GrantId,
  PermissionSet,
  RequestId,
} from '../domain';
import type { TimerHandle } from '../ports';
import { approve, cancel, deny, type DecideResult } from './decide-request';
import { ErrorCodes, KeylessError } from '../domain';
import { defaultEngineOptions, type EngineContext, type EngineDeps, type EngineOptions } from './deps';
import { ExpiryTimers } from './expiry-scheduler';
import { extend } from './extend-grant';
import { Ownership } from './ownership';
import { approvalsFor, explain, findAccounts, listMine, requestGroupOptions, requestOptions } from './queries';
import { reconcile } from './reconcile-assignments';
import type { RequestAccessInput, RequestAccessResult } from './request-access';
import { requestAnyAccess } from './request-any-access';
import {
  approveBundle,
  bundleOf,
  denyBundle,
  requestBundle,
  revokeBundle,
  type BundleActionResult,
  type RequestBundleInput,
  type RequestBundleResult,
} from './request-bundle';
import { revoke, type RevokeResult } from './revoke-grant';
import { syncSessionCuts, type SessionCutSyncReport } from './session-cut';
import { sweep, type SweepReport } from './sweep';

/**
 * The keyless engine: every use case of the grant lifecycle behind one object. Chat adapters call
 * it with verified users; it decides with the policy, persists through the GrantStore, acts through
 * IdentityCenter, and tells people through the ChatNotifier.
 */
export interface Engine {
  /** Ask for access (or more time on a live grant for the same account and permission set). */
  requestAccess(input: RequestAccessInput): Promise<RequestAccessResult>;
  approve(input: { requestId: string; actor: ChatUser }): Promise<DecideResult>;
  deny(input: { requestId: string; actor: ChatUser; reason?: string }): Promise<DecideResult>;
  cancel(input: { requestId: string; actor: ChatUser }): Promise<DecideResult>;
  /** End a grant before its expiry; on a grant that has ended, says so (`already_ended`) and changes nothing. */
  revoke(input: { grantId: string; actor: ChatUser; reason?: string }): Promise<RevokeResult>;
  /** Ask for more time on one's own grant. */
  extend(input: {
    grantId: string;
    actor: ChatUser;
    duration: string;
    reason?: string;
    idempotencyKey?: string;
  }): Promise<RequestAccessResult>;
  /** Ask for access to several accounts at once (`prod,staging,ou:Payments`): one request per account, tied. */
  requestBundle(input: RequestBundleInput): Promise<RequestBundleResult>;
  /** Approve every pending account of a bundle the clicker may approve (each counted by its own rule). */
  approveBundle(input: { requestId: string; actor: ChatUser }): Promise<BundleActionResult>;
  /** Deny every pending account of a bundle the clicker may decide. */
  denyBundle(input: { requestId: string; actor: ChatUser; reason?: string }): Promise<BundleActionResult>;
  /** End every live grant of a bundle now. */
  revokeBundle(input: {
    requestId: string;
    actor: ChatUser;
    reason?: string;
  }): Promise<BundleActionResult & { revoked: RevokeResult[] }>;
  /** The requests and grants of the bundle a request belongs to (undefined for a lone request). */
  bundleOf(requestId: string): Promise<BundleView | undefined>;
  /** The policy's answer for a person and a target, in one sentence. */
  explain(input: { user: ChatUser; account: string; permissionSet: string }): Promise<string>;
  listMine(user: ChatUser): Promise<{ grants: Grant[]; requests: AccessRequest[] }>;
  approvalsFor(user: ChatUser): Promise<AccessRequest[]>;
  findAccounts(query: string, limit?: number): Promise<Account[]>;
  requestOptions(input: {
    user: ChatUser;
    account: string;
  }): Promise<{ account: Account; options: { permissionSet: PermissionSet; maxSeconds: number }[] }>;
  /** The groups this person may ask to join for a while (`group:<name>`), each with its longest duration. */
  requestGroupOptions(input: { user: ChatUser }): Promise<{ groups: { name: string; maxSeconds: number }[] }>;
  getRequest(id: string): Promise<AccessRequest | undefined>;
  getGrant(id: string): Promise<Grant | undefined>;
  /** One pass of the backstop sweep (timeouts, resume after a crash, expiry, reminders). */
  sweep(): Promise<SweepReport>;
  /** Write the session cuts into the policies now (the sweep does it too); undefined when another replica writes. */
  syncSessionCuts(): Promise<SessionCutSyncReport | undefined>;
  /** Compare Identity Center with the grants; report (and by policy remove) drift. */
  reconcile(): Promise<AssignmentDrift[]>;
  /** Sweep first (resume after a restart), then keep sweeping every `sweepIntervalMs`. */
  start(): Promise<void>;
  /** Stop taking timed work and wait for work in flight (graceful shutdown). */
  stop(): Promise<void>;
  /** Resolves when no background work is in flight (tests, shutdown). */
  idle(): Promise<void>;
  /** Number of in-process expiry timers armed. */
  readonly armedTimers: number;
  /** This replica's id in the membership, and the live members as it last read them. */
  readonly membership: { memberId: string; members: readonly string[] };
}

/** Background jobs started in one turn of the event loop, at most (see `pump`). */
const START_PER_TURN = 8;

export function createEngine(deps: EngineDeps): Engine {
  const options: EngineOptions = {
    ...defaultEngineOptions,
    ...deps.options,
    sessionCut: { ...defaultEngineOptions.sessionCut, ...deps.options?.sessionCut },
    activity: { ...defaultEngineOptions.activity, ...deps.options?.activity },
  };
  if (options.sessionCut.enabled && !deps.sessionCuts) {
    throw new KeylessError(
      ErrorCodes.ConfigInvalid,
      'Ending sessions is enabled but no session-cut store, policies and lease were given.',
    );
  }
  // The early lookup is "complete enough", the final one replaces it: the final one must come later.
  const { firstAfterMs, finalAfterMs } = options.activity;
  if (!(firstAfterMs >= 0 && finalAfterMs > firstAfterMs)) {
    throw new KeylessError(
      ErrorCodes.ConfigInvalid,
      `The final activity lookup (${finalAfterMs} ms after a grant ends) must come after the early one (${firstAfterMs} ms).`,
    );
  }
  const inFlight = new Map<string, Promise<unknown>>();
  const timers = new ExpiryTimers(() => ctx);
  // When the members change, this replica's share changes: it drops the timers it no longer owns
  // and re-reads the whole horizon at once (arming what it now owns, revoking what is due), so a
  // departed replica's grants are taken over within memberTtlMs + heartbeatMs (+ one sweep).
  const ownership = new Ownership({
    membership: deps.membership,
    clock: deps.clock,
    logger: deps.logger,
    options,
    onChange: () => {
      timers.retainOwned();
      ctx.sweepState.horizonScannedAt = undefined;
      if (running) runSweep();
    },
  });
  let sweepTimer: TimerHandle | undefined;
  let heartbeatTimer: TimerHandle | undefined;
  let running = false;
  let sweeping: Promise<unknown> | undefined;
  let sweepAgain = false;
  let beating: Promise<unknown> | undefined;

  // Background work runs at most `backgroundConcurrency` at once (issue 13, item 3): a burst of due
  // timers queues here instead of starting a thousand revocations in one turn of the event loop,
  // which would hold chat acknowledgements back behind them.
  // Jobs start a few per turn of the event loop (the rest on the next turn): each job's first steps
  // run synchronously up to its first round trip, and a hundred of them in one turn would hold a
  // chat acknowledgement, or this replica's heartbeat, back behind them.
  const queue: (() => void)[] = [];
  let active = 0;
  let nextTurn = false;
  const pump = () => {
    if (nextTurn) return;
    let started = 0;
    while (active < options.backgroundConcurrency && queue.length > 0) {
      if (started === START_PER_TURN) {
        nextTurn = true;
        setImmediate(() => {
          nextTurn = false;
          pump();
        });
        return;
      }
      active++;
      started++;
      queue.shift()!();
    }
  };

  const ctx: EngineContext = {
    ...deps,
    options,
    scheduler: timers,
    ownership,
    sweepState: { horizonScannedAt: undefined },
    sessionCutState: {
      running: false,
      again: false,
      retryTimer: undefined,
      failures: 0,
      lastSyncAt: undefined,
      lastFailure: undefined,
    },
    busy: new Set<string>(),
    lifecycle: { stopping: false },
    background(name, work) {
      // One run per name at a time on this replica: a timer and a sweep never race each other here.
      if (inFlight.has(name) || ctx.lifecycle.stopping) return;
      const run = new Promise<void>((resolve) => {
        queue.push(() => {
          const started = ctx.lifecycle.stopping ? Promise.resolve() : Promise.resolve().then(work);
          void started
            .catch((error: unknown) =>
              deps.logger.error({ err: error, work: name }, 'background work failed; the sweep retries'),
            )
            .finally(() => {
              active--;
              inFlight.delete(name);
              resolve();
              pump();
            });
        });
      });
      inFlight.set(name, run);
      pump();
    },
    async publish(event) {
      try {
        await deps.notifier.publish(event);
      } catch (error) {
        deps.logger.error({ err: error, event: event.type }, 'notification failed');
      }
    },
  };

  const runSweep = () => {
    if (sweeping) {
      sweepAgain = true;
      return;
    }
    sweepTimer?.cancel();
    sweeping = sweep(ctx)
      .catch((error: unknown) => deps.logger.error({ err: error }, 'sweep failed'))
      .finally(() => {
        sweeping = undefined;
        if (sweepAgain && running) {
          sweepAgain = false;
          runSweep();
        } else scheduleSweep();
      });
  };

  const scheduleSweep = () => {
    if (!running) return;
    sweepTimer = deps.clock.setTimer(deps.clock.now() + options.sweepIntervalMs, runSweep);
  };

  const scheduleHeartbeat = () => {
    if (!running) return;
    heartbeatTimer = deps.clock.setTimer(deps.clock.now() + options.heartbeatMs, () => {
      beating = ownership.refresh().finally(() => {
        beating = undefined;
        scheduleHeartbeat();
      });
    });
  };

  const idle = async () => {
    while (inFlight.size > 0 || sweeping || beating) {
      await Promise.all([...inFlight.values(), sweeping, beating]);
    }
  };

  return {
    requestAccess: (input) => requestAnyAccess(ctx, input),
    requestBundle: (input) => requestBundle(ctx, input),
    approveBundle: (input) => approveBundle(ctx, input),
    denyBundle: (input) => denyBundle(ctx, input),
    revokeBundle: (input) => revokeBundle(ctx, input),
    bundleOf: (requestId) => bundleOf(ctx, requestId),
    approve: (input) => approve(ctx, input),
    deny: (input) => deny(ctx, input),
    cancel: (input) => cancel(ctx, input),
    revoke: (input) => revoke(ctx, input),
    extend: (input) => extend(ctx, input),
    explain: (input) => explain(ctx, input),
    listMine: (user) => listMine(ctx, user),
    approvalsFor: (user) => approvalsFor(ctx, user),
    findAccounts: (query, limit) => findAccounts(ctx, query, limit),
    requestOptions: (input) => requestOptions(ctx, input),
    requestGroupOptions: (input) => requestGroupOptions(ctx, input),
    getRequest: (id) => deps.store.getRequest(id as RequestId),
    getGrant: (id) => deps.store.getGrant(id as GrantId),
    sweep: () => sweep(ctx),
    reconcile: () => reconcile(ctx),
    syncSessionCuts: () => syncSessionCuts(ctx),
    async start() {
      if (running) return;
      running = true;
      await ownership.refresh();
      scheduleHeartbeat(); // before the first sweep, which may take long: the heartbeat must not lapse meanwhile
      const report = await sweep(ctx);
      deps.logger.info({ ...report, members: ownership.members.length }, 'engine started: first sweep done');
      scheduleSweep();
    },
    async stop() {
      running = false;
      ctx.lifecycle.stopping = true;
      sweepTimer?.cancel();
      heartbeatTimer?.cancel();
      ctx.sessionCutState.retryTimer?.cancel();
      timers.stop();
      await idle();
      await ownership.leave();
    },
    idle,
    get armedTimers() {
      return timers.size;
    },
    get membership() {
      return { memberId: ownership.memberId, members: ownership.members };
    },
  };
}
