import {
  ErrorCodes,
  KeylessError,
  ROOT_ACCOUNT_ROW,
  dedupeKeys,
  evaluateAccountSummary,
  evaluateCredentialReport,
  evaluateUserHygiene,
  isKeylessError,
  parseCredentialReport,
  scanRules,
  systemActor,
  userKindOf,
  userKindRuleOf,
  usersToConfirm,
  type CredentialReportRow,
  type Finding,
  type LiveKey,
  type UserKind,
} from '../../domain';
import { forEachLimit } from '../concurrency';
import { announceChange, commitAlert } from './commit';
import type { AlertContext, ScanAccount } from './deps';
import { recordFinding } from './record-finding';
import { rotateKeys } from './rotation';

const SCANNER = systemActor('key-scanner');

export interface AccountScanResult {
  accountId: string;
  ok: boolean;
  findings: number;
  raised: number;
  resolved: number;
  error?: { code: string; message: string };
}

export interface ScanReport {
  startedAt: number;
  finishedAt: number;
  accounts: number;
  scanned: number;
  failed: AccountScanResult[];
  findings: number;
  raised: number;
  resolved: number;
  /** Set when this replica did not scan (another one leads the security duties). */
  skipped?: string;
}

export function requireScanner(ctx: AlertContext) {
  if (!ctx.scanner) throw new KeylessError(ErrorCodes.ConfigInvalid, 'No IAM scanner is configured.');
  return ctx.scanner;
}

/** The findings of one account now: the credential report screens, live key facts confirm. */
export async function findingsOf(ctx: AlertContext, account: ScanAccount): Promise<Finding[]> {
  return (await accountFacts(ctx, account)).findings;
}

/** The findings, and the keys read live to confirm them (the rotation assistant reuses them). */
async function accountFacts(
  ctx: AlertContext,
  account: ScanAccount,
): Promise<{ findings: Finding[]; live: Map<string, LiveKey[]> }> {
  const scanner = requireScanner(ctx);
  const snapshot = await scanner.readAccount(account.id);
  const rows = parseCredentialReport(snapshot.reportCsv);
  const now = ctx.clock.now();
  const alerts = ctx.policy().alerts;
  const rules = scanRules(alerts, ctx.options.machineThresholds);
  const userKind = await userKindsOf(ctx, account, rows);
  const base = { account, now, reportGeneratedAt: snapshot.reportGeneratedAt, rules, userKind };
  const candidates = evaluateCredentialReport(rows, base);
  const live = new Map<string, LiveKey[]>();
  await forEachLimit(usersToConfirm(candidates), ctx.options.userConcurrency, async (user) => {
    const keys = await scanner.listAccessKeys(account.id, user);
    const detailed: LiveKey[] = [];
    for (const k of keys) {
      if (k.status !== 'Active') {
        detailed.push(k);
        continue;
      }
      const used = await scanner.keyLastUsed(account.id, k.accessKeyId);
      detailed.push({
        ...k,
        lastUsedAt: used.lastUsedAt,
        ...(used.service ? { lastUsedService: used.service } : {}),
        ...(used.region ? { lastUsedRegion: used.region } : {}),
      });
    }
    live.set(user, detailed);
  }).then(throwFirst);
  const confirmed = evaluateCredentialReport(
    rows.filter((r) => r.user === ROOT_ACCOUNT_ROW || live.has(r.user)),
    { ...base, live },
  );
  return {
    findings: [
      ...confirmed,
      ...evaluateUserHygiene(rows, base),
      ...evaluateAccountSummary(snapshot.summary, { account, now }),
    ],
    live,
  };
}

/**
 * Who is a machine in one account: the policy's `machineUsers` (the engine option fills in what it
 * leaves out); tags are read only when the rule names one, and only for users some rule applies to.
 */
export async function userKindsOf(
  ctx: AlertContext,
  account: ScanAccount,
  rows: readonly CredentialReportRow[],
): Promise<(user: string, path: string) => UserKind> {
  const scanner = requireScanner(ctx);
  const rule = { ...ctx.options.userKindRule, ...userKindRuleOf(ctx.policy().alerts.machineUsers) };
  const kinds = new Map<string, UserKind>();
  if (rule.machineTag && scanner.listUserTags) {
    // Only users some rule applies to: an active key or a console password.
    const judged = rows.filter(
      (r) => r.user !== ROOT_ACCOUNT_ROW && (r.passwordEnabled || r.keys.some((k) => k.active)),
    );
    await forEachLimit(judged, ctx.options.userConcurrency, async (r) => {
      kinds.set(r.user, userKindOf(r.user, await scanner.listUserTags!(account.id, r.user), rule, r.path));
    }).then(throwFirst);
  }
  return (user, path) => kinds.get(user) ?? userKindOf(user, undefined, rule, path);
}

function throwFirst(failures: unknown[]): void {
  if (failures.length > 0) throw failures[0];
}

