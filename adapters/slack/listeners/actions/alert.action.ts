import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Alert, AlertEngine, ChatUser } from '../../../../src';
import { alertActionReply, rootWindowModal, snoozeModal } from '../../blocks/alert-modal.blocks';
import { refusalReply } from '../../blocks/replies.blocks';
import { AlertActions } from '../../alert-ids';
import { actorOf, alertsOf, replyPrivately, type ListenerContext } from '../context';
import { refuseInvalidButton, replyTargetOf } from './interaction';

/** An alert's dedupe key (or an account id) as a button carries it: printable, no spaces, bounded. */
export function alertKeyFromButton(value: string | undefined): string | undefined {
  return value && /^[\x21-\x7e]{1,512}$/.test(value) ? value : undefined;
}

type AlertCall = (alerts: AlertEngine, input: { dedupeKey: string; actor: ChatUser }) => Promise<Alert>;

/** Buttons that change the alert at once; the message itself is updated by the alert publisher. */
const DIRECT: [actionId: string, done: string, call: AlertCall][] = [
  [AlertActions.acknowledge, 'Acknowledged', (a, i) => a.acknowledge(i)],
  [AlertActions.deactivate, 'Deactivation requested', (a, i) => a.requestDeactivation(i)],
  [AlertActions.approveDeactivation, 'Deactivation approved', (a, i) => a.approveDeactivation(i)],
  [AlertActions.denyDeactivation, 'Deactivation denied', (a, i) => a.denyDeactivation(i)],
  [AlertActions.reactivate, 'Reactivated', (a, i) => a.reactivate(i)],
  [AlertActions.deleteKey, 'Deletion requested', (a, i) => a.requestDeletion(i)],
  [AlertActions.approveDeletion, 'Deletion approved: the old key is deleted', (a, i) => a.approveDeletion(i)],
  [AlertActions.denyDeletion, 'Deletion denied', (a, i) => a.denyDeletion(i)],
];

/**
 * The buttons of alerts and digests in the security channel. The actor is the signed payload's
 * user (email from users.info); the button names only the alert. A refusal (not a security
 * approver, own deactivation request) is shown to the clicker alone.
 */
export function registerAlertActions(app: App, ctx: ListenerContext): void {
  for (const [actionId, done, call] of DIRECT) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const dedupeKey = alertKeyFromButton(action.value);
      if (!dedupeKey) return refuseInvalidButton(ctx, body, respond, actionId);
      const target = replyTargetOf(body, respond);
      await ctx.afterAck(async () => {
        try {
          const actor = await actorOf(ctx, body.user.id, body.team?.id);
          const alert = await call(alertsOf(ctx), { dedupeKey, actor });
          await replyPrivately(ctx, target, alertActionReply(alert, done));
        } catch (error) {
          await replyPrivately(ctx, target, refusalReply(error));
        }
      });
    });
  }

  // Snooze and Announce ask first: open the form while the trigger_id is fresh (3 s).
  const opens: [actionId: string, view: (value: string) => ReturnType<typeof snoozeModal>][] = [
    [AlertActions.snooze7, (key) => snoozeModal(key, 7)],
    [AlertActions.snooze30, (key) => snoozeModal(key, 30)],
    [AlertActions.announceRoot, (accountId) => rootWindowModal(accountId)],
  ];
  for (const [actionId, view] of opens) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const value = alertKeyFromButton(action.value);
      if (!value) return refuseInvalidButton(ctx, body, respond, actionId);
      await ctx.api.call('views.open', { trigger_id: body.trigger_id, view: view(value) }).catch(async (error) => {
        ctx.logger.warn({ err: error, actor: `slack:${body.user.id}` }, 'alert form not opened');
        await replyPrivately(ctx, replyTargetOf(body, respond), refusalReply(error));
      });
    });
  }
}
