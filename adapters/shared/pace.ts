/**
 * Pacing for calls to shared vendor limits (Identity Center's ~20 TPS and ~10 outstanding
 * assignment operations, Slack and Teams rate tiers, IAM's token buckets). Two small pieces:
 * a token bucket for a rate, and a concurrency limit for operations that stay open.
 * Both are FIFO, so a burst is served in arrival order and nobody starves.
 */

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained rate). */
  ratePerSecond: number;
  /** Bucket size: how many calls may go at once after a quiet period. Defaults to `ratePerSecond`. */
  burst?: number;
  /** Injectable time source, for tests. */
  now?: () => number;
  /** Injectable timer (runs `fn` after `delayMs` of the same time source), for tests. Default: setTimeout. */
  setTimer?: (fn: () => void, delayMs: number) => void;
}

export type Priority = 'high' | 'normal';

/**
 * A token bucket: `take()` resolves when the caller may make one call. Waiters are served FIFO
 * within a priority, `high` first (for example status polls, whose delay is the user's wait,
 * ahead of new work that can queue).
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly waiters: Record<Priority, (() => void)[]> = { high: [], normal: [] };
  private scheduled = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, delayMs: number) => void;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new Error('ratePerSecond must be positive');
    this.ratePerSecond = options.ratePerSecond;
    this.burst = Math.max(1, options.burst ?? Math.ceil(options.ratePerSecond));
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, delayMs) => void setTimeout(fn, delayMs));
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Waits for one token. */
  take(priority: Priority = 'normal'): Promise<void> {
    this.refill();
    if (this.waiting === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiters[priority].push(resolve);
      this.schedule();
    });
  }

  /** Calls waiting for a token. */
  get waiting(): number {
    return this.waiters.high.length + this.waiters.normal.length;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
    this.setTimer(
      () => {
        this.scheduled = false;
        this.refill();
        while (this.waiting > 0 && this.tokens >= 1) {
          this.tokens -= 1;
          (this.waiters.high.shift() ?? this.waiters.normal.shift())!();
        }
        if (this.waiting > 0) this.schedule();
      },
      Math.max(1, wait),
    );
  }
}

/** At most `max` operations open at once; the others queue in order. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error('max must be at least 1');
  }

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      // The slot passes straight to the next in line, so `active` stays the same.
      if (next) next();
      else this.active -= 1;
    }
  }
}

export interface PaceOptions {
  /** Sustained calls per second across every call that takes a token. */
  tps: number;
  /** Burst size of the token bucket (defaults to `tps`). */
  burst?: number;
  /** Operations that may be outstanding at once (for example asynchronous creates). */
  maxOutstanding: number;
}

/** A rate and an outstanding-operations limit, shared by every caller of one vendor. */
export class Pace {
  readonly rate: TokenBucket;
  readonly outstanding: ConcurrencyLimit;

  constructor(readonly options: PaceOptions) {
    this.rate = new TokenBucket({ ratePerSecond: options.tps, ...(options.burst ? { burst: options.burst } : {}) });
    this.outstanding = new ConcurrencyLimit(options.maxOutstanding);
  }

  /** Waits for a token then makes the call. */
  async call<T>(work: () => Promise<T>, priority: Priority = 'normal'): Promise<T> {
    await this.rate.take(priority);
    return work();
  }

  /** Runs an operation that counts against the outstanding limit while it is open. */
  hold<T>(work: () => Promise<T>): Promise<T> {
    return this.outstanding.run(work);
  }
}
