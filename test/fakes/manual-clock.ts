import type { Clock, TimerHandle } from '../../src';

/** A clock that moves only when told, firing due timers in time order. */
export class ManualClock implements Clock {
  private current: number;
  private timers: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2026, 10, 23, 9, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(atMs: number, fn: () => void): TimerHandle {
    const timer = { at: atMs, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Timers waiting (not cancelled, not fired). */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** When the next timer is due (undefined when none waits). */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers) if (!t.cancelled && (next === undefined || t.at < next)) next = t.at;
    return next;
  }

  /**
   * Moves time forward timer by timer, letting the work each timer starts finish (`settle`) before
   * time moves on: work that takes no time, as opposed to a process paused past its leases.
   */
  async advanceSettled(ms: number, settle: () => Promise<void>): Promise<void> {
    const end = this.current + ms;
    for (let next = this.nextDueAt(); next !== undefined && next <= end; next = this.nextDueAt()) {
      this.advance(Math.max(0, next - this.current));
      await settle();
    }
    this.advance(end - this.current);
    await settle();
  }

  /** Moves time forward, firing every timer due on the way, each at its own instant. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => !t.cancelled && t.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.cancelled = true;
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = end;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  set(ms: number): void {
    this.advance(ms - this.current);
  }
}
