import type { App } from '@slack/bolt';
import { errorsAck, requestSentModal } from '../../blocks/request-modal.blocks';
import { Actions, Blocks, Views } from '../../ids';
import { actorOf, type ListenerContext } from '../context';
import { errorsFor, stateValue, stateValues } from './view-state';
import { bundleSentModal } from '../../blocks/bundle.blocks';

/**
 * The request form is submitted. Checks that need no engine (a missing field) and the engine's own
 * validation both come back inline (`response_action: errors`), so nothing is half-created; the
 * view id makes a double submit land on the same request. On success the form becomes a receipt.
 */
export function registerRequestView(app: App, ctx: ListenerContext): void {
  app.view(Views.request, async ({ ack, body, view }) => {
    const account = stateValue(view, Blocks.account, Actions.accountSelect);
    const permissionSet = stateValue(view, Blocks.permissionSet, Actions.permissionSetSelect);
    const duration = stateValue(view, Blocks.duration, Actions.durationInput);
    const reason = stateValue(view, Blocks.reason, Actions.reasonInput);
    const ticket = stateValue(view, Blocks.ticket, Actions.ticketInput);
    const more = stateValues(view, Blocks.moreAccounts, Actions.moreAccountsSelect);
    const present = new Set(Object.keys((view.state?.values ?? {}) as object));
    const missing: Record<string, string> = {};
    if (!account) missing[Blocks.account] = 'Pick an account.';
    if (account && !present.has(Blocks.permissionSet))
      missing[Blocks.account] = 'No permission set may be requested in this account; pick another.';
    else if (!permissionSet) missing[Blocks.permissionSet] = 'Pick a permission set.';
    if (!duration) missing[Blocks.duration] = 'Say how long, for example 2h.';
    if (!reason) missing[Blocks.reason] = 'Please give a reason.';
    if (Object.keys(missing).length) return ack(errorsAck(missing));

    try {
      const requester = await actorOf(ctx, body.user.id, body.team?.id);
      if (more.length > 0) {
        const bundle = await ctx.engine.requestBundle({
          requester,
          accounts: [account!, ...more],
          permissionSet: permissionSet!,
          duration: duration!,
          reason: reason!,
          ...(ticket ? { ticket } : {}),
          idempotencyKey: `slack:${body.team?.id ?? ''}:view:${view.id}`,
        });
        return ack({ response_action: 'update', view: bundleSentModal(bundle) });
      }
      const result = await ctx.engine.requestAccess({
        requester,
        account: account!,
        permissionSet: permissionSet!,
        duration: duration!,
        reason: reason!,
        ...(ticket ? { ticket } : {}),
        idempotencyKey: `slack:${body.team?.id ?? ''}:view:${view.id}`,
      });
      await ack({ response_action: 'update', view: requestSentModal(result.request) });
    } catch (error) {
      await ack(errorsAck(errorsFor(error, { has: (b) => present.has(b), fallback: Blocks.account })));
    }
  });
}
