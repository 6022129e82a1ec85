import type { Grant, Policy } from '../domain';
import type {
  ActivityTrail,
  TimerHandle,
  ChatNotifier,
  Clock,
  GrantStore,
  IdGenerator,
  IdentityCenter,
  LeaderLease,
  Logger,
  Membership,
  OnCallDirectory,
  SessionCutPolicies,
  SessionCutStore,
} from '../ports';
import type { Ownership } from './ownership';

/**
 * Ending the open AWS sessions of grants that end early (README "Security model"). Off by default:
 * it needs service control policies (AWS Organizations, all features) and the permission to write them.
 */
export interface SessionCutOptions {
  enabled: boolean;
  /**
   * T is the assignment's removal plus this margin (clock skew between keyless and AWS); the
   * statement is kept until T + the permission set's session duration + this margin. Default 30 s.
   */
  skewSeconds: number;
  /**
   * Also cut at a scheduled expiry when the permission set's session duration is longer than the
   * grant (a session opened at the start would outlive it). Default false.
   */
  expiryCutsWhenSessionOutlives: boolean;
  /** Service control policies do not reach the management account: its grants get a note instead. */
  managementAccountId?: string | undefined;
  /** How many policies keyless may own per target (5 per target, one usually FullAWSAccess). Default 4. */
  slots: number;
  /** How often the writer re-checks the policies even with nothing pending (drift, expiry). Default 60 s. */
  resyncEveryMs: number;
  /** First wait before retrying a failed policy write (doubles up to 30 s). Default 250 ms. */
  retryDelayMs: number;
}

export const defaultSessionCutOptions: SessionCutOptions = {
  enabled: false,
  skewSeconds: 30,
  expiryCutsWhenSessionOutlives: false,
  slots: 4,
  resyncEveryMs: 60_000,
  retryDelayMs: 250,
};

/**
 * What a grant did (issue 18): when a grant that was active ends, its CloudTrail activity is looked up
 * twice (CloudTrail delivers events minutes late): early, posted as "complete enough", and once more,
 * final. Off unless an `activity` source is given.
 */
export interface ActivityOptions {
  /** Default: on when `EngineDeps.activity` is given. */
  enabled: boolean;
  /** The early lookup, this long after the grant ended. Default 5 minutes. */
  firstAfterMs: number;
  /** The final lookup, this long after the grant ended. Default 20 minutes. */
  finalAfterMs: number;
  /** The window looked at runs from activation minus this to the end plus this (clock skew). Default 60 s. */
  marginMs: number;
  /** At most this many events are read per lookup (the summary says when there were more). Default 5000. */
  maxEvents: number;
  /** How many lookups run at once on a replica. Default 4. */
  parallel: number;
}

export const defaultActivityOptions: ActivityOptions = {
  enabled: true,
  firstAfterMs: 5 * 60_000,
  finalAfterMs: 20 * 60_000,
  marginMs: 60_000,
  maxEvents: 5000,
  parallel: 4,
};

/** What the session cut needs from outside: where cuts are kept, the policies, one writer's lease. */
export interface SessionCutDeps {
  store: SessionCutStore;
  policies: SessionCutPolicies;
  lease: LeaderLease;
}

