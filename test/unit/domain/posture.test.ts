import {
  DAY_MS,
  ROOT_ACCOUNT_ROW,
  accountPosture,
  accountsByAttention,
  emptyCounts,
  formatChange,
  isoWeekOf,
  keyAgeBand,
  postureDeltas,
  postureReport,
  type CredentialReportRow,
  type KeySlotReport,
} from '../../../src';

const NOW = Date.UTC(2026, 11, 2, 8, 0, 0); // Wednesday 2 December 2026
const slot = (n: 1 | 2, active: boolean, ageDays?: number): KeySlotReport => ({
  slot: n,
  active,
  lastRotated: ageDays === undefined ? undefined : NOW - ageDays * DAY_MS,
  lastUsedAt: null,
});
const row = (user: string, over: Partial<CredentialReportRow> = {}): CredentialReportRow => ({
  user,
  arn: `arn:aws:iam::111111111111:user/${user}`,
  path: '/',
  userCreationTime: NOW - 400 * DAY_MS,
  passwordEnabled: false,
  passwordLastUsed: undefined,
  mfaActive: false,
  keys: [slot(1, false), slot(2, false)],
  ...over,
});
const ctx = {
  account: { id: '111111111111', name: 'prod' },
  now: NOW,
  periodStart: NOW - 7 * DAY_MS,
  reportGeneratedAt: NOW - 3_600_000,
  userKind: (user: string) => (user.startsWith('svc-') ? ('machine' as const) : ('human' as const)),
};

describe('IAM posture', () => {
  it('puts a key in its age band, lower bounds included: 0–30, 30–90, 90–365, over 365 days', () => {
    expect(keyAgeBand(0)).toBe('0-30');
    expect(keyAgeBand(30 * DAY_MS - 1)).toBe('0-30');
    expect(keyAgeBand(30 * DAY_MS)).toBe('30-90');
    expect(keyAgeBand(90 * DAY_MS)).toBe('90-365');
    expect(keyAgeBand(365 * DAY_MS - 1)).toBe('90-365');
    expect(keyAgeBand(365 * DAY_MS)).toBe('365+');
  });

  it('counts people who can still sign in as IAM users, active keys by age, root use in the period and MFA gaps', () => {
    const p = accountPosture(
      [
        row(ROOT_ACCOUNT_ROW, { passwordLastUsed: NOW - 2 * DAY_MS, mfaActive: false }),
        // A person with a console password and no MFA, and an active 100-day key.
        row('ana', { passwordEnabled: true, keys: [slot(1, true, 100), slot(2, false, 500)] }),
        // A person with two active keys and no password.
        row('ben', { keys: [slot(1, true, 10), slot(2, true, 400)] }),
        // A machine: its keys count, it is not a person.
        row('svc-ci', { keys: [slot(1, true, 45), slot(2, false)] }),
        // A person with nothing active: not on IAM users any more.
        row('cleo', { keys: [slot(1, false, 700), slot(2, false)] }),
        row('dan', { passwordEnabled: true, mfaActive: true }),
      ],
      { ...ctx, summary: { accountAccessKeysPresent: 0, accountMfaEnabled: 0 } },
    );
    expect(p.counts).toEqual({
      humanIamUsers: 3,
      keysByAge: { '0-30': 1, '30-90': 1, '90-365': 1, '365+': 1 },
      rootUsed: 1,
      mfaGaps: 2,
    });
    expect(p.rootLastUsedAt).toBe(NOW - 2 * DAY_MS);
  });

  it('does not count root use before the period, and reads root MFA from the live summary over the report', () => {
    const p = accountPosture([row(ROOT_ACCOUNT_ROW, { passwordLastUsed: NOW - 8 * DAY_MS, mfaActive: false })], {
      ...ctx,
      summary: { accountAccessKeysPresent: 0, accountMfaEnabled: 1 },
    });
    expect(p.counts.rootUsed).toBe(0);
    expect(p.counts.mfaGaps).toBe(0);
    expect(p.rootLastUsedAt).toBeUndefined();
  });

  it("adds accounts up and compares with last week's totals", () => {
    const a = { ...emptyCounts(), humanIamUsers: 2, mfaGaps: 1 };
    const b = { ...emptyCounts(), humanIamUsers: 1, rootUsed: 1 };
    const before = { ...emptyCounts(), humanIamUsers: 5, mfaGaps: 1 };
    const report = postureReport({
      generatedAt: NOW,
      periodStart: ctx.periodStart,
      accounts: [
        { accountId: '2', accountName: 'b', counts: b, reportGeneratedAt: NOW },
        { accountId: '1', accountName: 'a', counts: a, reportGeneratedAt: NOW },
      ],
      previous: { week: '2026-W48', takenAt: NOW - 7 * DAY_MS, totals: before, accounts: {} },
    });
    expect(report.accounts.map((x) => x.accountId)).toEqual(['1', '2']);
    expect(report.totals).toMatchObject({ humanIamUsers: 3, mfaGaps: 1, rootUsed: 1 });
    const d = postureDeltas(report.totals, report.previous!.totals);
    expect(d.humanIamUsers).toEqual({ now: 3, before: 5, change: -2 });
    expect(d.rootUsed.change).toBe(1);
    expect(postureDeltas(report.totals).humanIamUsers).toEqual({ now: 3 });
    expect([formatChange(2), formatChange(-2), formatChange(0), formatChange(undefined)]).toEqual([
      '+2',
      '−2',
      '±0',
      '',
    ]);
    // Root use weighs most: account b comes first.
    expect(accountsByAttention(report).map((x) => x.accountId)).toEqual(['2', '1']);
  });

  it('names ISO weeks: Monday starts them, the week of the first Thursday is week 1', () => {
    expect(isoWeekOf(NOW)).toBe('2026-W49');
    expect(isoWeekOf(Date.UTC(2026, 10, 30))).toBe('2026-W49'); // Monday
    expect(isoWeekOf(Date.UTC(2026, 10, 29, 23, 59))).toBe('2026-W48'); // Sunday
    expect(isoWeekOf(Date.UTC(2027, 0, 1))).toBe('2026-W53'); // Friday 1 January 2027
    expect(isoWeekOf(Date.UTC(2027, 0, 4))).toBe('2027-W01');
    expect(isoWeekOf(Date.UTC(2025, 11, 29))).toBe('2026-W01');
  });
});
