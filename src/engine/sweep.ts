import { nextEscalationStep, systemActor, type AccessRequest, type Grant, type GrantId } from '../domain';
import { commitGrant, commitRequest } from './commit';
import { forEachLimit as forEachUntil } from './concurrency';
import type { EngineContext } from './deps';
import { deprovision } from './deprovision';
import { escalateDueRequests } from './escalate-requests';
import { activate, fulfil } from './fulfil-request';
import { sweepGrantActivity } from './grant-activity';
import { sweepSessionCuts } from './session-cut';
import { startScheduled } from './start-scheduled';

export interface SweepReport {
  timedOut: number;
  fulfilled: number;
  resumedProvisioning: number;
  resumedDeprovisioning: number;
  expired: number;
  armed: number;
  reminded: number;
  /** Pending requests whose approvers were reminded, and that escalated (a rule's `escalation`). */
  approversReminded: number;
  escalated: number;
  /** Activity lookups of ended grants stored (and posted) by this replica. */
  activitySummarised: number;
  /** Scheduled grants whose start was due (started here), and those armed for a start soon. */
  started: number;
  armedStarts: number;
  failures: number;
}

const PARALLEL = 16;

/** Like forEachLimit, but takes no new item once the engine is stopping (graceful shutdown). */
function forEachLimit<T>(
  ctx: EngineContext,
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<unknown[]> {
  return forEachUntil(items, limit, (item) => (ctx.lifecycle.stopping ? Promise.resolve() : fn(item)));
}

/** When a record last changed (its last audit event), to tell how long its work has waited. */
const lastChange = (r: Pick<Grant | AccessRequest, 'history' | 'createdAt'>): number =>
  r.history[r.history.length - 1]?.at ?? r.createdAt;

/**
 * The backstop (design §6): one pass over all open work in the store. It times out pending requests,
 * fulfils approved ones, drives grants left in provisioning or deprovisioning (after a crash) to a
 * final state, revokes active grants past expiry, arms timers for those expiring soon, and sends
 * reminders. Safe on several replicas at once: every step is a conditional write or holds a lease.
 *
 * With several replicas, each acts on its own share (issue 13, `ctx.ownership`): the items it owns,
 * and the others' once they have waited a grace period per rank (`shouldAct`), so that a departed
 * or mistaken owner costs speed, never the work.
 */
export async function sweep(ctx: EngineContext): Promise<SweepReport> {
  await ctx.ownership.ensureFresh();
  const now = ctx.clock.now();
  const own = ctx.ownership;
  const failures: unknown[] = [];
  const report: SweepReport = {
    timedOut: 0,
    fulfilled: 0,
    resumedProvisioning: 0,
    resumedDeprovisioning: 0,
    expired: 0,
    armed: 0,
    reminded: 0,
    approversReminded: 0,
    escalated: 0,
    activitySummarised: 0,
    started: 0,
    armedStarts: 0,
    failures: 0,
  };

  // One read of the pending requests serves the timeouts and the reminder/escalation steps below.
  const pending = await ctx.store.listRequests({ status: 'pending' });
  const overdue = pending.filter((r) => r.decideBy <= now && own.shouldAct(r.id, now - r.decideBy));
  failures.push(
    ...(await forEachLimit(ctx, overdue, PARALLEL, async (r) => {
      const { request, changed } = await commitRequest(ctx, r.id, (cur) =>
        cur.status === 'pending' && cur.decideBy <= ctx.clock.now()
          ? { type: 'timeout', actor: systemActor('approval-timeout'), at: ctx.clock.now() }
          : undefined,
      );
      if (changed) {
        report.timedOut++;
        await ctx.publish({ type: 'request_updated', request, actor: systemActor('approval-timeout') });
      }
    })),
  );

  // Reminders and escalations of pending requests nobody answered: one conditional write per step.
  // Ownership as for every timed step: the owner acts when the step is due, the others only once
  // it is overdue by their grace; the conditional write keeps each step to one replica either way.
  const stillPending = pending.filter((r) => {
    const step = nextEscalationStep(r);
    return step !== undefined && step.at <= now && own.shouldAct(r.id, now - step.at);
  });
  const steps = await escalateDueRequests(ctx, stillPending, (items, fn) => forEachLimit(ctx, items, PARALLEL, fn));
  report.approversReminded = steps.reminded;
  report.escalated = steps.escalated;
  failures.push(...steps.failures);

  const approved = (await ctx.store.listRequests({ status: 'approved' })).filter((r) =>
    own.shouldAct(r.id, now - lastChange(r)),
  );
  failures.push(...(await forEachLimit(ctx, approved, PARALLEL, async (r) => (report.fulfilled++, fulfil(ctx, r.id)))));

  // A grant in provisioning or deprovisioning is being worked on under a lease: its owner resumes it
  // at any time, the other replicas only once a whole lease period has passed on top of their grace
  // (a departed owner's share moves to the next owner at once, and its leases are void: that does
  // not wait on this).
  const inProgress = (g: Grant) => own.shouldAct(g.id, now - lastChange(g) - ctx.options.leaseMs);
  const provisioning = (await ctx.store.listGrants({ status: 'provisioning' })).filter(inProgress);
  failures.push(
    ...(await forEachLimit(
      ctx,
      provisioning,
      PARALLEL,
      async (g) => (report.resumedProvisioning++, activate(ctx, g.id)),
    )),
  );

  const deprovisioning = (await ctx.store.listGrants({ status: 'deprovisioning' })).filter(inProgress);
  failures.push(
    ...(await forEachLimit(
      ctx,
      deprovisioning,
      PARALLEL,
      async (g) => (report.resumedDeprovisioning++, deprovision(ctx, g.id)),
    )),
  );

  const reminderBefore = ctx.policy().reminderBeforeSeconds * 1000;
  // The whole horizon only now and then (timers are armed well ahead of it); otherwise only what is due.
  const scanned = ctx.sweepState.horizonScannedAt;
  const wholeHorizon = scanned === undefined || now - scanned >= ctx.options.horizonScanEveryMs;

  // Access that starts later: timers for this replica's starts within the horizon, and every start
  // that is due and that a timer missed (a restart, a departed owner after its grace). Never early:
  // only grants whose start has come, and the grant machine refuses `start_reached` before it.
  const starts = await ctx.store.listGrants({
    status: 'scheduled',
    startsBefore: wholeHorizon ? now + ctx.options.timerHorizonMs : now,
  });
  const dueStarts = starts.filter(
    (g) => g.startsAt !== undefined && g.startsAt <= now && own.shouldAct(g.id, now - g.startsAt),
  );
  for (const g of starts) {
    if ((g.startsAt ?? 0) <= now || !own.owns(g.id)) continue;
    ctx.scheduler.track(g);
    report.armedStarts++;
  }
  failures.push(
    ...(await forEachLimit(
      ctx,
      dueStarts,
      PARALLEL,
      async (g) => (report.started++, startScheduled(ctx, g.id as GrantId, g)),
    )),
  );
  const soon = await ctx.store.listGrants({
    status: 'active',
    expiresBefore: wholeHorizon ? now + Math.max(ctx.options.timerHorizonMs, reminderBefore) : now,
  });
  if (wholeHorizon) ctx.sweepState.horizonScannedAt = now;
  const due = soon.filter((g) => (g.expiresAt ?? 0) <= now && own.shouldAct(g.id, now - (g.expiresAt ?? 0)));
  for (const g of soon) {
    if ((g.expiresAt ?? 0) <= now || !own.owns(g.id)) continue;
    ctx.scheduler.track(g);
    report.armed++;
  }
  failures.push(
    ...(await forEachLimit(
      ctx,
      due,
      PARALLEL,
      async (g) => (report.expired++, deprovision(ctx, g.id as GrantId, { known: g })),
    )),
  );

  // A reminder is worth sending only for a grant that lasts well beyond the reminder's lead time.
  const toRemind = soon.filter(
    (g) =>
      !g.remindedAt &&
      own.shouldAct(g.id, now - ((g.expiresAt ?? 0) - reminderBefore)) &&
      (g.expiresAt ?? 0) > now &&
      (g.expiresAt ?? 0) <= now + reminderBefore &&
      (g.expiresAt ?? 0) - (g.activatedAt ?? 0) > 2 * reminderBefore,
  );
  failures.push(
    ...(await forEachLimit(ctx, toRemind, PARALLEL, async (g) => {
      const { grant, changed } = await commitGrant(ctx, g.id, (cur) =>
        cur.status === 'active' && !cur.remindedAt
          ? { type: 'reminded', actor: systemActor('reminder'), at: ctx.clock.now() }
          : undefined,
      );
      if (changed) {
        report.reminded++;
        await ctx.publish({ type: 'grant_expiring', grant });
      }
    })),
  );

  // Cuts recorded but not yet in force (a writer crashed, AWS refused), and those past retention.
  await sweepSessionCuts(ctx).catch((error: unknown) => failures.push(error));

  // What ended grants did (CloudTrail): the early and the final lookups that are due.
  const activity = await sweepGrantActivity(ctx, (items, limit, fn) => forEachLimit(ctx, items, limit, fn)).catch(
    (error: unknown) => ({ summarised: 0, failures: [error] }),
  );
  report.activitySummarised = activity.summarised;
  failures.push(...activity.failures);

  report.failures = failures.length;
  for (const error of failures) ctx.logger.error({ err: error }, 'sweep step failed; the next sweep retries');
  return report;
}
