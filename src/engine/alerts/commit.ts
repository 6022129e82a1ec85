import {
  ErrorCodes,
  KeylessError,
  isKeylessError,
  transitionAlert,
  type Alert,
  type AlertTransition,
} from '../../domain';
import type { AlertEvent } from '../../ports';
import type { AlertContext } from './deps';

const MAX_ATTEMPTS = 8;

export async function loadAlert(ctx: AlertContext, dedupeKey: string): Promise<Alert> {
  const alert = await ctx.store.getAlert(dedupeKey);
  if (!alert) throw new KeylessError(ErrorCodes.AlertNotFound, 'This alert is no longer known to keyless.');
  return alert;
}

/**
 * Applies an event to the latest stored alert, retrying a lost race; `event` is re-derived from the
 * fresh record on each attempt. Returns the alert as stored and whether it changed.
 */
export async function commitAlert(
  ctx: AlertContext,
  dedupeKey: string,
  event: (current: Alert) => AlertTransition | undefined,
  known?: Alert,
): Promise<{ alert: Alert; changed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const current = attempt === 1 && known ? known : await loadAlert(ctx, dedupeKey);
    const e = event(current);
    const t = e && transitionAlert(current, e);
    if (!t) return { alert: current, changed: false };
    try {
      await ctx.store.saveAlert(t.next, current.version);
      return { alert: t.next, changed: true };
    } catch (error) {
      if (!isKeylessError(error, ErrorCodes.VersionConflict) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Publishes; a delivery problem is logged and counted, never thrown (alerts never wait on chat). */
export async function publish(ctx: AlertContext, event: AlertEvent) {
  try {
    return (await ctx.publisher.publishAlert(event)) ?? [];
  } catch (error) {
    ctx.stats.publishFailures++;
    ctx.logger.error({ err: error, event: event.type }, 'alert publication failed');
    return [];
  }
}

/** Tells the channels that an alert changed: its own messages, or the digest that lists it. */
export async function announceChange(ctx: AlertContext, alert: Alert, change: string): Promise<void> {
  if (alert.messages.length > 0) await publish(ctx, { type: 'alert_updated', alert, change });
  // The rotation assistant's one message follows every change of its alert (a step, Deactivate, Delete).
  if (alert.rotation && alert.rotation.messages.length > 0)
    await publish(ctx, { type: 'rotation_updated', alert, change });
  if (alert.digestId) {
    const digest = await ctx.store.getDigest(alert.digestId);
    if (!digest) return;
    const alerts = await Promise.all(
      digest.dedupeKeys.map((k) => (k === alert.dedupeKey ? alert : ctx.store.getAlert(k))),
    );
    await publish(ctx, {
      type: 'digest_updated',
      digest,
      alerts: alerts.filter((a): a is Alert => a !== undefined),
      change,
    });
  }
}
