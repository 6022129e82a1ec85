import { dedupeKeys, type Alert } from '../../../../src';
import { SANDBOX, testAlertEngine } from '../../../builders/test-alert-engine';
import { users } from '../../../builders/test-engine';

const DAY = 86_400_000;
const iam = { accounts: [{ accountId: SANDBOX.id, root: { mfa: false, accessKeys: 0 }, users: [] }] };
const key = dedupeKeys.root(SANDBOX.id, 'root_mfa_disabled');

async function snoozed(days: 7 | 30) {
  const t = testAlertEngine({ iam, accounts: [SANDBOX] });
  await t.engine.scanAll();
  const at = t.clock.now();
  const alert = await t.engine.snooze({ dedupeKey: key, actor: users.rita, days, reason: 'MFA device on order' });
  t.publisher.clear();
  return { ...t, at, alert };
}

const statusOf = async (t: { engine: { getAlert(k: string): Promise<Alert | undefined> } }) =>
  (await t.engine.getAlert(key))!.status;

describe('snoozing an alert', () => {
  it.each([7, 30] as const)(
    'snoozes for %i whole days: until is that many days of milliseconds later',
    async (days) => {
      const t = await snoozed(days);
      expect(t.alert.status).toBe('snoozed');
      expect(t.alert.snoozed).toMatchObject({ until: t.at + days * DAY, reason: 'MFA device on order' });
    },
  );

  it.each([7, 30] as const)('is still snoozed 1 ms before %i days, and open again at the boundary', async (days) => {
    const t = await snoozed(days);
    t.clock.advance(days * DAY - 1);
    expect(await t.engine.checkBlindSpots()).toMatchObject({ snoozesEnded: 0 });
    expect(await statusOf(t)).toBe('snoozed');
    t.clock.advance(1);
    expect(await t.engine.checkBlindSpots()).toMatchObject({ snoozesEnded: 1 });
    expect(await statusOf(t)).toBe('open');
    const woke = t.publisher.ofType('alert_updated').filter((e) => e.change === 'snooze_ended');
    expect(woke).toHaveLength(1);
    expect(woke[0]!.alert.snoozed).toBeUndefined();
  });

  it('survives every scan (which sees the finding again) until its end, and ends after it', async () => {
    const t = await snoozed(7);
    // A scan every 6 hours for just under 7 days: each one sees the finding again.
    for (let elapsed = 6 * 3600_000; elapsed < 7 * DAY; elapsed += 6 * 3600_000) {
      t.clock.advance(6 * 3600_000);
      await t.engine.scanAll();
      expect(await statusOf(t)).toBe('snoozed');
    }
    const before = (await t.engine.getAlert(key))!;
    expect(before.occurrences).toBeGreaterThan(20);
    expect(before.snoozed!.until).toBe(t.at + 7 * DAY);
    t.clock.advance(7 * DAY - (t.clock.now() - t.at));
    await t.engine.scanAll();
    expect(await statusOf(t)).toBe('open');
  });

  it('is not ended by a scan right after it was set', async () => {
    const t = await snoozed(7);
    t.clock.advance(60_000);
    await t.engine.scanAll();
    await t.engine.checkBlindSpots();
    expect(await statusOf(t)).toBe('snoozed');
    expect(t.publisher.ofType('alert_updated').some((e) => e.change === 'snooze_ended')).toBe(false);
  });
});
