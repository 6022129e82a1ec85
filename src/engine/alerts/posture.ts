import {
  DAY_MS,
  ErrorCodes,
  KeylessError,
  accountPosture,
  isKeylessError,
  isoWeekOf,
  matchesPeople,
  parseCredentialReport,
  postureReport,
  snapshotOf,
  type AccountPosture,
  type ChatUser,
  type PostureReport,
  type PostureSnapshot,
} from '../../domain';
import { resolveChatUser } from '../identity';
import { forEachLimit } from '../concurrency';
import type { AlertContext } from './deps';
import { requireScanner, userKindsOf } from './scan';

/** Root use is counted over the last 7 days: the weekly post's period. */
export const POSTURE_PERIOD_MS = 7 * DAY_MS;

/**
 * Every account's IAM posture now, read from its credential report and account summary (the same
 * reads as the key scan, no live key lookups), with last week's snapshot to compare with.
 * An account that cannot be read is listed as unread, never counted as clean.
 */
export async function readPosture(ctx: AlertContext): Promise<PostureReport> {
  const scanner = requireScanner(ctx);
  const now = ctx.clock.now();
  const periodStart = now - POSTURE_PERIOD_MS;
  const accounts = await ctx.refreshAccounts();
  const read: AccountPosture[] = [];
  const unread: PostureReport['unread'] = [];
  await forEachLimit(accounts, ctx.options.scanConcurrency, async (account) => {
    try {
      const snapshot = await scanner.readAccount(account.id);
      const rows = parseCredentialReport(snapshot.reportCsv);
      read.push(
        accountPosture(rows, {
          account,
          now,
          periodStart,
          reportGeneratedAt: snapshot.reportGeneratedAt,
          summary: snapshot.summary,
          userKind: await userKindsOf(ctx, account, rows),
        }),
      );
    } catch (error) {
      const code = isKeylessError(error) ? error.code : 'UNAVAILABLE';
      ctx.logger.warn({ accountId: account.id, code, err: error }, 'account posture not read');
      unread.push({ accountId: account.id, accountName: account.name, reason: code });
    }
  });
  const previous = await ctx.store.getPostureSnapshot(isoWeekOf(now - 7 * DAY_MS));
  return postureReport({
    generatedAt: now,
    periodStart,
    accounts: read,
    unread,
    ...(previous
      ? {
          previous: {
            week: previous.week,
            takenAt: previous.takenAt,
            totals: previous.totals,
            accounts: previous.accounts,
          },
        }
      : {}),
  });
}

/** `/aws-access posture`: the security group only (the security approvers; default the policy's admins). */
export async function postureFor(ctx: AlertContext, actor: ChatUser): Promise<PostureReport> {
  const principal = await resolveChatUser(
    ctx.directory,
    actor,
    `I could not read a verified email for you on ${actor.platform}, so I cannot tell who you are.`,
  );
  if (!matchesPeople(ctx.options.securityApprovers ?? ctx.policy().admins, principal)) {
    throw new KeylessError(
      ErrorCodes.NotEligibleApprover,
      'The IAM posture is shown to the security team only (the security approvers of the policy).',
    );
  }
  return readPosture(ctx);
}

/**
 * The weekly post: once per ISO week across replicas. The week's snapshot is created first with a
 * conditional write; a replica that finds it taken does not post (another one did, or is doing it).
 * The snapshot is what next week's post compares with.
 */
export async function postWeeklyPosture(
  ctx: AlertContext,
): Promise<{ week: string; report: PostureReport; snapshot: PostureSnapshot } | undefined> {
  const week = isoWeekOf(ctx.clock.now());
  if (await ctx.store.getPostureSnapshot(week)) return undefined;
  const report = await readPosture(ctx);
  const draft = snapshotOf(report, week);
  try {
    await ctx.store.savePostureSnapshot(draft, 0);
  } catch (error) {
    if (isKeylessError(error) && error.code === ErrorCodes.VersionConflict) return undefined;
    throw error;
  }
  const messages = (await ctx.publisher.publishAlert({ type: 'posture_posted', report, week })) ?? [];
  const snapshot: PostureSnapshot = { ...draft, version: 2, messages };
  await ctx.store.savePostureSnapshot(snapshot, 1);
  ctx.logger.info(
    { week, accounts: report.accounts.length, unread: report.unread.length, messages: messages.length },
    'weekly posture posted',
  );
  return { week, report, snapshot };
}
