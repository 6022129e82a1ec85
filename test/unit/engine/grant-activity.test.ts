import { ErrorCodes, type ActivityTrail, type Grant, type TrailLookup } from '../../../src';
import { users } from '../../builders/test-engine';
import { ReplicaCluster } from '../../fakes/replica-cluster';

const MINUTE = 60_000;
const FIRST = 5 * MINUTE;
const FINAL = 20 * MINUTE;

/** CloudTrail as a fake: what it answers, and every lookup made. */
class FakeTrail implements ActivityTrail {
  readonly lookups: Parameters<ActivityTrail['lookup']>[0][] = [];
  failWith: Error | undefined;
  writes = 1;

  async lookup(query: Parameters<ActivityTrail['lookup']>[0]): Promise<TrailLookup> {
    this.lookups.push(query);
    if (this.failWith) throw this.failWith;
    return {
      events: Array.from({ length: this.writes }, () => ({
        eventName: 'DeleteBucket',
        eventSource: 's3.amazonaws.com',
        eventTime: query.from + 1,
        region: 'eu-west-1',
        readOnly: false,
      })),
      regions: ['eu-west-1'],
      truncated: false,
      unavailable: [],
    };
  }
}

async function endedGrant(c: ReplicaCluster): Promise<Grant> {
  const result = await c.on(0, (e) =>
    e.requestAccess({
      requester: users.rita,
      account: 'sandbox',
      permissionSet: 'ReadOnlyAccess',
      duration: '1h',
      reason: 'look around',
    }),
  );
  await c.idle();
  const grantId = (await c.on(0, (e) => e.getRequest(result!.request.id)))!.grantId!;
  await c.on(1, (e) => e.revoke({ grantId, actor: users.rita }));
  await c.idle();
  return (await c.on(0, (e) => e.getGrant(grantId)))!;
}

describe('what an ended grant did, across replicas', () => {
  it('looks up and posts each step once among three replicas sweeping together, then never again', async () => {
    const trail = new FakeTrail();
    const c = new ReplicaCluster(3, {
      activity: trail,
      options: { activity: { firstAfterMs: FIRST, finalAfterMs: FINAL } },
    });
    const grant = await endedGrant(c);
    expect(grant.status).toBe('revoked');
    expect(grant.activity).toEqual({ step: 0, dueAt: grant.endedAt! + FIRST });
    expect(trail.lookups).toEqual([]);

    await c.advance(FIRST - 1);
    await c.sweepAll();
    expect(trail.lookups).toEqual([]);

    await c.advance(1);
    for (let i = 0; i < 3; i++) await c.sweepAll();
    // The owner looked once; the others (still within their grace) did not.
    expect(trail.lookups).toHaveLength(1);
    expect(trail.lookups[0]).toMatchObject({
      accountId: grant.accountId,
      username: grant.principalName,
      roleNamePrefix: 'AWSReservedSSO_ReadOnlyAccess_',
      from: grant.activatedAt! - MINUTE,
      to: grant.endedAt! + MINUTE,
    });
    const first = c.notifier.ofType('grant_activity');
    expect(first.map((e) => [e.first, e.changed, e.summary.writes, e.summary.final])).toEqual([[true, true, 1, false]]);

    // Long after the owner's due time, every replica would act; still one final lookup and post.
    trail.writes = 3;
    await c.advance(FINAL - FIRST + 10 * MINUTE);
    for (let i = 0; i < 3; i++) await c.sweepAll();
    const all = c.notifier.ofType('grant_activity');
    expect(all.map((e) => [e.first, e.changed, e.summary.writes, e.summary.final])).toEqual([
      [true, true, 1, false],
      [false, true, 3, true],
    ]);
    expect(trail.lookups.length).toBeLessThanOrEqual(4);

    await c.advance(60 * MINUTE);
    await c.sweepAll();
    expect(c.notifier.ofType('grant_activity')).toHaveLength(2);
    const stored = c.store.grants.get(grant.id)!;
    expect(stored.activity).toMatchObject({ step: 2, summary: { writes: 3, final: true } });
    expect(stored.activity?.dueAt).toBeUndefined();
  });

  it('posts a lookup that failed, saying why, and the final lookup tries again', async () => {
    const trail = new FakeTrail();
    trail.failWith = new Error('keyless may not assume arn:aws:iam::222222222222:role/keyless-scanner.');
    const c = new ReplicaCluster(1, {
      activity: trail,
      options: { activity: { firstAfterMs: FIRST, finalAfterMs: FINAL } },
    });
    await endedGrant(c);
    await c.advance(FIRST);
    await c.sweepAll();
    const [failed] = c.notifier.ofType('grant_activity');
    expect(failed!.summary.unavailable).toEqual([
      { region: '*', message: 'keyless may not assume arn:aws:iam::222222222222:role/keyless-scanner.' },
    ]);
    trail.failWith = undefined;
    await c.advance(FINAL - FIRST);
    await c.sweepAll();
    const events = c.notifier.ofType('grant_activity');
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ changed: true, summary: { writes: 1, unavailable: [], final: true } });
  });

  it('follows the timing it is given: the early lookup and the final one at their own delays after the end', async () => {
    const trail = new FakeTrail();
    const first = 2 * MINUTE;
    const final = 7 * MINUTE;
    const c = new ReplicaCluster(1, {
      activity: trail,
      options: { activity: { firstAfterMs: first, finalAfterMs: final } },
    });
    const grant = await endedGrant(c);
    expect(grant.activity).toEqual({ step: 0, dueAt: grant.endedAt! + first });
    await c.advance(first - 1);
    await c.sweepAll();
    expect(trail.lookups).toHaveLength(0);
    await c.advance(1);
    await c.sweepAll();
    expect(trail.lookups).toHaveLength(1);
    const early = (await c.on(0, (e) => e.getGrant(grant.id)))!;
    expect(early.activity).toMatchObject({ step: 1, dueAt: grant.endedAt! + final });
    await c.advance(final - first);
    await c.sweepAll();
    expect(c.notifier.ofType('grant_activity').map((e) => e.summary.final)).toEqual([false, true]);
  });

  it('schedules and looks up nothing when switched off, even with a CloudTrail source', async () => {
    const trail = new FakeTrail();
    const c = new ReplicaCluster(1, { activity: trail, options: { activity: { enabled: false } } });
    const grant = await endedGrant(c);
    expect(grant.activity).toBeUndefined();
    await c.advance(FINAL);
    await c.sweepAll();
    expect(trail.lookups).toEqual([]);
    expect(c.notifier.ofType('grant_activity')).toEqual([]);
  });

  it.each([
    [FIRST, FIRST],
    [FINAL, FIRST],
    [-1, FINAL],
  ])(
    'refuses to start when the final lookup (%p after the end) is not after the early one',
    (firstAfterMs, finalAfterMs) => {
      expect(
        () =>
          new ReplicaCluster(1, { activity: new FakeTrail(), options: { activity: { firstAfterMs, finalAfterMs } } }),
      ).toThrow(expect.objectContaining({ code: ErrorCodes.ConfigInvalid }));
    },
  );

  it('looks nothing up when no CloudTrail source is given', async () => {
    const c = new ReplicaCluster(1);
    const grant = await endedGrant(c);
    expect(grant.activity).toBeUndefined();
    await c.advance(FINAL);
    await c.sweepAll();
    expect(c.notifier.ofType('grant_activity')).toEqual([]);
  });
});
