import { DAY_MS } from './alert';
import { ROOT_ACCOUNT_ROW, type AccountSummary, type CredentialReportRow } from './credential-report';
import type { AlertMessageRef, UserKind } from './alert';

/**
 * The way off IAM users (issue 19, item 3): per account, how many people still sign in as IAM
 * users, how old the active access keys are, whether root was used in the period, and the MFA
 * gaps; and the change since the week before. Pure: credential report rows and `now` in, counts out.
 */

/** Active access keys by age (days since created or last rotated): 0–30, 30–90, 90–365, over 365. */
export const KEY_AGE_BANDS = ['0-30', '30-90', '90-365', '365+'] as const;
export type KeyAgeBand = (typeof KEY_AGE_BANDS)[number];
export const KEY_AGE_BAND_LABELS: Record<KeyAgeBand, string> = {
  '0-30': '0–30 d',
  '30-90': '30–90 d',
  '90-365': '90–365 d',
  '365+': '> 365 d',
};

/** The band of a key `ageMs` old: a key exactly 30 days old is in 30–90 (lower bounds included). */
export function keyAgeBand(ageMs: number): KeyAgeBand {
  const days = Math.max(0, ageMs) / DAY_MS;
  if (days < 30) return '0-30';
  if (days < 90) return '30-90';
  if (days < 365) return '90-365';
  return '365+';
}

/** The counts of one account (or of all accounts added up). */
export interface PostureCounts {
  /** Human IAM users that can still sign in: a console password or an active access key. */
  humanIamUsers: number;
  /** Active access keys per age band, every user (human or machine). */
  keysByAge: Record<KeyAgeBand, number>;
  /** 1 when root signed in or used a root key within the period (per account; added up: accounts). */
  rootUsed: number;
  /** Console users without MFA, plus 1 when the root user has no MFA. */
  mfaGaps: number;
}

export interface AccountPosture {
  accountId: string;
  accountName: string;
  counts: PostureCounts;
  /** The latest root use in the period, when there was one. */
  rootLastUsedAt?: number;
  /** When IAM generated the credential report read (it may be up to 4 hours old). */
  reportGeneratedAt: number;
}

export interface PostureReport {
  generatedAt: number;
  /** The period root use is counted in: `[periodStart, generatedAt]`. */
  periodStart: number;
  accounts: AccountPosture[];
  /** Accounts whose report could not be read (their counts are missing from the totals). */
  unread: { accountId: string; accountName: string; reason: string }[];
  totals: PostureCounts;
  /** Last week's snapshot, when there is one: its totals and when it was taken. */
  previous?: { week: string; takenAt: number; totals: PostureCounts; accounts: Record<string, PostureCounts> };
}

export const emptyCounts = (): PostureCounts => ({
  humanIamUsers: 0,
  keysByAge: { '0-30': 0, '30-90': 0, '90-365': 0, '365+': 0 },
  rootUsed: 0,
  mfaGaps: 0,
});

export function addCounts(a: PostureCounts, b: PostureCounts): PostureCounts {
  const keysByAge = { ...a.keysByAge };
  for (const band of KEY_AGE_BANDS) keysByAge[band] += b.keysByAge[band];
  return {
    humanIamUsers: a.humanIamUsers + b.humanIamUsers,
    keysByAge,
    rootUsed: a.rootUsed + b.rootUsed,
    mfaGaps: a.mfaGaps + b.mfaGaps,
  };
}

export const totalKeys = (c: PostureCounts): number => KEY_AGE_BANDS.reduce((n, b) => n + c.keysByAge[b], 0);

/**
 * One account's posture from its credential report and account summary. `userKind` says who is a
 * machine (the same rule as the findings: policy `alerts.machineUsers`, tags read by the scan).
 */
export function accountPosture(
  rows: readonly CredentialReportRow[],
  ctx: {
    account: { id: string; name: string };
    now: number;
    periodStart: number;
    reportGeneratedAt: number;
    summary?: AccountSummary;
    userKind: (user: string, path: string) => UserKind;
  },
): AccountPosture {
  const counts = emptyCounts();
  let rootLastUsedAt: number | undefined;
  const inPeriod = (t: number | null | undefined): t is number =>
    typeof t === 'number' && t >= ctx.periodStart && t <= ctx.now;
  for (const row of rows) {
    if (row.user === ROOT_ACCOUNT_ROW) {
      const uses = [row.passwordLastUsed, ...row.keys.map((k) => k.lastUsedAt)].filter(inPeriod);
      if (uses.length > 0) {
        counts.rootUsed = 1;
        rootLastUsedAt = Math.max(...uses);
      }
      // The summary is read in real time; the report's row is the fallback.
      const rootMfa = ctx.summary ? ctx.summary.accountMfaEnabled > 0 : row.mfaActive;
      if (!rootMfa) counts.mfaGaps++;
      continue;
    }
    const active = row.keys.filter((k) => k.active);
    for (const k of active) counts.keysByAge[keyAgeBand(ctx.now - (k.lastRotated ?? ctx.now))]++;
    if (row.passwordEnabled && !row.mfaActive) counts.mfaGaps++;
    const human = ctx.userKind(row.user, row.path) === 'human';
    if (human && (row.passwordEnabled || active.length > 0)) counts.humanIamUsers++;
  }
  return {
    accountId: ctx.account.id,
    accountName: ctx.account.name,
    counts,
    ...(rootLastUsedAt !== undefined ? { rootLastUsedAt } : {}),
    reportGeneratedAt: ctx.reportGeneratedAt,
  };
}

