import type { App } from '@slack/bolt';
import { ErrorCodes, isKeylessError } from '../../../../src';
import { errorsAck } from '../../blocks/request-modal.blocks';
import { AlertActions, AlertBlocks, AlertViews } from '../../alert-ids';
import { actorOf, alertsOf, type ListenerContext } from '../context';
import { alertKeyFromButton } from '../actions/alert.action';
import { stateValue } from './view-state';

function metadata(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const problemOf = (error: unknown) =>
  (error instanceof Error ? error.message : 'Something went wrong on my side.').replace(/\n/g, ' ').slice(0, 150);

/** The Snooze and Announce-root-use forms. A refusal is shown in the form, under its field. */
export function registerAlertViews(app: App, ctx: ListenerContext): void {
  app.view(AlertViews.snooze, async ({ ack, body, view }) => {
    const meta = metadata(view.private_metadata);
    const dedupeKey = alertKeyFromButton(typeof meta.dedupeKey === 'string' ? meta.dedupeKey : undefined);
    const days = typeof meta.days === 'number' ? meta.days : NaN;
    const reason = stateValue(view, AlertBlocks.snoozeReason, AlertActions.snoozeReasonInput);
    if (!dedupeKey) return ack(errorsAck({ [AlertBlocks.snoozeReason]: 'This form is no longer valid.' }));
    if (!reason || reason.length < 3) return ack(errorsAck({ [AlertBlocks.snoozeReason]: 'Say why, in a few words.' }));
    try {
      const actor = await actorOf(ctx, body.user.id, body.team?.id);
      await alertsOf(ctx).snooze({ dedupeKey, actor, days, reason });
      await ack();
    } catch (error) {
      await ack(errorsAck({ [AlertBlocks.snoozeReason]: problemOf(error) }));
    }
  });

  app.view(AlertViews.rootWindow, async ({ ack, body, view }) => {
    const meta = metadata(view.private_metadata);
    const account = typeof meta.accountId === 'string' ? meta.accountId : undefined;
    const duration = stateValue(view, AlertBlocks.rootDuration, AlertActions.rootDurationInput);
    const reason = stateValue(view, AlertBlocks.rootReason, AlertActions.rootReasonInput);
    if (!account) return ack(errorsAck({ [AlertBlocks.rootReason]: 'This form is no longer valid.' }));
    if (!duration) return ack(errorsAck({ [AlertBlocks.rootDuration]: 'For how long? For example 1h.' }));
    if (!reason) return ack(errorsAck({ [AlertBlocks.rootReason]: 'Say why root will be used.' }));
    try {
      const actor = await actorOf(ctx, body.user.id, body.team?.id);
      await alertsOf(ctx).announceRootWindow({ actor, account, duration, reason });
      await ack();
    } catch (error) {
      const aboutDuration =
        isKeylessError(error, ErrorCodes.InvalidDuration) || isKeylessError(error, ErrorCodes.DurationTooLong);
      const field = aboutDuration ? AlertBlocks.rootDuration : AlertBlocks.rootReason;
      await ack(errorsAck({ [field]: problemOf(error) }));
    }
  });
}
