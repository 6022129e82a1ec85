/**
 * Issue 4, item 5 (small): the bot in a child process against dynalite on disk and the local AWS
 * emulator, each in its own process, SIGKILLed at random moments during grant lifecycles and
 * restarted; then every invariant is checked through the AWS SDK and the table. The full run is
 * `npm run bench -- crash` (200 lifecycles, 50 kills); see bench/support/crash-harness.ts.
 */
import { runCrash } from '../../bench/support/crash-harness';
import { killAllChildren } from '../../bench/support/local-stack';

describe('crash safety', () => {
  afterAll(() => killAllChildren());

  it('keeps every invariant through SIGKILLs at random moments', async () => {
    const result = await runCrash({
      lifecycles: 20,
      kills: 5,
      minDurationS: 2,
      maxDurationS: 4,
      overlap: 0.2,
      killAfterMinMs: 300,
      killAfterMaxMs: 4000,
      provisioningDelayMs: 300,
      settleMs: 20_000,
      scheduled: 0.4,
      groups: 0.4,
      log: () => undefined,
    });
    expect(result.violations).toEqual([]);
    expect(result).toMatchObject({
      lifecycles: 20,
      leaked_assignments: 0,
      overdue_grants: 0,
      duplicate_assignments: 0,
      lost_audit_events: 0,
      started_early: 0,
      leaked_memberships: 0,
      duplicate_memberships: 0,
      unsettled: 0,
    });
    expect(result.kills).toBeGreaterThanOrEqual(5);
    // Access that starts later went through the kills too.
    expect(result.scheduled_requests).toBeGreaterThan(0);
    // And group memberships: granted in the identity store, then removed, through the kills.
    expect(result.group_requests).toBeGreaterThan(0);
    expect(result.memberships_created).toBeGreaterThan(0);
    expect(result.memberships_removed).toBe(result.memberships_created);
  }, 120_000);
});
