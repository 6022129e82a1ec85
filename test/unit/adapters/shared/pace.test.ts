import { ConcurrencyLimit, TokenBucket, sleep } from '../../../../adapters/shared/pace';

describe('TokenBucket', () => {
  it('lets a burst through at once, then spaces calls at the rate', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 50, burst: 2 });
    const started = Date.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => bucket.take().then(() => times.push(Date.now() - started))));
    times.sort((a, b) => a - b);
    expect(times[1]).toBeLessThan(15);
    // 4 more tokens at 50/s need about 80 ms.
    expect(times[5]).toBeGreaterThanOrEqual(70);
  });

  it('never lets more than rate + burst calls into one second', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 20, burst: 1 });
    const started = Date.now();
    let inFirstSecond = 0;
    await Promise.all(
      Array.from({ length: 30 }, () =>
        bucket.take().then(() => {
          if (Date.now() - started < 1000) inFirstSecond++;
        }),
      ),
    );
    expect(inFirstSecond).toBeLessThanOrEqual(21);
    expect(inFirstSecond).toBeGreaterThanOrEqual(18);
  });

  it('serves high-priority waiters before normal ones', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 1 });
    await bucket.take();
    const order: string[] = [];
    await Promise.all([
      bucket.take('normal').then(() => order.push('normal')),
      bucket.take('high').then(() => order.push('high')),
    ]);
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
