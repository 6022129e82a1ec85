/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time, from outside the engine. The system adapter reads the wall clock; tests use a manual clock
 * that advances and fires due timers in order.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once when the clock reaches `atMs` (at once if it has passed). */
  setTimer(atMs: number, fn: () => void): TimerHandle;
}
