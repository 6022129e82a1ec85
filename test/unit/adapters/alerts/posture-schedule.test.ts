import { ScanScheduler } from '../../../../adapters/alerts/stale-keys';
import type { AlertEngine } from '../../../../src';

/** The weekly posture is asked for from Monday's digest hour on, until it is posted that week. */
describe('the scan scheduler: the weekly posture', () => {
  const at = (iso: string) => Date.parse(iso);
  function scheduler(answers: (boolean | undefined)[]) {
    let now = 0;
    const calls: number[] = [];
    const engine = {
      scanAll: jest.fn(),
      postDigest: jest.fn(),
      checkBlindSpots: jest.fn(),
      postWeeklyPosture: jest.fn(async () => {
        calls.push(now);
        return answers.shift() ? ({} as Awaited<ReturnType<AlertEngine['postWeeklyPosture']>>) : undefined;
      }),
    };
    const s = new ScanScheduler(engine as unknown as AlertEngine, { scanEveryMs: 60_000, now: () => now });
    return { s, calls, set: (ms: number) => (now = ms) };
  }

  it('waits for Monday 08:00 UTC, posts once, and not again that week', async () => {
    const { s, calls, set } = scheduler([true]);
    set(at('2026-11-30T07:59:00Z')); // Monday, before the hour
    expect(await s.postureIfDue()).toBe(false);
    set(at('2026-11-30T08:00:00Z'));
    expect(await s.postureIfDue()).toBe(true);
    set(at('2026-12-03T12:00:00Z')); // Thursday
    expect(await s.postureIfDue()).toBe(false);
    expect(calls).toHaveLength(1);
    set(at('2026-12-07T09:00:00Z')); // next Monday
    await s.postureIfDue();
    expect(calls).toHaveLength(2);
  });

  it('asks again an hour later when another replica leads or the week is taken, so a dead leader is replaced', async () => {
    const { s, calls, set } = scheduler([undefined, undefined, true]);
    set(at('2026-12-01T10:00:00Z')); // Tuesday: a replica started late still posts this week
    expect(await s.postureIfDue()).toBe(false);
    set(at('2026-12-01T10:30:00Z'));
    await s.postureIfDue();
    expect(calls).toHaveLength(1);
    set(at('2026-12-01T11:00:00Z'));
    await s.postureIfDue();
    set(at('2026-12-01T12:00:00Z'));
    expect(await s.postureIfDue()).toBe(true);
    expect(calls).toHaveLength(3);
  });
});
