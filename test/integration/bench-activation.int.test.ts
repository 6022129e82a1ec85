/**
 * Issue 16, item 2 (small): the activation bench (`npm run bench -- activation`) with tiny numbers:
 * two keyless replica processes on one dynalite process and one AWS emulator process start 20
 * scheduled grants whose starts are spread over two seconds. Every grant must be assigned, once,
 * and none before its start; the result carries every figure the bench promises. Timings are
 * measured, never asserted (the machine may be loaded).
 */
import { runActivation } from '../../bench/support/activation-run';
import { killAllChildren } from '../../bench/support/local-stack';

describe('the activation bench, as separate processes', () => {
  afterAll(() => killAllChildren());

  it('starts each scheduled grant once, never early, across two replica processes', async () => {
    const result = await runActivation({
      grants: 20,
      replicas: 2,
      windowMs: 2000,
      leadMs: 3000,
      delayMs: 100,
      graceMs: 120_000,
      log: () => undefined,
    });
    expect(result).toMatchObject({ grants: 20, replicas: 2, missed: 0, early: 0, doubled: 0 });
    expect(result.create_calls).toBe(20);
    for (const field of ['p99_lag_ms', 'p50_lag_ms', 'max_lag_ms', 'window_ms'] as const) {
      expect(typeof result[field]).toBe('number');
    }
    expect(result.p50_lag_ms).toBeGreaterThanOrEqual(0);
  }, 600_000);
});
