import { classifySecurityEvent, parseSecurityEvent, securityEventRegion, type SecurityEvent } from '../../domain';
import type { AlertContext } from './deps';
import { recordFinding, type RecordOutcome } from './record-finding';

export type IngestOutcome =
  | { outcome: 'malformed'; problems: string[] }
  | { outcome: 'duplicate'; eventId: string }
  | { outcome: 'ignored'; eventId: string; reason: string }
  | { outcome: 'heartbeat'; eventId: string }
  | { outcome: 'recorded'; eventId: string; results: { dedupeKey: string; result: RecordOutcome }[] };

async function touchRegion(ctx: AlertContext, region: string, at: number): Promise<void> {
  const last = ctx.regionWrites.get(region);
  if (last !== undefined && at - last < ctx.options.regionWriteEveryMs) return;
  ctx.regionWrites.set(region, at);
  await ctx.store.recordRegionSeen(region, at).catch((error: unknown) => {
    ctx.logger.warn({ err: error, region }, 'could not record region liveness');
  });
}

function accountsOf(event: SecurityEvent): string[] {
  const ids = new Set([event.account]);
  if ('detail' in event && event.detail && typeof event.detail === 'object' && 'recipientAccountId' in event.detail) {
    const r = event.detail.recipientAccountId;
    if (typeof r === 'string' && /^\d{12}$/.test(r)) ids.add(r);
  }
  return [...ids];
}

/**
 * One raw event from the queue or the HTTPS endpoint: validated (a malformed one is logged and
 * counted, never thrown), deduped by event id with a conditional write, classified, recorded.
 * A failure after the claim releases it, so that the queue's redelivery is processed again.
 */
export async function ingestEvent(ctx: AlertContext, raw: unknown): Promise<IngestOutcome> {
  ctx.stats.received++;
  const parsed = parseSecurityEvent(raw);
  if (!parsed.ok) {
    ctx.stats.malformed++;
    ctx.logger.warn({ code: 'MALFORMED_EVENT', problems: parsed.problems.slice(0, 5) }, 'malformed security event');
    return { outcome: 'malformed', problems: parsed.problems };
  }
  const event = parsed.event;
  await ctx.ensureAccounts();
  const now = ctx.clock.now();
  await touchRegion(ctx, securityEventRegion(event), now);
  const windows = (
    await Promise.all(accountsOf(event).map((id) => ctx.store.listRootWindows(id, now - 86_400_000)))
  ).flat();
  const c = classifySecurityEvent(event, { now, accountName: (id) => ctx.accountName(id), windows });
  if (c.outcome === 'heartbeat') {
    ctx.stats.heartbeats++;
    return { outcome: 'heartbeat', eventId: c.eventId };
  }
  if (!(await ctx.store.claimEvent(c.eventId, now, ctx.options.eventDedupeTtlSeconds))) {
    ctx.stats.duplicates++;
    return { outcome: 'duplicate', eventId: c.eventId };
  }
  if (c.outcome === 'ignored') {
    ctx.stats.ignored++;
    ctx.logger.debug({ eventId: c.eventId, reason: c.reason }, 'security event ignored');
    return { outcome: 'ignored', eventId: c.eventId, reason: c.reason };
  }
  try {
    const results = [];
    for (const finding of c.findings) {
      results.push({ dedupeKey: finding.dedupeKey, result: await recordFinding(ctx, finding) });
      ctx.logger.info(
        { accountId: finding.account.id, kind: finding.kind, severity: finding.severity, eventId: c.eventId },
        'security finding recorded',
      );
    }
    return { outcome: 'recorded', eventId: c.eventId, results };
  } catch (error) {
    await ctx.store.releaseEvent(c.eventId).catch(() => undefined);
    throw error;
  }
}
