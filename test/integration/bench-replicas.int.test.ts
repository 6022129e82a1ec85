/**
 * Issue 13, item 4 (small): the multi-process replicas bench (`npm run bench -- replicas`) with
 * tiny numbers: two keyless replica processes on one dynalite process and one AWS emulator
 * process, 20 grants expiring in a burst, one replica SIGKILLed in the middle of it. Every grant
 * must be revoked, none twice, and the result must carry every figure the bench promises.
 * Timings are measured, never asserted (the machine may be loaded).
 */
import { runReplicas } from '../../bench/support/replicas-run';
import { killAllChildren } from '../../bench/support/local-stack';

describe('the replicas bench, as separate processes', () => {
  afterAll(() => killAllChildren());

  it('revokes a burst across two replica processes, one SIGKILLed, and reports every figure', async () => {
    const result = await runReplicas({
      grants: 20,
      replicas: 2,
      kill: 1,
      windowMs: 2000,
      leadMs: 3000,
      delayMs: 100,
      graceMs: 40_000,
      log: () => undefined,
    });
    expect(result).toMatchObject({ grants: 20, replicas: 2, killed_replicas: 1, missed: 0, double_revocations: 0 });
    expect(result.not_expired).toBe(0);
    for (const field of [
      'p99_lag_ms',
      'dynamodb_ops_per_revocation',
      'killed_p99_lag_ms',
      'keyless_cpu_s_total',
      'event_loop_delay_p99_ms',
    ] as const) {
      expect(typeof result[field]).toBe('number');
    }
    // One CPU figure per keyless process, the killed one included; the infrastructure apart.
    expect(Object.keys(result.cpu_s).sort()).toEqual(['replica-1', 'replica-2']);
    expect(result.per_replica['replica-2']?.killed).toBe(true);
    expect(result.infrastructure_cpu_s).toEqual({ dynalite: expect.any(Number), emulator: expect.any(Number) });
    // Every DynamoDB command of the replicas is counted (the engines read and write grants).
    expect(result.dynamodb_ops.Query).toBeGreaterThan(0);
    expect(result.delete_calls).toBeGreaterThanOrEqual(20);
  }, 180_000);
});
