import { ConcurrencyLimit, TokenBucket, sleep } from '../../../../adapters/shared/pace';
import { ManualClock } from '../../../fakes/manual-clock';

/** A bucket on a manual clock: time moves only when the test says, so nothing depends on the machine's load. */
function manualBucket(options: { ratePerSecond: number; burst: number }) {
  const clock = new ManualClock(0);
  const bucket = new TokenBucket({
    ...options,
    now: () => clock.now(),
    setTimer: (fn, delayMs) => void clock.setTimer(clock.now() + delayMs, fn),
  });
  /** Advances `ms` one millisecond at a time, letting resolved takes run after each step. */
  const advance = async (ms: number) => {
    for (let i = 0; i < ms; i++) {
      clock.advance(1);
      await flush();
    }
  };
  return { clock, bucket, advance };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('TokenBucket', () => {
  it('lets a burst through at once, then spaces calls at the rate', async () => {
    const { clock, bucket, advance } = manualBucket({ ratePerSecond: 50, burst: 2 });
    const times: number[] = [];
    for (let i = 0; i < 6; i++) void bucket.take().then(() => times.push(clock.now()));
    await flush();
    expect(times).toEqual([0, 0]);
    await advance(200);
    // 4 more tokens at 50/s: one every 20 ms.
    expect(times).toEqual([0, 0, 20, 40, 60, 80]);
  });

  it('never lets more than rate + burst calls into one second', async () => {
    const { clock, bucket, advance } = manualBucket({ ratePerSecond: 20, burst: 1 });
    const times: number[] = [];
    for (let i = 0; i < 30; i++) void bucket.take().then(() => times.push(clock.now()));
    await advance(2000);
    expect(times).toHaveLength(30);
    // The burst of 1 at once, then one about every 50 ms (0, 50, …, 950).
    expect(times.filter((t) => t < 1000)).toHaveLength(20);
    // In any one-second window, never more than rate + burst.
    for (const start of times)
      expect(times.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(21);
  });

  it('serves high-priority waiters before normal ones', async () => {
    const { bucket, advance } = manualBucket({ ratePerSecond: 100, burst: 1 });
    await bucket.take();
    const order: string[] = [];
    void bucket.take('normal').then(() => order.push('normal'));
    void bucket.take('high').then(() => order.push('high'));
    await advance(30);
    expect(order).toEqual(['high', 'normal']);
  });
});

describe('ConcurrencyLimit', () => {
  it('keeps at most max operations open and runs the rest in order', async () => {
    const limit = new ConcurrencyLimit(2);
    let open = 0;
    let peak = 0;
    const done: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        limit.run(async () => {
          open++;
          peak = Math.max(peak, open);
          await sleep(10);
          open--;
          done.push(n);
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect(limit.running).toBe(0);
  });

  it('frees the slot when an operation fails', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
