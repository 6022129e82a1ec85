import type { AssignmentDrift } from '../../domain';
import type { Clock, LeaderLease, Logger } from '../../ports';
import type { AlertEngine } from './create-alert-engine';
import type { DriftReport } from './drift';
import type { ScanReport } from './scan';

export interface LeadershipOptions {
  /** The lease item's name: one per duty group (default `security-duties`). */
  name: string;
  /** This replica. */
  owner: string;
  /** How long a taken lease lasts without renewal; another replica takes over after it. */
  ttlMs: number;
}

/**
 * One replica leads the periodic security duties (reconcile, key scans, the digest, blind spots):
 * it holds a lease item in the store (owner + deadline, conditional writes), renews it while it
 * runs, and another replica takes it over once the deadline has passed. A replica that cannot
 * reach the store does not lead: a duty skipped is run by the leader, a duty run twice posts twice.
 */
export class Leadership {
  private heldUntil = -Infinity;

  constructor(
    private readonly deps: { lease: LeaderLease; clock: Clock; logger: Logger },
    readonly options: LeadershipOptions,
  ) {}

  /** Takes or renews the lease; true while this replica leads. */
  async renew(): Promise<boolean> {
    const now = this.deps.clock.now();
    const was = this.isLeader();
    let held = false;
    try {
      held = await this.deps.lease.acquire(this.options.name, this.options.owner, now, this.options.ttlMs);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, code: 'LEASE_UNAVAILABLE', lease: this.options.name },
        'leader lease not renewed',
      );
    }
    this.heldUntil = held ? now + this.options.ttlMs : -Infinity;
    if (held !== was) {
      this.deps.logger.info(
        { lease: this.options.name, owner: this.options.owner },
        held ? 'leading the security duties' : 'no longer leading the security duties',
      );
    }
    return held;
  }

  /** Whether this replica holds the lease now (by its own last renewal). */
  isLeader(): boolean {
    return this.deps.clock.now() < this.heldUntil;
  }

  /** Runs `fn` when this replica leads (renewing first, so the duty starts with a whole lease). */
  async runAsLeader<T>(fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (!(await this.renew())) return { ran: false };
    return { ran: true, value: await fn() };
  }

  /** Hands the lease over at once (graceful stop); a crash hands it over when it lapses. */
  async release(): Promise<void> {
    if (this.heldUntil === -Infinity) return;
    this.heldUntil = -Infinity;
    await this.deps.lease.release(this.options.name, this.options.owner).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, lease: this.options.name }, 'leader lease not released');
    });
  }
}

/** The duties the leader runs; the same shape on every replica, a no-op on those that do not lead. */
export interface SecurityDuties {
  /** Reconcile (the grant engine) and record its drifts as findings; undefined when not leading. */
  reconcile(): Promise<DriftReport | undefined>;
  scanAll(): Promise<ScanReport>;
  postDigest(): ReturnType<AlertEngine['postDigest']>;
  checkBlindSpots(): ReturnType<AlertEngine['checkBlindSpots']>;
  /** The weekly IAM posture post (undefined when not leading or when the week has one). */
  postWeeklyPosture(): ReturnType<AlertEngine['postWeeklyPosture']>;
}

export function createSecurityDuties(deps: {
  leadership: Leadership;
  reconcile: () => Promise<AssignmentDrift[]>;
  alerts: Pick<AlertEngine, 'recordDrifts' | 'scanAll' | 'postDigest' | 'checkBlindSpots'> &
    Partial<Pick<AlertEngine, 'postWeeklyPosture'>>;
  clock: Clock;
}): SecurityDuties {
  const { leadership, alerts } = deps;
  return {
    async reconcile() {
      const r = await leadership.runAsLeader(async () => alerts.recordDrifts(await deps.reconcile()));
      return r.ran ? r.value : undefined;
    },
    async scanAll() {
      const r = await leadership.runAsLeader(() => alerts.scanAll());
      if (r.ran) return r.value;
      const now = deps.clock.now();
      return {
        startedAt: now,
        finishedAt: now,
        accounts: 0,
        scanned: 0,
        failed: [],
        findings: 0,
        raised: 0,
        resolved: 0,
        skipped: 'another replica leads the scans',
      };
    },
    async postDigest() {
      const r = await leadership.runAsLeader(() => alerts.postDigest());
      return r.ran ? r.value : undefined;
    },
    async checkBlindSpots() {
      const r = await leadership.runAsLeader(() => alerts.checkBlindSpots());
      return r.ran ? r.value : { silentRegions: [], snoozesEnded: 0 };
    },
    async postWeeklyPosture() {
      if (!alerts.postWeeklyPosture) return undefined;
      const r = await leadership.runAsLeader(() => alerts.postWeeklyPosture!());
      return r.ran ? r.value : undefined;
    },
  };
}
