/**
 * When to ask Identity Center again whether an assignment operation has finished.
 *
 * Time to access = provisioning time + the gap between AWS finishing and keyless noticing. The
 * gap is at most one poll interval, so polls should be dense around the moment AWS finishes and
 * sparse elsewhere, within the shared ~20 TPS. Identity Center does not publish how long
 * provisioning takes (facts.md), so the schedule learns it: every confirmed operation tells the
 * estimator that the operation ended between the last IN_PROGRESS answer and the SUCCEEDED one.
 *
 * - Unknown duration (cold): a short first poll, then growth capped at `coldMaxIntervalMs`, with
 *   jitter so that operations started together spread their polls; the first to see SUCCEEDED
 *   teaches the others, which are woken and re-plan at once.
 * - Known duration: the estimate is a low quantile of recent confirmation times (upper bounds of
 *   the true duration). The first poll goes `probeEarlyMs` before it: when that already sees the
 *   final status the estimate creeps down, when it does not, one more poll `nearIntervalMs` later
 *   almost always does. So the estimate settles just above the real duration, most operations
 *   need one or two polls, and keyless notices within tens of milliseconds. Past the window, polls
 *   back off to `maxIntervalMs` (AWS slower than it has been).
 * Arithmetic at 10 outstanding creates of about 2 s each: about 5 operations per second, each a
 * create plus 1–2 polls, is 10–15 calls per second, inside an 18 TPS pace with room for lookups.
 */

export interface PollingOptions {
  /** The first poll after a create/delete when nothing is known yet. */
  firstPollMs: number;
  /** The interval around the expected completion. */
  nearIntervalMs: number;
  /** How much earlier than the estimate the first poll goes, so the estimate can move down. */
  probeEarlyMs: number;
  /** Growth factor of intervals away from the expected completion. */
  growth: number;
  /** Largest interval while the duration is unknown. */
  coldMaxIntervalMs: number;
  /** Largest interval once past the expected completion. */
  maxIntervalMs: number;
  /** Polls at `nearIntervalMs` after the estimate before backing off. */
  nearPolls: number;
  /** Overall deadline for one operation (Terraform uses 5 minutes). */
  deadlineMs: number;
  /** Samples the estimator keeps. */
  samples: number;
}

export const defaultPolling: PollingOptions = {
  firstPollMs: 150,
  nearIntervalMs: 150,
  probeEarlyMs: 40,
  growth: 1.5,
  coldMaxIntervalMs: 400,
  maxIntervalMs: 2000,
  nearPolls: 4,
  deadlineMs: 5 * 60_000,
  samples: 24,
};

/** Learns how long operations take from the bounds polling observed. */
export class DurationEstimator {
  private readonly values: number[] = [];
  private waiters: (() => void)[] = [];

  constructor(private readonly capacity = 24) {}

  /** The operation had ended by `upperMs` after it was sent (the first poll that saw its final status). */
  record(upperMs: number): void {
    this.values.push(upperMs);
    if (this.values.length > this.capacity) this.values.shift();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** A low quantile of recent durations (polling early costs a call; polling late costs time). */
  estimate(): number | undefined {
    if (this.values.length === 0) return undefined;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) * 0.25)];
  }

  get sampleCount(): number {
    return this.values.length;
  }

  /** Resolves at the next `record`; `cancel` drops the waiter. */
  nextChange(): { promise: Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    this.waiters.push(wake);
    return {
      promise,
      cancel: () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
      },
    };
  }
}

export interface PollState {
  /** Time since the create/delete was sent. */
  elapsedMs: number;
  /** Polls made so far. */
  polls: number;
  /** Time since the previous poll was sent (equals `elapsedMs` before the first poll). */
  sinceLastPollMs: number;
  /** The interval between the two previous polls (0 before the second poll). */
  lastIntervalMs: number;
}

/**
 * Milliseconds to wait from now before the next poll. Called again when the estimate changes, so
 * an operation woken past the expected completion polls at once.
 */
export function nextPollDelay(
  state: PollState,
  estimateMs: number | undefined,
  options: PollingOptions,
  random: () => number = Math.random,
): number {
  const { elapsedMs, polls, sinceLastPollMs, lastIntervalMs } = state;
  const after = (interval: number) => Math.max(0, Math.round(interval - sinceLastPollMs));
  if (estimateMs === undefined) {
    if (polls === 0) return Math.max(0, options.firstPollMs - elapsedMs);
    const grown = Math.min(options.coldMaxIntervalMs, Math.max(options.firstPollMs, lastIntervalMs) * options.growth);
    // ±20 % jitter spreads operations that started together.
    return after(grown * (0.8 + 0.4 * random()));
  }
  const near = options.nearIntervalMs;
  const windowStart = estimateMs - options.probeEarlyMs;
  // Sleep until the window: an early look would cost a call per operation for little gain, since
  // the estimate is a low quantile of recent durations.
  if (elapsedMs < windowStart) return Math.round(windowStart - elapsedMs);
  if (elapsedMs < estimateMs + near * options.nearPolls) return after(near);
  return after(Math.min(options.maxIntervalMs, Math.max(near, lastIntervalMs) * options.growth));
}