/** The report of several accounts, sorted by account id, with its totals. */
export function postureReport(input: {
  generatedAt: number;
  periodStart: number;
  accounts: AccountPosture[];
  unread?: PostureReport['unread'];
  previous?: PostureReport['previous'];
}): PostureReport {
  const accounts = [...input.accounts].sort((a, b) => a.accountId.localeCompare(b.accountId));
  return {
    generatedAt: input.generatedAt,
    periodStart: input.periodStart,
    accounts,
    unread: [...(input.unread ?? [])].sort((a, b) => a.accountId.localeCompare(b.accountId)),
    totals: accounts.reduce((t, a) => addCounts(t, a.counts), emptyCounts()),
    ...(input.previous ? { previous: input.previous } : {}),
  };
}

/** One number now, last week's, and the change (undefined when there is no last week). */
export interface PostureDelta {
  now: number;
  before?: number;
  change?: number;
}

/** The rows a person reads (and the chart draws), in this order. */
export const POSTURE_METRICS = [
  'humanIamUsers',
  ...KEY_AGE_BANDS.map((b) => `keys:${b}` as const),
  'rootUsed',
  'mfaGaps',
] as const;
export type PostureMetric = (typeof POSTURE_METRICS)[number];

export const POSTURE_METRIC_LABELS: Record<PostureMetric, string> = {
  humanIamUsers: 'People on IAM users',
  'keys:0-30': `Keys ${KEY_AGE_BAND_LABELS['0-30']}`,
  'keys:30-90': `Keys ${KEY_AGE_BAND_LABELS['30-90']}`,
  'keys:90-365': `Keys ${KEY_AGE_BAND_LABELS['90-365']}`,
  'keys:365+': `Keys ${KEY_AGE_BAND_LABELS['365+']}`,
  rootUsed: 'Accounts where root was used',
  mfaGaps: 'MFA gaps',
};

export function metricOf(c: PostureCounts, m: PostureMetric): number {
  if (m === 'humanIamUsers' || m === 'rootUsed' || m === 'mfaGaps') return c[m];
  return c.keysByAge[m.slice('keys:'.length) as KeyAgeBand];
}

/** Every metric of `now` against `before`. */
export function postureDeltas(now: PostureCounts, before?: PostureCounts): Record<PostureMetric, PostureDelta> {
  const out = {} as Record<PostureMetric, PostureDelta>;
  for (const m of POSTURE_METRICS) {
    const v = metricOf(now, m);
    out[m] = before ? { now: v, before: metricOf(before, m), change: v - metricOf(before, m) } : { now: v };
  }
  return out;
}

/** `+3`, `−2`, `±0`; empty when unknown. */
export function formatChange(change: number | undefined): string {
  if (change === undefined) return '';
  if (change === 0) return '±0';
  return change > 0 ? `+${change}` : `−${Math.abs(change)}`;
}

/** ISO 8601 week of a UTC instant: `2026-W49`. Weeks start on Monday; week 1 holds the first Thursday. */
export function isoWeekOf(ms: number): string {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The week's snapshot kept in the table (one small item per week): the counts the next week's post
 * compares with, and where the post went. Counts are stored per account, compactly.
 */
export interface PostureSnapshot {
  /** The ISO week (`2026-W49`): one weekly post per week, whichever replica writes it first. */
  week: string;
  version: number;
  takenAt: number;
  totals: PostureCounts;
  accounts: Record<string, PostureCounts>;
  /** Where the post went (filled after posting). */
  messages: AlertMessageRef[];
}

/** The snapshot of a report (for next week's comparison). */
export function snapshotOf(report: PostureReport, week: string): PostureSnapshot {
  return {
    week,
    version: 1,
    takenAt: report.generatedAt,
    totals: report.totals,
    accounts: Object.fromEntries(report.accounts.map((a) => [a.accountId, a.counts])),
    messages: [],
  };
}

/** How much an account needs attention: people on IAM users, old keys, MFA gaps, root use. */
export function attentionOf(c: PostureCounts): number {
  return c.humanIamUsers + c.keysByAge['90-365'] + 2 * c.keysByAge['365+'] + 2 * c.mfaGaps + 5 * c.rootUsed;
}

/** Accounts that need attention first (then by id); clean accounts last. */
export function accountsByAttention(report: PostureReport): AccountPosture[] {
  return [...report.accounts].sort(
    (a, b) => attentionOf(b.counts) - attentionOf(a.counts) || a.accountId.localeCompare(b.accountId),
  );
}

/** One account's counts in a line: `people 2 · keys 3/1/0/1 · root used · MFA gaps 1 (+1)`. */
export function postureLine(c: PostureCounts, before?: PostureCounts): string {
  const d = (now: number, was: number | undefined) =>
    was === undefined || was === now ? `${now}` : `${now} (${formatChange(now - was)})`;
  const keys = KEY_AGE_BANDS.map((b) => c.keysByAge[b]).join('/');
  const keysBefore = before ? KEY_AGE_BANDS.map((b) => before.keysByAge[b]).join('/') : undefined;
  return [
    `people on IAM users ${d(c.humanIamUsers, before?.humanIamUsers)}`,
    `keys by age ${keys}${keysBefore !== undefined && keysBefore !== keys ? ` (was ${keysBefore})` : ''}`,
    c.rootUsed > 0 ? 'root used' : 'root not used',
    `MFA gaps ${d(c.mfaGaps, before?.mfaGaps)}`,
  ].join(' · ');
}
