import { testEngine, users } from '../../builders/test-engine';

describe('the sweep reads the timer horizon now and then, and what is due every time', () => {
  it('does not re-read every soon-expiring grant on each pass', async () => {
    const t = testEngine({ options: { sweepIntervalMs: 2000, horizonScanEveryMs: 30_000 } });
    await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '4m',
      reason: 'read the logs',
    });
    await t.engine.idle();
    const listGrants = jest.spyOn(t.store, 'listGrants');
    const activeBounds = () =>
      listGrants.mock.calls.filter(([q]) => q.status === 'active').map(([q]) => (q.expiresBefore ?? 0) - t.clock.now());

    await t.engine.sweep(); // the first pass reads the whole horizon (restart = sweep first)
    expect(activeBounds()).toEqual([10 * 60_000]);
    expect(t.engine.armedTimers).toBe(1);

    listGrants.mockClear();
    t.clock.advance(2000);
    await t.engine.sweep(); // a backstop pass: only grants already due
    expect(activeBounds()).toEqual([0]);
    expect(t.engine.armedTimers).toBe(1);

    listGrants.mockClear();
    t.clock.advance(28_000);
    await t.engine.sweep(); // the horizon again
    expect(activeBounds()).toEqual([10 * 60_000]);
  });

  it('still revokes a grant whose timer was lost, on the next pass after its expiry', async () => {
    const t = testEngine({ options: { horizonScanEveryMs: 30_000 } });
    await t.engine.requestAccess({
      requester: users.olga,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '4m',
      reason: 'read the logs',
    });
    await t.engine.idle();
    const grant = [...t.store.grants.values()][0]!;
    // Another replica (no timer of its own, horizon read a moment ago) is the only one left.
    const other = testEngine({
      store: t.store,
      identity: t.identity,
      clock: t.clock,
      // A horizon too short to arm any timer: only the sweep can revoke.
      options: { replicaId: 'replica-2', timerHorizonMs: 1 },
    });
    await other.engine.sweep();
    await t.engine.stop();
    expect(other.engine.armedTimers).toBe(0);
    t.clock.advance(4 * 60_000 + 1);
    await other.engine.sweep();
    await other.engine.idle();
    expect((await other.engine.getGrant(grant.id))?.status).toBe('expired');
  });
});
