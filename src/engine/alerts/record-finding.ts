import {
  ErrorCodes,
  alertCreated,
  collapsesIntoOneMessage,
  isKeylessError,
  systemActor,
  type Alert,
  type Finding,
} from '../../domain';
import { announceChange, commitAlert, publish } from './commit';
import type { AlertContext } from './deps';

export type RecordOutcome = 'raised' | 'repeated' | 'updated' | 'unchanged';

const FEED = systemActor('security-feed');

/** Posts a new alert (or a new incident) and records where it went. */
async function post(ctx: AlertContext, alert: Alert, retry = false): Promise<Alert> {
  if (alert.finding.delivery !== 'immediate') return alert;
  const messages = await publish(ctx, { type: 'alert_raised', alert });
  if (!retry) ctx.stats.raised++;
  if (messages.length === 0) return alert;
  const { alert: next } = await commitAlert(ctx, alert.dedupeKey, () => ({
    type: 'posted',
    actor: FEED,
    at: ctx.clock.now(),
    messages,
  }));
  return next;
}

/**
 * One finding, from an event or a scan:
 * - a new dedupe key creates the alert and posts it (immediate) or leaves it for the digest;
 * - the same key while its incident is open is a repeat: a thread reply for root activity, a count
 *   on the same message for a burst of failed sign-ins, a quiet refresh for scan findings;
 * - a key that was resolved, or whose root incident ended, opens a new incident with a new message.
 */
export async function recordFinding(ctx: AlertContext, finding: Finding): Promise<RecordOutcome> {
  const now = ctx.clock.now();
  for (let attempt = 1; attempt <= 8; attempt++) {
    const current = await ctx.store.getAlert(finding.dedupeKey);
    if (!current) {
      const created = alertCreated(finding, FEED, now);
      try {
        await ctx.store.createAlert(created);
      } catch (error) {
        if (isKeylessError(error, ErrorCodes.VersionConflict)) continue; // another replica created it: repeat
        throw error;
      }
      await post(ctx, created);
      return 'raised';
    }
    return repeat(ctx, current, finding, now);
  }
  throw new Error(`could not record finding ${finding.dedupeKey}`);
}

async function repeat(ctx: AlertContext, current: Alert, finding: Finding, now: number): Promise<RecordOutcome> {
  const fromEvent = finding.source === 'cloudtrail' || finding.source === 'health';
  const incidentOver = fromEvent && now - current.lastSeenAt > ctx.options.incidentWindowMs;
  if (current.status === 'resolved' || incidentOver) {
    const { alert, changed } = await commitAlert(
      ctx,
      current.dedupeKey,
      (a) =>
        a.status === 'resolved' || (fromEvent && now - a.lastSeenAt > ctx.options.incidentWindowMs)
          ? { type: 'new_incident', actor: FEED, at: now, finding }
          : { type: 'seen', actor: FEED, at: now, finding },
      current,
    );
    if (!changed) return 'unchanged';
    if (alert.occurrences === 1) {
      await post(ctx, alert);
      return 'raised';
    }
    return 'repeated';
  }
  if (!fromEvent) {
    // Scan and reconcile findings repeat on every run: the same fact, so never a new post. The
    // repeat is counted and "last seen" moves on the message already posted (updated in place).
    // Scans may be re-run by hand: their sightings are written at most every `seenWriteEveryMs`.
    const severityChanged = current.finding.severity !== finding.severity;
    const throttled = finding.source === 'scan' && now - current.lastSeenAt < ctx.options.seenWriteEveryMs;
    if (!severityChanged && throttled) return 'unchanged';
    const { alert, changed } = await commitAlert(
      ctx,
      current.dedupeKey,
      (a) => (a.status === 'resolved' ? undefined : { type: 'seen', actor: FEED, at: now, finding }),
      current,
    );
    if (!changed) return 'unchanged';
    ctx.stats.repeated++;
    if (alert.finding.delivery === 'immediate' && alert.messages.length === 0) {
      // Its first post reached no channel (chat was down): the next sighting posts it, so that
      // nothing is lost. Only the scheduled duties come here, run by one leader at a time.
      await post(ctx, alert, true);
      return 'updated';
    }
    if (severityChanged) await announceChange(ctx, alert, 'severity');
    else await updateOwnMessages(ctx, alert, 'seen');
    return 'updated';
  }
  const collapse = collapsesIntoOneMessage(finding.kind);
  const { alert } = await commitAlert(
    ctx,
    current.dedupeKey,
    (a) => ({
      type: 'seen',
      actor: FEED,
      at: now,
      finding: collapse
        ? { ...finding, evidence: { ...finding.evidence, count: a.occurrences + 1 } }
        : { ...finding, ...(a.finding.expected && !finding.expected ? { expected: a.finding.expected } : {}) },
    }),
    current,
  );
  ctx.stats.repeated++;
  if (alert.finding.delivery !== 'immediate') return 'repeated';
  if (collapse) await announceChange(ctx, alert, 'count');
  else {
    // Each root event has its own evidence (time, IP, call): a line in the alert's thread; the
    // alert's own message shows the new count and "last seen".
    await publish(ctx, { type: 'alert_repeated', alert, finding: alert.finding });
    await updateOwnMessages(ctx, alert, 'seen');
  }
  return 'repeated';
}

/** Re-renders the alert's own messages (not the digest that lists it: a sighting is not news there). */
async function updateOwnMessages(ctx: AlertContext, alert: Alert, change: string): Promise<void> {
  if (alert.messages.length > 0) await publish(ctx, { type: 'alert_updated', alert, change });
}
