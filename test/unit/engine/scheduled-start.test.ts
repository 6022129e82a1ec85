import { ErrorCodes, grantAssignment, isKeylessError, type Grant } from '../../../src';
import { demoPolicy } from '../../builders/policy';
import { testEngine, users } from '../../builders/test-engine';

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

// The manual clock starts Mon 23 Nov 2026, 09:00 UTC. Olga has no time zone (UTC); Rita is in Paris.
const START = Date.UTC(2026, 10, 23, 13, 0, 0);
const sandbox = {
  requester: users.olga,
  account: 'sandbox',
  permissionSet: 'ReadOnlyAccess',
  duration: '2h',
  reason: 'nightly migration',
};

async function grantOf(t: ReturnType<typeof testEngine>, requestId: string): Promise<Grant> {
  const request = await t.engine.getRequest(requestId);
  return (await t.engine.getGrant(request!.grantId!))!;
}

describe('access that starts later', () => {
  it('is approved ahead, assigned at its start (never before), and revoked at its end', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ ...sandbox, start: '13:00' });
    expect(request.startsAt).toBe(START);
    await t.engine.idle();
    const scheduled = await grantOf(t, request.id);
    expect(scheduled).toMatchObject({ status: 'scheduled', startsAt: START });
    expect(t.identity.assignCalls).toHaveLength(0);
    expect(t.notifier.ofType('grant_scheduled')).toHaveLength(1);

    // The sweep arms the start once it is within the timer horizon; one millisecond before: nothing.
    t.clock.advance(START - 60_000 - t.clock.now());
    await t.engine.sweep();
    t.clock.advance(59_999);
    await t.engine.sweep();
    await t.engine.idle();
    expect((await t.engine.getGrant(scheduled.id))?.status).toBe('scheduled');
    expect(t.identity.assignCalls).toHaveLength(0);

    t.clock.advance(1);
    await t.engine.idle();
    const active = (await t.engine.getGrant(scheduled.id))!;
    expect(active.status).toBe('active');
    expect(active.activatedAt).toBe(START);
    // The rule's duration counts from the start, not from the approval four hours before.
    expect(active.expiresAt).toBe(START + 2 * 3600_000);
    expect(t.identity.assignCalls).toHaveLength(1);
    expect(t.notifier.ofType('grant_activated')).toHaveLength(1);

    t.clock.advance(2 * 3600_000 - 60_000);
    await t.engine.sweep();
    t.clock.advance(60_000);
    await t.engine.idle();
    expect((await t.engine.getGrant(scheduled.id))?.status).toBe('expired');
    expect(t.identity.has(grantAssignment(active))).toBe(false);
  });

  it('starts with four store operations: start and lease in one write, the slot, confirm and release, the request', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ ...sandbox, start: '13:00' });
    await t.engine.idle();
    const id = (await grantOf(t, request.id)).id;
    t.clock.advance(START - 60_000 - t.clock.now());
    await t.engine.sweep(); // arms the start
    const calls: string[] = [];
    const store = t.store as unknown as Record<string, unknown>;
    for (const name of [
      'getGrant',
      'saveGrant',
      'saveGrantWithLease',
      'acquireLease',
      'releaseLease',
      'getActiveSlot',
      'claimActiveSlot',
      'getRequest',
    ]) {
      const fn = store[name] as (...a: unknown[]) => unknown;
      store[name] = (...args: unknown[]) => (calls.push(name), fn.apply(t.store, args));
    }
    t.clock.advance(60_000);
    await t.engine.idle();
    expect((await t.engine.getGrant(id))?.status).toBe('active');
    calls.pop(); // the getGrant just above
    expect(calls).toEqual(['saveGrantWithLease', 'claimActiveSlot', 'saveGrantWithLease', 'getRequest']);
    // The lease was released in the confirming write.
    expect(t.store.leases.has(id)).toBe(false);
  });

  it('is started by the sweep when no timer is armed (a restart), once, and never early', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ ...sandbox, start: '13:00' });
    await t.engine.idle();
    const id = (await grantOf(t, request.id)).id;
    // A second replica's engine on the same store: no timer of its own, only its sweep.
    const other = testEngine({ store: t.store, identity: t.identity, clock: t.clock, idPrefix: 'b' });
    t.clock.advance(START - 1 - t.clock.now());
    await other.engine.sweep();
    expect((await t.engine.getGrant(id))?.status).toBe('scheduled');
    t.clock.advance(1);
    await Promise.all([other.engine.sweep(), other.engine.sweep()]);
    await Promise.all([t.engine.idle(), other.engine.idle()]);
    expect((await t.engine.getGrant(id))?.status).toBe('active');
    expect(t.identity.assignCalls).toHaveLength(1);
    const trail = await t.store.listAudit({ kind: 'grant', id });
    expect(trail.filter((e) => e.event === 'start_reached')).toHaveLength(1);
  });

  it('is cancelled before its start with no AWS call, and its timer then does nothing', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ ...sandbox, start: '09:03' });
    await t.engine.idle();
    const g = await grantOf(t, request.id);
    await t.engine.sweep();
    expect(t.engine.armedTimers).toBe(1);
    const result = await t.engine.revoke({ grantId: g.id, actor: users.olga });
    expect(result.grant).toMatchObject({ status: 'revoked', endReason: 'revoked' });
    t.clock.advance(10 * 60_000);
    await t.engine.sweep();
    await t.engine.idle();
    expect((await t.engine.getGrant(g.id))?.status).toBe('revoked');
    expect(t.identity.assignCalls).toHaveLength(0);
    expect(t.identity.unassignCalls).toHaveLength(0);
    expect(t.notifier.ofType('grant_ended')).toHaveLength(1);
  });

  it("reads the start in the requester's own zone", async () => {
    const t = testEngine();
    // Rita is in Paris (UTC+1 in November): 14:00 there is 13:00 UTC.
    const { request } = await t.engine.requestAccess({
      requester: users.rita,
      account: '111111111111',
      permissionSet: 'AdministratorAccess',
      duration: '1h',
      reason: 'INC-42 planned failover',
      start: '14:00',
    });
    expect(request.startsAt).toBe(START);
    const tomorrow = await t.engine.requestAccess({ ...sandbox, start: 'tomorrow 08:30' });
    expect(tomorrow.request.startsAt).toBe(Date.UTC(2026, 10, 24, 8, 30));
    const iso = await t.engine.requestAccess({
      ...sandbox,
      permissionSet: 'AdministratorAccess',
      start: '2026-11-25T10:00:00+02:00',
    });
    expect(iso.request.startsAt).toBe(Date.UTC(2026, 10, 25, 8, 0));
  });

  it.each([
    ['08:00', ErrorCodes.StartInPast, /already passed.*tomorrow 08:00/s],
    ['2026-12-20 09:00', ErrorCodes.StartTooFar, /at most 7d ahead/],
    ['next week', ErrorCodes.InvalidStart, /not a start time/],
    ['25:00', ErrorCodes.InvalidStart, /not a time of day/],
    ['2026-02-30 09:00', ErrorCodes.InvalidStart, /does not exist/],
  ])('refuses the start %s clearly (%s)', async (start, code, text) => {
    const t = testEngine();
    const error = await errorOf(t.engine.requestAccess({ ...sandbox, start }));
    expect(isKeylessError(error, code)).toBe(true);
    const e = error as Error & { hint?: string };
    expect(`${e.message} ${e.hint ?? ''}`).toMatch(text);
    expect(await t.store.listRequests({ status: 'approved' })).toHaveLength(0);
  });

  it("caps how far ahead one may ask with the rule's maxStartAhead", async () => {
    const input = demoPolicy();
    const policy = demoPolicy({
      rules: input.rules.map((r) => (r.name === 'sandbox-readonly' ? { ...r, maxStartAhead: '2h' } : r)),
    });
    const t = testEngine({ policy });
    const far = await errorOf(t.engine.requestAccess({ ...sandbox, start: '11:30' }));
    expect(isKeylessError(far, ErrorCodes.StartTooFar)).toBe(true);
    expect((far as Error).message).toMatch(/at most 2h ahead/);
    const near = await t.engine.requestAccess({ ...sandbox, start: '10:30' });
    expect(near.request.startsAt).toBe(Date.UTC(2026, 10, 23, 10, 30));
  });

  it('refuses break-glass that starts later', async () => {
    const t = testEngine();
    const error = await errorOf(
      t.engine.requestAccess({
        requester: users.ann,
        account: '111111111111',
        permissionSet: 'AdministratorAccess',
        duration: '30m',
        reason: 'database down',
        breakGlass: true,
        start: '13:00',
      }),
    );
    expect(isKeylessError(error, ErrorCodes.InvalidInput)).toBe(true);
  });

  it('keeps one grant per span of access: an overlapping request is refused, a later one is not', async () => {
    const t = testEngine();
    await t.engine.requestAccess({ ...sandbox, start: '13:00' });
    await t.engine.idle();
    const overlapping = await errorOf(t.engine.requestAccess({ ...sandbox, start: '14:30' }));
    expect(isKeylessError(overlapping, ErrorCodes.OverlappingGrant)).toBe(true);
    expect((overlapping as Error).message).toMatch(/already have this access scheduled/);
    // Access now that would still be running at 13:00 overlaps it too.
    const now = await errorOf(t.engine.requestAccess({ ...sandbox, duration: '5h' }));
    expect(isKeylessError(now, ErrorCodes.OverlappingGrant)).toBe(true);
    // After it ends (15:00), or now and ending before 13:00: fine.
    await t.engine.requestAccess({ ...sandbox, start: '15:00' });
    await t.engine.requestAccess({ ...sandbox, duration: '1h' });
    await t.engine.idle();
    // A scheduled start during the live grant of now (09:00–10:00) is refused as well.
    const duringLive = await errorOf(t.engine.requestAccess({ ...sandbox, duration: '30m', start: '09:30' }));
    expect(isKeylessError(duringLive, ErrorCodes.OverlappingGrant)).toBe(true);
  });
});
