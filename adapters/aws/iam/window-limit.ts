/**
 * At most `perSecond` calls start in any sliding second, spaced evenly (no bursts) and with a
 * margin, so that network and event-loop jitter cannot squeeze more than that into one second as
 * IAM sees them. FIFO.
 */
import { sleep } from '../../shared/pace';

export class SlidingWindowLimit {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    private readonly marginMs = 100,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond >= 1)) throw new Error('perSecond must be at least 1');
  }

  /** Resolves when the caller may start one call. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      const limit = Math.floor(this.perSecond);
      const last = this.starts[this.starts.length - 1];
      const spacing = last === undefined ? 0 : last + 1000 / this.perSecond - this.now();
      const oldest = this.starts.length >= limit ? this.starts[this.starts.length - limit]! : undefined;
      const window = oldest === undefined ? 0 : oldest + 1000 + this.marginMs - this.now();
      const wait = Math.max(spacing, window);
      if (wait > 0) await sleep(wait);
      this.starts.push(this.now());
      if (this.starts.length > limit) this.starts.splice(0, this.starts.length - limit);
    });
    this.queue = turn;
    return turn;
  }
}
