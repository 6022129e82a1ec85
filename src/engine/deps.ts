import type { Grant, Policy } from '../domain';
import type {
  ChatNotifier,
  Clock,
  GrantStore,
  IdGenerator,
  IdentityCenter,
  Logger,
  Membership,
  OnCallDirectory,
} from '../ports';
import type { Ownership } from './ownership';

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
  options?: Partial<EngineOptions>;
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
  /** In-process expiry timers (armed only for the grants this replica owns). */
  scheduler: { track(grant: Grant): void; untrack(grantId: string): void };
  /** Which work is this replica's (membership + rendezvous hashing), and its heartbeat. */
  ownership: Ownership;
}
