import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  DRIFT_FINDING_KINDS,
  type AlertEvent,
  type AlertPublisher,
  type ChatNotifier,
  type DomainEvent,
  type GrantStore,
  type LogFields,
  type Logger,
} from '../../src';

/**
 * Prometheus metrics, derived from the engine's domain events (a notifier like the chat ones), from
 * the security feed's events (an alert publisher like the chat ones) and, for gauges, read from the
 * store at scrape time.
 */
export class KeylessMetrics implements ChatNotifier, AlertPublisher {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'keyless_requests_total',
    help: 'Access requests by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly grants = new Counter({
    name: 'keyless_grants_total',
    help: 'Grant transitions by end state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly timeToAccess = new Histogram({
    name: 'keyless_time_to_access_seconds',
    help: 'From the final approval (or the request, when automatic) to the confirmed assignment',
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly revocationLag = new Histogram({
    name: 'keyless_revocation_lag_seconds',
    help: 'From a grant’s expiry to its confirmed end',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  private readonly sessionCutLag = new Histogram({
    name: 'keyless_session_cut_lag_seconds',
    help: 'From an early end’s assignment removal to AWS accepting the service control policy that ends its open sessions',
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });
  private readonly sessionCutFailures = new Counter({
    name: 'keyless_session_cut_failures_total',
    help: 'Times the session cuts could not be written (no room in the policies, or AWS refused); every cut is kept and retried',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly drift = new Counter({
    name: 'keyless_assignment_drift_total',
    help: 'Drifts between Identity Center and the grants: each fact once when first found (or found again after it was resolved), not each reconcile that sees it again',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly stuck = new Counter({
    name: 'keyless_revocations_stuck_total',
    help: 'Revocations that kept failing',
    registers: [this.registry],
  });
  /** Warnings and errors logged with a stable code: AWS throttling and denials, failed assignments, chat delivery… */
  readonly errors = new Counter({
    name: 'keyless_errors_total',
    help: 'Warnings and errors logged with a code (AWS errors and throttles, chat API errors, failed assignments)',
    labelNames: ['code', 'level', 'platform'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'keyless_process_' });
  }

  /** The active-grants gauge, read from the store at scrape time. */
  watchStore(store: Pick<GrantStore, 'listGrants'>): void {
    new Gauge({
      name: 'keyless_active_grants',
      help: 'Grants whose assignment is in place',
      registers: [this.registry],
      async collect() {
        this.set((await store.listGrants({ status: 'active' })).length);
      },
    });
  }

  async publish(event: DomainEvent): Promise<void> {
    switch (event.type) {
      case 'request_submitted':
        this.requests.inc({ outcome: 'submitted' });
        break;
      case 'bundle_submitted':
        this.requests.inc({ outcome: 'submitted' }, event.requests.filter((r) => r.status === 'pending').length);
        break;
      case 'request_updated':
        if (event.request.status !== 'pending') this.requests.inc({ outcome: event.request.status });
        break;
      case 'grant_activated': {
        this.grants.inc({ state: 'active' });
        const from = event.request.decidedAt ?? event.request.createdAt;
        if (event.grant.activatedAt !== undefined)
          this.timeToAccess.observe(Math.max(0, event.grant.activatedAt - from) / 1000);
        break;
      }
      case 'grant_failed':
        this.grants.inc({ state: 'failed' });
        break;
      case 'grant_ended':
        this.grants.inc({ state: event.grant.status });
        if (
          event.grant.status === 'expired' &&
          event.grant.expiresAt !== undefined &&
          event.grant.endedAt !== undefined
        ) {
          this.revocationLag.observe(Math.max(0, event.grant.endedAt - event.grant.expiresAt) / 1000);
        }
        break;
      case 'break_glass_used':
        this.requests.inc({ outcome: 'break_glass' });
        break;
      case 'revocation_stuck':
        this.stuck.inc();
        break;
      case 'sessions_cut':
        this.sessionCutLag.observe(Math.max(0, event.lagSeconds));
        break;
      case 'session_cut_failed':
        this.sessionCutFailures.inc({ code: event.code });
        break;
      default:
        break;
    }
  }

  /** Drift facts are counted when the security feed raises them: a repeat updates its alert, not the count. */
  async publishAlert(event: AlertEvent): Promise<void> {
    // occurrences > 1: a post retried after chat was down, not a new fact.
    if (
      event.type === 'alert_raised' &&
      event.alert.occurrences === 1 &&
      DRIFT_FINDING_KINDS.has(event.alert.finding.kind)
    ) {
      this.drift.inc({ kind: event.alert.finding.kind });
    }
  }
}

/** A Logger that also counts every warning and error that carries a `code`, into `keyless_errors_total`. */
export function countingLogger(logger: Logger, metrics: KeylessMetrics, bound: LogFields = {}): Logger {
  const count = (level: 'warn' | 'error', fields: LogFields) => {
    const all = { ...bound, ...fields };
    const code =
      typeof all.code === 'string'
        ? all.code
        : all.err && typeof (all.err as { code?: unknown }).code === 'string'
          ? (all.err as { code: string }).code
          : undefined;
    if (code) metrics.errors.inc({ code, level, platform: typeof all.platform === 'string' ? all.platform : 'none' });
  };
  return {
    debug: (f, m) => logger.debug(f, m),
    info: (f, m) => logger.info(f, m),
    warn: (f, m) => (count('warn', f), logger.warn(f, m)),
    error: (f, m) => (count('error', f), logger.error(f, m)),
    child: (f) => countingLogger(logger.child(f), metrics, { ...bound, ...f }),
  };
}
