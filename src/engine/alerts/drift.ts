import { DRIFT_FINDING_KINDS, driftFinding, systemActor, type AssignmentDrift, type DriftPerson } from '../../domain';
import { announceChange, commitAlert } from './commit';
import type { AlertContext } from './deps';
import { recordFinding } from './record-finding';

const RECONCILER = systemActor('reconciler');

export interface DriftReport {
  drifts: number;
  /** New facts: a drift not known before, or one that came back after it was resolved. */
  raised: number;
  /** Known facts seen again: counted on their message, never posted again. */
  repeated: number;
  /** Drifts no longer found: their alerts are resolved. */
  resolved: number;
}

/** Names for one reconcile run, each looked up once; a failed lookup leaves the name out (the id shows). */
function nameCache(ctx: AlertContext) {
  const people = new Map<string, Promise<DriftPerson | undefined>>();
  const sets = new Map<string, Promise<string | undefined>>();
  const safely = <T>(what: string, id: string, p: () => Promise<T>): Promise<T | undefined> =>
    p().catch((error: unknown) => {
      ctx.logger.warn(
        { err: error, code: 'NAME_LOOKUP_FAILED', what, id },
        'name lookup failed; the alert shows the id',
      );
      return undefined;
    });
  return {
    person(id: string) {
      if (!ctx.names) return Promise.resolve(undefined);
      const names = ctx.names;
      if (!people.has(id))
        people.set(
          id,
          safely('person', id, () => names.person(id)),
        );
      return people.get(id)!;
    },
    permissionSet(arn: string) {
      if (!ctx.names) return Promise.resolve(undefined);
      const names = ctx.names;
      if (!sets.has(arn))
        sets.set(
          arn,
          safely('permissionSet', arn, () => names.permissionSetName(arn)),
        );
      return sets.get(arn)!;
    },
  };
}

/**
 * The reconciler's answer, as findings of the security feed (one alert per fact, design §6):
 * a drift not seen before is posted once; the same drift on a later run updates "last seen" and
 * the count on that message; a drift the run no longer finds resolves its alert. `drifts` must be
 * a complete answer (the reconciler throws rather than answer in part).
 */
export async function recordDrifts(ctx: AlertContext, drifts: readonly AssignmentDrift[]): Promise<DriftReport> {
  await ctx.ensureAccounts();
  const names = nameCache(ctx);
  const report: DriftReport = { drifts: drifts.length, raised: 0, repeated: 0, resolved: 0 };
  const present = new Set<string>();
  for (const drift of drifts) {
    const a = drift.assignment;
    const [person, permissionSetName] = await Promise.all([
      names.person(a.principalId),
      drift.group ? Promise.resolve(undefined) : names.permissionSet(a.permissionSetArn),
    ]);
    const finding = driftFinding(drift, { accountName: ctx.accountName(a.accountId), person, permissionSetName });
    present.add(finding.dedupeKey);
    const outcome = await recordFinding(ctx, finding);
    if (outcome === 'raised') report.raised++;
    else if (outcome !== 'unchanged') report.repeated++;
  }
  const now = ctx.clock.now();
  for (const alert of await ctx.store.listLiveAlerts()) {
    if (!DRIFT_FINDING_KINDS.has(alert.finding.kind) || present.has(alert.dedupeKey)) continue;
    const { alert: next, changed } = await commitAlert(
      ctx,
      alert.dedupeKey,
      (cur) =>
        cur.status === 'resolved'
          ? undefined
          : { type: 'resolve', actor: RECONCILER, at: now, reason: 'the reconciler no longer finds this drift' },
      alert,
    );
    if (changed) {
      report.resolved++;
      ctx.stats.resolved++;
      await announceChange(ctx, next, 'resolved');
    }
  }
  if (report.raised + report.resolved > 0) ctx.logger.info({ ...report }, 'assignment drift recorded');
  return report;
}