/** Scans one account and applies the result: new findings post, vanished ones resolve. */
export async function scanAccount(ctx: AlertContext, account: ScanAccount): Promise<AccountScanResult> {
  let findings: Finding[];
  let live: Map<string, LiveKey[]>;
  try {
    ({ findings, live } = await accountFacts(ctx, account));
  } catch (error) {
    const code = isKeylessError(error) ? error.code : 'UNAVAILABLE';
    const message = (error as Error).message ?? String(error);
    ctx.logger.warn({ accountId: account.id, code, err: error }, 'account could not be scanned');
    const now = ctx.clock.now();
    const raised = await recordFinding(ctx, {
      dedupeKey: dedupeKeys.account(account.id, 'account_not_scanned'),
      kind: 'account_not_scanned',
      severity: 'high',
      delivery: 'immediate',
      source: 'monitor',
      account,
      principal: { type: 'account', name: account.name },
      title: 'keyless could not scan this account',
      advice:
        'keyless is blind to stale keys and root settings here until this is fixed: check that the audit role is deployed in the account and trusts keyless with the configured ExternalId.',
      evidence: { checkedAt: now, detail: `${code}: ${message}`.slice(0, 300) },
      observedAt: now,
    });
    return {
      accountId: account.id,
      ok: false,
      findings: 0,
      raised: raised === 'raised' ? 1 : 0,
      resolved: 0,
      error: { code, message },
    };
  }
  let raised = 0;
  for (const f of findings) if ((await recordFinding(ctx, f)) === 'raised') raised++;
  await rotateKeys(ctx, account, live);
  const present = new Set(findings.map((f) => f.dedupeKey));
  const alerts = await ctx.store.listLiveAlerts({ accountId: account.id });
  let resolved = 0;
  for (const alert of alerts) {
    const scanned = alert.finding.source === 'scan' || alert.finding.kind === 'account_not_scanned';
    if (!scanned || present.has(alert.dedupeKey)) continue;
    const now = ctx.clock.now();
    const { alert: next, changed } = await commitAlert(
      ctx,
      alert.dedupeKey,
      (a) =>
        a.status === 'resolved' ? undefined : { type: 'resolve', actor: SCANNER, at: now, reason: 'no longer seen' },
      alert,
    );
    if (changed) {
      resolved++;
      ctx.stats.resolved++;
      await announceChange(ctx, next, 'resolved');
    }
  }
  return { accountId: account.id, ok: true, findings: findings.length, raised, resolved };
}

/** Every account, at most `scanConcurrency` at once; a failing account is reported, not fatal. */
export async function scanAll(ctx: AlertContext): Promise<ScanReport> {
  const startedAt = ctx.clock.now();
  const accounts = await ctx.refreshAccounts();
  const results: AccountScanResult[] = [];
  const failures = await forEachLimit(accounts, ctx.options.scanConcurrency, async (account) => {
    results.push(await scanAccount(ctx, account));
  });
  for (const f of failures) ctx.logger.error({ err: f }, 'account scan crashed');
  await endSnoozes(ctx);
  await checkRegions(ctx);
  const report: ScanReport = {
    startedAt,
    finishedAt: ctx.clock.now(),
    accounts: accounts.length,
    scanned: results.filter((r) => r.ok).length,
    failed: results.filter((r) => !r.ok),
    findings: results.reduce((n, r) => n + r.findings, 0),
    raised: results.reduce((n, r) => n + r.raised, 0),
    resolved: results.reduce((n, r) => n + r.resolved, 0),
  };
  ctx.logger.info({ ...report, failed: report.failed.length }, 'key scan done');
  return report;
}

/** Snoozes that ran out: the alert is open again, and its message says so. */
export async function endSnoozes(ctx: AlertContext): Promise<number> {
  const now = ctx.clock.now();
  let ended = 0;
  for (const alert of await ctx.store.listLiveAlerts()) {
    if (alert.status !== 'snoozed' || (alert.snoozed?.until ?? Infinity) > now) continue;
    const { alert: next, changed } = await commitAlert(
      ctx,
      alert.dedupeKey,
      (a) =>
        a.status === 'snoozed' && (a.snoozed?.until ?? Infinity) <= now
          ? { type: 'snooze_ended', actor: SCANNER, at: now }
          : undefined,
      alert,
    );
    if (changed) {
      ended++;
      await announceChange(ctx, next, 'snooze_ended');
    }
  }
  return ended;
}

/** The scanner says when it is blind: a region whose feed went silent is an alert. */
export async function checkRegions(ctx: AlertContext): Promise<string[]> {
  const regions = ctx.options.expectedRegions;
  if (regions.length === 0) return [];
  const seen = await ctx.store.listRegionsSeen();
  const now = ctx.clock.now();
  const silent: string[] = [];
  for (const region of regions) {
    const last = seen[region] ?? ctx.startedAt;
    const key = dedupeKeys.region(region);
    if (now - last > ctx.options.regionSilenceMs) {
      silent.push(region);
      await recordFinding(ctx, {
        dedupeKey: key,
        kind: 'region_silent',
        severity: 'high',
        delivery: 'immediate',
        source: 'monitor',
        account: { id: '', name: 'all accounts' },
        principal: { type: 'region', name: region },
        title: `No security event from ${region} for ${Math.round((now - last) / 3_600_000)} h`,
        advice:
          'keyless may be blind to root activity in this region: check the EventBridge rule that forwards this region to the security bus, and its heartbeat schedule.',
        evidence: { region, checkedAt: now, ...(seen[region] !== undefined ? { eventTime: seen[region] } : {}) },
        observedAt: now,
      });
      continue;
    }
    const alert = await ctx.store.getAlert(key);
    if (alert && alert.status !== 'resolved') {
      const { alert: next, changed } = await commitAlert(
        ctx,
        key,
        (a) =>
          a.status === 'resolved' ? undefined : { type: 'resolve', actor: SCANNER, at: now, reason: 'events again' },
        alert,
      );
      if (changed) await announceChange(ctx, next, 'resolved');
    }
  }
  return silent;
}