export interface EngineOptions {
  /** This replica's name, written into leases. */
  replicaId: string;
  /** How often the backstop sweep runs. Default 2000 ms. */
  sweepIntervalMs: number;
  /** Grants expiring within this horizon get an in-process timer. Default 5 minutes. */
  timerHorizonMs: number;
  /**
   * How often the sweep re-reads the active grants expiring within the horizon (to arm timers and
   * send reminders). In between, a sweep reads only the grants already due, so that several
   * replicas do not re-read every soon-expiring grant every few seconds. Default 30 s.
   */
  horizonScanEveryMs: number;
  /**
   * How long a replica's claim on a grant's work lasts unless renewed (it is renewed every third of
   * it while the work runs). A replica that dies holds a grant back for at most this long. Default 15 s.
   */
  leaseMs: number;
  /** After this many failed unassignments, a person is alerted (the engine keeps trying). Default 5. */
  stuckAfterAttempts: number;
  /** Chat retries are remembered this long. Default 1 hour. */
  idempotencyTtlSeconds: number;
  /** How often this replica writes its heartbeat and re-reads the members. Default 1000 ms. */
  heartbeatMs: number;
  /**
   * A member whose heartbeat is older than this has departed: its share of the work moves to the
   * others and the leases it held are void. Default 5000 ms.
   */
  memberTtlMs: number;
  /**
   * Work overdue by this much is taken up by the second replica in rank too (by the third after
   * twice as long, …): a stale view of the members costs this much speed, never the work. Default 2000 ms.
   */
  ownershipGraceMs: number;
  /**
   * A replica calls Identity Center only while its own heartbeat has at least this much time left
   * (its leases are void once it lapses). Covers clock skew between replicas. Default 1000 ms.
   */
  fenceMarginMs: number;
  /**
   * At most this many background jobs (revocations started by timers, early revocations) at once.
   * High enough that revocations waiting on Identity Center (which paces itself) do not hold the
   * next ones back; low enough that a burst of due timers does not start all at once. Default 256.
   */
  backgroundConcurrency: number;
  /** Ending the open sessions of early-ended grants (off by default). */
  sessionCut: SessionCutOptions;
  /** CloudTrail activity summaries of ended grants (on when `EngineDeps.activity` is given). */
  activity: ActivityOptions;
}

export const defaultEngineOptions: EngineOptions = {
  replicaId: 'keyless',
  sweepIntervalMs: 2000,
  timerHorizonMs: 5 * 60_000,
  horizonScanEveryMs: 30_000,
  leaseMs: 15_000,
  stuckAfterAttempts: 5,
  idempotencyTtlSeconds: 3600,
  heartbeatMs: 1000,
  memberTtlMs: 5000,
  ownershipGraceMs: 2000,
  fenceMarginMs: 1000,
  backgroundConcurrency: 256,
  sessionCut: defaultSessionCutOptions,
  activity: defaultActivityOptions,
};

/** Everything the engine needs from outside, as ports. */
export interface EngineDeps {
  store: GrantStore;
  /** The replicas on this store (heartbeats): each grant's timed work has one owner among them. */
  membership: Membership;
  identity: IdentityCenter;
  notifier: ChatNotifier;
  clock: Clock;
  logger: Logger;
  ids: IdGenerator;
  /** The current policy (it may be reloaded between calls). */
  policy: () => Policy;
  /**
   * Who is on call (PagerDuty). Absent: nobody is ever on call, so on-call approvers cannot approve
   * and nobody is auto-approved as on call (the composition root refuses a policy naming schedules
   * without it).
   */
  onCall?: OnCallDirectory;
  /** Required when `options.sessionCut.enabled`. */
  sessionCuts?: SessionCutDeps;
  /** CloudTrail's event history of member accounts: absent, no activity summaries. */
  activity?: ActivityTrail;
  options?: Omit<Partial<EngineOptions>, 'sessionCut' | 'activity'> & {
    sessionCut?: Partial<SessionCutOptions>;
    activity?: Partial<ActivityOptions>;
  };
}

export interface EngineContext extends Omit<EngineDeps, 'options'> {
  options: EngineOptions;
  /** Runs work in the background, tracked so that `idle()`/`stop()` can wait for it. */
  background(name: string, work: () => Promise<unknown>): void;
  /** Publishes a domain event; delivery problems are logged, never thrown. */
  publish: ChatNotifier['publish'];
  /** Set by `stop()`: no new work is taken (what is in flight finishes). */
  lifecycle: { stopping: boolean };
  /** Grants this process is working on now: a lease keeps other replicas out, this keeps our own timer and sweep apart. */
  busy: Set<string>;
  /** When this replica's sweep last read the whole timer horizon (undefined: never, so the next sweep does). */
  sweepState: { horizonScannedAt: number | undefined };
  /** The session-cut writer on this replica: one run at a time, another asked for while it runs. */
  sessionCutState: {
    running: boolean;
    again: boolean;
    retryTimer: TimerHandle | undefined;
    failures: number;
    lastSyncAt: number | undefined;
    lastFailure: string | undefined;
  };
  /** In-process expiry timers (armed only for the grants this replica owns). */
  scheduler: { track(grant: Grant): void; untrack(grantId: string): void };
  /** Which work is this replica's (membership + rendezvous hashing), and its heartbeat. */
  ownership: Ownership;
}
