import {
  DurationEstimator,
  defaultPolling,
  nextPollDelay,
} from '../../../../../adapters/aws/identity-center/poll-schedule';

const state = (over: Partial<Parameters<typeof nextPollDelay>[0]> = {}) => ({
  elapsedMs: 0,
  polls: 0,
  sinceLastPollMs: 0,
  lastIntervalMs: 0,
  ...over,
});
const noJitter = () => 0.5;

describe('the poll schedule', () => {
  it('looks early when nothing is known, then grows up to the cold cap', () => {
    expect(nextPollDelay(state(), undefined, defaultPolling, noJitter)).toBe(defaultPolling.firstPollMs);
    const late = nextPollDelay(
      state({ elapsedMs: 5000, polls: 10, lastIntervalMs: 10_000 }),
      undefined,
      defaultPolling,
      noJitter,
    );
    expect(late).toBe(defaultPolling.coldMaxIntervalMs);
  });

  it('sleeps until just before the expected completion once it has been learnt', () => {
    expect(nextPollDelay(state({ elapsedMs: 10 }), 2000, defaultPolling, noJitter)).toBe(
      2000 - defaultPolling.probeEarlyMs - 10,
    );
  });

  it('polls densely around the expected completion and at once when woken past it', () => {
    expect(nextPollDelay(state({ elapsedMs: 2000, polls: 1 }), 2000, defaultPolling)).toBe(
      defaultPolling.nearIntervalMs,
    );
    expect(nextPollDelay(state({ elapsedMs: 2100, polls: 3, sinceLastPollMs: 300 }), 2000, defaultPolling)).toBe(0);
  });

  it('backs off to the maximum when AWS is much slower than it has been', () => {
    const delay = nextPollDelay(state({ elapsedMs: 60_000, polls: 40, lastIntervalMs: 5000 }), 2000, defaultPolling);
    expect(delay).toBe(defaultPolling.maxIntervalMs);
  });
});

describe('DurationEstimator', () => {
  it('knows nothing until an operation is confirmed, then estimates a low quantile', () => {
    const e = new DurationEstimator(8);
    expect(e.estimate()).toBeUndefined();
    [2100, 2050, 2400, 2020].forEach((v) => e.record(v));
    expect(e.estimate()).toBe(2020);
  });

  it('wakes waiters when it learns something', async () => {
    const e = new DurationEstimator();
    const change = e.nextChange();
    e.record(1000);
    await expect(change.promise).resolves.toBeUndefined();
  });
});
