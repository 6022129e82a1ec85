import {
  isKeylessError,
  summariseActivity,
  systemActor,
  type ActivitySummary,
  type Grant,
  type TrailLookup,
} from '../domain';
import { commitGrant, withLease } from './commit';
import type { EngineContext } from './deps';

const ACTIVITY = systemActor('activity');

/** At most this many due lookups are read per sweep (the next sweep takes the rest). */
const DUE_PER_SWEEP = 100;

/** Whether this engine looks up what grants did (a CloudTrail source given, and not switched off). */
export function activityOn(ctx: EngineContext): boolean {
  return ctx.activity !== undefined && ctx.options.activity.enabled;
}

/** The `unassignment_confirmed` field that schedules a grant's first activity lookup (none when off). */
export function activityDue(ctx: EngineContext, endedAt: number): { activityDueAt?: number } {
  return activityOn(ctx) ? { activityDueAt: endedAt + ctx.options.activity.firstAfterMs } : {};
}

/** The window a grant's lookup covers: activation to end, widened by the margin (clock skew). */
export function activityWindow(ctx: EngineContext, grant: Grant): { from: number; to: number } {
  const margin = ctx.options.activity.marginMs;
  const start = grant.activatedAt ?? grant.createdAt;
  const end = grant.endedAt ?? ctx.clock.now();
  return { from: start - margin, to: end + margin };
}

/**
 * The activity lookups that are due (issue 18): for each ended grant whose next lookup is due, read
 * CloudTrail, store the summary with the grant, and tell people. A timed step like the others: the
 * owner acts when it is due, the others only once it is overdue by their grace; the grant's lease
 * keeps the lookup to one replica at a time, and the conditional write of `activity_summarised`
 * (a step stored once, in order) keeps the post to one replica even if two looked.
 */
export async function sweepGrantActivity(
  ctx: EngineContext,
  forEach: (items: readonly Grant[], limit: number, fn: (g: Grant) => Promise<unknown>) => Promise<unknown[]>,
): Promise<{ summarised: number; failures: unknown[] }> {
  if (!activityOn(ctx)) return { summarised: 0, failures: [] };
  const now = ctx.clock.now();
  const due = (await ctx.store.listGrantsActivityDue({ dueBefore: now, limit: DUE_PER_SWEEP })).filter((g) =>
    ctx.ownership.shouldAct(g.id, now - (g.activity?.dueAt ?? now)),
  );
  let summarised = 0;
  const failures = await forEach(due, ctx.options.activity.parallel, async (g) => {
    if (await summariseGrantActivity(ctx, g)) summarised++;
  });
  return { summarised, failures };
}

/**
 * One due lookup of one grant, under its lease. Returns whether this replica stored (and posted) it.
 * A lookup that fails is stored too, saying why (never silent); the final lookup tries again.
 */
export async function summariseGrantActivity(ctx: EngineContext, known: Grant): Promise<boolean> {
  const stored = await withLease(ctx, known.id, async () => {
    const grant = await ctx.store.getGrant(known.id);
    const dueAt = grant?.activity?.dueAt;
    if (!grant || !grant.activity || dueAt === undefined || dueAt > ctx.clock.now()) return false;
    const step = (grant.activity.step + 1) as 1 | 2;
    const endedAt = grant.endedAt ?? dueAt;
    const finalAt = endedAt + ctx.options.activity.finalAfterMs;
    const window = activityWindow(ctx, grant);
    const lookup = await lookUp(ctx, grant, window);
    const at = ctx.clock.now();
    // After an outage the early lookup may run when the final one is due: then it is the final one.
    const final = step === 2 || at >= finalAt;
    const summary: ActivitySummary = summariseActivity({
      lookup,
      accountId: grant.accountId,
      username: grant.principalName,
      ...window,
      fetchedAt: at,
      final,
    });
    const { grant: next, changed } = await commitGrant(
      ctx,
      grant.id,
      (cur) =>
        cur.activity?.step === step - 1 && cur.activity.dueAt !== undefined
          ? {
              type: 'activity_summarised',
              actor: ACTIVITY,
              at,
              step,
              summary,
              ...(final ? {} : { nextDueAt: finalAt }),
            }
          : undefined,
      grant,
    );
    if (!changed) return false;
    ctx.logger.info(
      {
        grantId: grant.id,
        accountId: grant.accountId,
        calls: summary.calls,
        writes: summary.writes,
        errors: summary.errors,
        code: final ? 'final' : 'early',
      },
      'grant activity summarised',
    );
    const news = step === 1 || activityChanged(grant.activity.summary, summary);
    await ctx.publish({ type: 'grant_activity', grant: next, summary, first: step === 1, changed: news });
    return true;
  });
  return stored === true;
}

/** Whether a later lookup tells people something the earlier one did not. */
export function activityChanged(before: ActivitySummary | undefined, after: ActivitySummary): boolean {
  if (!before) return true;
  const key = (s: ActivitySummary) =>
    JSON.stringify([
      s.calls,
      s.writes,
      s.errors,
      s.accessDenied,
      s.truncated,
      s.writeActions.map((g) => [g.action, g.count, g.failed]),
      s.unavailable.map((u) => u.region),
    ]);
  return key(before) !== key(after);
}

async function lookUp(ctx: EngineContext, grant: Grant, window: { from: number; to: number }): Promise<TrailLookup> {
  try {
    return await ctx.activity!.lookup({
      accountId: grant.accountId,
      username: grant.principalName,
      roleNamePrefix: `AWSReservedSSO_${grant.permissionSetName}_`,
      ...window,
      maxEvents: ctx.options.activity.maxEvents,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.warn(
      { grantId: grant.id, accountId: grant.accountId, code: isKeylessError(error) ? error.code : 'UNKNOWN' },
      'CloudTrail activity could not be read',
    );
    return { events: [], regions: [], truncated: false, unavailable: [{ region: '*', message }] };
  }
}
