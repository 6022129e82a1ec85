import { systemActor, utcDay, type Alert, type AlertDigest } from '../../domain';
import { commitAlert, publish } from './commit';
import type { AlertContext } from './deps';

const DIGEST = systemActor('digest');

/** Digest-class alerts not yet listed in a digest, and still worth reading. */
export async function pendingDigestAlerts(ctx: AlertContext): Promise<Alert[]> {
  return (await ctx.store.listLiveAlerts()).filter(
    (a) => a.finding.delivery === 'digest' && a.digestId === undefined && a.status !== 'snoozed',
  );
}

/**
 * The daily digest: every digest-class alert first seen since the previous digest, in one message
 * per security channel. An alert is listed once; later changes update the digest in place.
 */
export async function postDigest(ctx: AlertContext): Promise<AlertDigest | undefined> {
  const alerts = await pendingDigestAlerts(ctx);
  if (alerts.length === 0) return undefined;
  const now = ctx.clock.now();
  alerts.sort(
    (a, b) =>
      a.finding.account.id.localeCompare(b.finding.account.id) ||
      a.finding.kind.localeCompare(b.finding.kind) ||
      a.dedupeKey.localeCompare(b.dedupeKey),
  );
  const draft: AlertDigest = {
    id: `${utcDay(now)}-${now}`,
    date: utcDay(now),
    version: 1,
    createdAt: now,
    dedupeKeys: alerts.map((a) => a.dedupeKey),
    messages: [],
  };
  await ctx.store.saveDigest(draft, 0);
  const listed: Alert[] = [];
  for (const a of alerts) {
    const { alert } = await commitAlert(
      ctx,
      a.dedupeKey,
      (cur) =>
        cur.digestId ? undefined : { type: 'posted', actor: DIGEST, at: now, messages: [], digestId: draft.id },
      a,
    );
    listed.push(alert);
  }
  const messages = await publish(ctx, { type: 'digest_posted', digest: draft, alerts: listed });
  const digest = { ...draft, version: 2, messages };
  await ctx.store.saveDigest(digest, 1);
  ctx.logger.info({ digestId: digest.id, alerts: listed.length }, 'digest posted');
  return digest;
}
