import {
  ErrorCodes,
  activationTerm,
  allowedSeconds,
  extendTerm,
  grantCreated,
  isKeylessError,
  systemActor,
  termViolation,
  transitionGrant,
  type GrantEvent,
} from '../../../src';
import { aGrant, T0 } from '../../builders';

const H = 3600;
const actor = systemActor('test');

describe('where an approved request puts a grant’s end', () => {
  const active = {
    status: 'active',
    durationSeconds: 2 * H,
    capSeconds: 8 * H,
    activatedAt: T0,
    windowStartAt: T0,
    expiresAt: T0 + 2 * H * 1000,
  };

  it('a second request ends the grant at the later of the two ends, never the sum', () => {
    const at = T0 + H * 1000;
    const longer = extendTerm(active, { at, requestedSeconds: 3 * H, capSeconds: 8 * H, mode: 'later_end' });
    expect(longer).toMatchObject({ expiresAt: at + 3 * H * 1000, addedSeconds: 2 * H, moved: true, capped: false });
    const shorter = extendTerm(active, { at, requestedSeconds: H / 2, capSeconds: 8 * H, mode: 'later_end' });
    expect(shorter).toMatchObject({ expiresAt: active.expiresAt, addedSeconds: 0, moved: false });
  });

  it('cuts the end to the cap of the rule that approved the request, from when it is applied', () => {
    const at = T0 + H * 1000;
    const cut = extendTerm(active, { at, requestedSeconds: 10 * H, capSeconds: 4 * H, mode: 'later_end' });
    expect(cut).toMatchObject({ expiresAt: at + 4 * H * 1000, capped: true, capSeconds: 4 * H, windowStartAt: at });
    const added = extendTerm(active, { at, requestedSeconds: 7.5 * H, capSeconds: 8 * H, mode: 'add' });
    expect(added).toMatchObject({ expiresAt: at + 8 * H * 1000, capped: true });
  });

  it('while provisioning, lengthens the duration to the later end (or by the time added), within the cap', () => {
    const provisioning = { status: 'provisioning', durationSeconds: 8 * H, capSeconds: 8 * H };
    expect(
      extendTerm(provisioning, { at: T0, requestedSeconds: 8 * H, capSeconds: 8 * H, mode: 'later_end' }),
    ).toMatchObject({
      durationSeconds: 8 * H,
      moved: false,
    });
    expect(extendTerm(provisioning, { at: T0, requestedSeconds: 8 * H, capSeconds: 8 * H, mode: 'add' })).toMatchObject(
      {
        durationSeconds: 8 * H,
        capped: true,
        moved: false,
      },
    );
    const short = { status: 'provisioning', durationSeconds: H, capSeconds: H };
    expect(extendTerm(short, { at: T0, requestedSeconds: H, capSeconds: H, mode: 'add' })).toMatchObject({
      durationSeconds: H,
      capped: true,
    });
  });

  it('activation starts the window and never lasts beyond the cap', () => {
    expect(activationTerm({ durationSeconds: 9 * H, capSeconds: 8 * H }, T0)).toEqual({
      activatedAt: T0,
      windowStartAt: T0,
      expiresAt: T0 + 8 * H * 1000,
      durationSeconds: 8 * H,
    });
  });

  it('says what the invariant allows and when it is broken', () => {
    expect(termViolation(active)).toBeUndefined();
    expect(allowedSeconds(active)).toBe(8 * H);
    expect(allowedSeconds({ ...active, windowStartAt: T0 + H * 1000 })).toBe(9 * H);
    expect(termViolation({ ...active, expiresAt: T0 + 8 * H * 1000 })).toBeUndefined();
    expect(termViolation({ ...active, expiresAt: T0 + 8 * H * 1000 + 1 })).toMatch(/beyond its cap of 8h/);
    expect(termViolation({ status: 'provisioning', durationSeconds: 8 * H + 1, capSeconds: 8 * H })).toMatch(/beyond/);
  });
});

describe('the grant machine keeps the invariant on every path that moves an end', () => {
  it('refuses to create a grant longer than its cap', () => {
    const error = (() => {
      try {
        aGrant({ durationSeconds: 4 * H + 1, capSeconds: 4 * H });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(isKeylessError(error, ErrorCodes.DurationCapExceeded)).toBe(true);
  });

  it('caps a grant created without a cap at its duration', () => {
    const g = grantCreated({ ...aGrant({ durationSeconds: 2 * H }), id: aGrant().id }, actor).next;
    expect(g.capSeconds).toBe(2 * H);
  });

  it('applies each extension through the cap: two 8h asks on an 8h rule give 8h', () => {
    const g = aGrant({ durationSeconds: 8 * H, capSeconds: 8 * H });
    const ext: GrantEvent = {
      type: 'extended',
      actor,
      at: T0,
      requestedSeconds: 8 * H,
      capSeconds: 8 * H,
      mode: 'later_end',
      requestId: 'req-2',
    };
    const merged = transitionGrant(g, ext)!.next;
    expect(merged.durationSeconds).toBe(8 * H);
    expect(merged.history.at(-1)?.details).toMatchObject({ requestId: 'req-2', moved: false, addedSeconds: 0 });
    const active = transitionGrant(merged, { type: 'assignment_confirmed', actor, at: T0 + 60_000 })!.next;
    expect(active.expiresAt! - active.activatedAt!).toBe(8 * H * 1000);
  });

  it('never blocks the end of a grant recorded before caps existed, even one already too long', () => {
    const legacy = {
      ...aGrant({
        status: 'active',
        activatedAt: T0,
        expiresAt: T0 + 16 * H * 1000,
        durationSeconds: 16 * H,
        capSeconds: 16 * H,
      }),
      capSeconds: 8 * H,
    };
    expect(termViolation(legacy)).toBeDefined();
    const revoking = transitionGrant(legacy, { type: 'revoke_requested', actor, at: T0, reason: 'done' })!.next;
    expect(revoking.status).toBe('deprovisioning');
  });
});
