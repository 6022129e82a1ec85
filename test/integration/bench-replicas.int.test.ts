/**
 * Issue 13, item 4 (small): the multi-process replicas bench (`npm run bench -- replicas`) with
 * tiny numbers: two keyless replica processes on one dynalite process and one AWS emulator
 * process, 20 grants expiring in a burst. Every grant must be revoked, none twice; with one
 * replica SIGKILLed in the middle of the burst, every grant must still be revoked, and the result
 * must carry every figure the bench promises. Timings are measured, never asserted (the machine
 * may be loaded: the grace is long, and the run ends as soon as every grant is revoked).
 * The burst has its default mix (issue 16): 2 of the 20 grants are group memberships and 2 start
 * inside the window; none may leak, start early or be left unstarted.
 */
import { runReplicas, type ReplicasRunOptions } from '../../bench/support/replicas-run';
import { killAllChildren } from '../../bench/support/local-stack';

const small: ReplicasRunOptions = {
  grants: 20,
  replicas: 2,
  windowMs: 2000,
  // Long enough for the replicas to be ready before the first instant (a loaded machine starts them in
  // seconds): the scheduled grants are then started at their start, not found already due.
  leadMs: 12_000,
  delayMs: 100,
  graceMs: 120_000,
  log: () => undefined,
};

/** The burst's mix, every invariant at zero. */
const mixAtZero = {
  group_grants: 2,
  scheduled_grants: 2,
  leaked_assignments: 0,
  leaked_memberships: 0,
  early: 0,
  missed_starts: 0,
};

describe('the replicas bench, as separate processes', () => {
  afterAll(() => killAllChildren());

  it('revokes each grant of a burst once across two replica processes', async () => {
    const result = await runReplicas(small);
    expect(result).toMatchObject({ grants: 20, replicas: 2, killed_replicas: 0, missed: 0, double_revocations: 0 });
    expect(result.not_expired).toBe(0);
    expect(result).toMatchObject(mixAtZero);
    // One removal per grant: 18 account assignments (2 of them started in the window), 2 memberships.
    expect(result.delete_calls).toBe(18);
    expect(result.membership_delete_calls).toBe(2);
    // The acceptance figures, and one CPU figure per keyless process with the infrastructure apart.
    for (const field of [
      'p99_lag_ms',
      'dynamodb_ops_per_revocation',
      'keyless_cpu_s_total',
      'keyless_cpu_ms_per_revocation',
      'event_loop_delay_p99_ms',
    ] as const) {
      expect(typeof result[field]).toBe('number');
    }
    expect(Object.keys(result.cpu_s).sort()).toEqual(['replica-1', 'replica-2']);
    expect(result.infrastructure_cpu_s).toEqual({ dynalite: expect.any(Number), emulator: expect.any(Number) });
    // Every DynamoDB command of the replicas is counted (the engines read and write the grants).
    expect(result.dynamodb_ops.Query).toBeGreaterThan(0);
    expect(result.dynamodb_ops_per_revocation).toBeGreaterThan(0);
  }, 600_000);

  it('revokes every grant when one replica is SIGKILLed in the middle of the burst', async () => {
    const result = await runReplicas({ ...small, kill: 1 });
    expect(result).toMatchObject({ grants: 20, replicas: 2, killed_replicas: 1, missed: 0 });
    expect(result.not_expired).toBe(0);
    expect(result).toMatchObject(mixAtZero);
    expect(result.killed_grants).toBeGreaterThan(0);
    expect(typeof result.killed_p99_lag_ms).toBe('number');
    expect(typeof result.double_revocations).toBe('number');
    // The killed replica's figures are its last report before the kill.
    expect(Object.keys(result.cpu_s).sort()).toEqual(['replica-1', 'replica-2']);
    expect(result.per_replica['replica-2']?.killed).toBe(true);
  }, 600_000);
});
