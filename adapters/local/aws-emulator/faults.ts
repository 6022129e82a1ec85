/**
 * What real AWS does that a happy-path stub does not: slow provisioning, FAILED operations,
 * ConflictException, throttling (at a rate, on demand, or above a TPS limit), AccessDenied.
 * Tests and the admin API configure these; `reset()` returns to a well-behaved AWS.
 */

export interface FaultSettings {
  /** How long an assignment operation stays IN_PROGRESS. */
  provisioningDelayMs: number;
  /** A uniform random extra delay in [0, jitter). */
  provisioningJitterMs: number;
  /** Probability (0..1) that any call to a throttled service is throttled. */
  throttleRate: number;
  /**
   * Calls per second above which Identity Center calls (sso-admin and identitystore together) are
   * throttled, as the real shared limit does. null: no limit.
   */
  tpsLimit: number | null;
}

export interface FaultsSnapshot extends FaultSettings {
  failNext: { kind: 'create' | 'delete'; reason: string }[];
  conflictNext: Record<string, number>;
  throttleNext: Record<string, number>;
  accessDenied: string[];
}

export const defaultFaultSettings = (): FaultSettings => ({
  provisioningDelayMs: 0,
  provisioningJitterMs: 0,
  throttleRate: 0,
  tpsLimit: null,
});

const ANY = '*';

export class Faults {
  settings: FaultSettings = defaultFaultSettings();
  private failNextQueue: { kind: 'create' | 'delete'; reason: string }[] = [];
  private conflicts = new Map<string, number>();
  private throttles = new Map<string, number>();
  private denied = new Set<string>();

  constructor(initial: Partial<FaultSettings> = {}) {
    this.set(initial);
  }

  set(settings: Partial<FaultSettings>): this {
    this.settings = { ...this.settings, ...settings };
    return this;
  }

  /** The next `count` creates (or deletes) go IN_PROGRESS, then FAILED with `reason`. */
  failNextCreates(count: number, reason: string): this {
    for (let i = 0; i < count; i++) this.failNextQueue.push({ kind: 'create', reason });
    return this;
  }

  failNextDeletes(count: number, reason: string): this {
    for (let i = 0; i < count; i++) this.failNextQueue.push({ kind: 'delete', reason });
    return this;
  }

  /** The next `count` calls of `operation` answer ConflictException. */
  conflictNext(count: number, operation = 'CreateAccountAssignment'): this {
    this.conflicts.set(operation, (this.conflicts.get(operation) ?? 0) + count);
    return this;
  }

  /** The next `count` calls of `operation` (any operation when omitted) are throttled. */
  throttleNext(count: number, operation: string = ANY): this {
    this.throttles.set(operation, (this.throttles.get(operation) ?? 0) + count);
    return this;
  }

  /** Every call of `operation` answers AccessDenied until `allow`. */
  deny(operation: string): this {
    this.denied.add(operation);
    return this;
  }

  allow(operation: string): this {
    this.denied.delete(operation);
    return this;
  }

  reset(): this {
    this.settings = defaultFaultSettings();
    this.failNextQueue = [];
    this.conflicts.clear();
    this.throttles.clear();
    this.denied.clear();
    return this;
  }

  snapshot(): FaultsSnapshot {
    return {
      ...this.settings,
      failNext: [...this.failNextQueue],
      conflictNext: Object.fromEntries(this.conflicts),
      throttleNext: Object.fromEntries(this.throttles),
      accessDenied: [...this.denied],
    };
  }

  // ---- used by the server ----

  isDenied(operation: string): boolean {
    return this.denied.has(operation);
  }

  takeThrottle(operation: string): boolean {
    for (const key of [operation, ANY]) {
      const n = this.throttles.get(key) ?? 0;
      if (n > 0) {
        this.throttles.set(key, n - 1);
        return true;
      }
    }
    return this.settings.throttleRate > 0 && Math.random() < this.settings.throttleRate;
  }

  takeConflict(operation: string): boolean {
    const n = this.conflicts.get(operation) ?? 0;
    if (n <= 0) return false;
    this.conflicts.set(operation, n - 1);
    return true;
  }

  takeFailure(kind: 'create' | 'delete'): string | undefined {
    const i = this.failNextQueue.findIndex((f) => f.kind === kind);
    if (i < 0) return undefined;
    return this.failNextQueue.splice(i, 1)[0]!.reason;
  }

  provisioningDelay(): number {
    const { provisioningDelayMs, provisioningJitterMs } = this.settings;
    return provisioningDelayMs + (provisioningJitterMs > 0 ? Math.floor(Math.random() * provisioningJitterMs) : 0);
  }
}
