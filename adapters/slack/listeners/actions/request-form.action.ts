import type { App, BlockAction, ExternalSelectAction, RadioButtonsAction } from '@slack/bolt';
import { isKeylessError } from '../../../../src';
import { requestModal } from '../../blocks/request-modal.blocks';
import { Actions } from '../../ids';
import { actorOf, type ListenerContext } from '../context';

/**
 * The account of the request form changed: show the permission sets the rules allow there, and the
 * longest duration of each. views.update carries the view's hash, so a stale update is refused
 * by Slack rather than overwriting a newer form.
 */
export function registerRequestFormActions(app: App, ctx: ListenerContext): void {
  app.action<BlockAction<ExternalSelectAction>>(Actions.accountSelect, async ({ ack, body, action }) => {
    await ack();
    const view = body.view;
    const accountId = action.selected_option?.value;
    if (!view || !accountId) return;
    let next;
    try {
      const actor = await actorOf(ctx, body.user.id, body.team?.id);
      const { account, options } = await ctx.engine.requestOptions({ user: actor, account: accountId });
      next = requestModal({ account, options, ...(actor.timeZone ? { zone: actor.timeZone } : {}) });
    } catch (error) {
      next = requestModal({
        account: { id: accountId, name: action.selected_option?.text.text ?? accountId },
        problem: isKeylessError(error) ? error.toUserText() : 'I could not load what you may request here; try again.',
      });
    }
    await ctx.api.call('views.update', { view_id: view.id, hash: view.hash, view: next }).catch((error: unknown) => {
      ctx.logger.warn({ err: error, actor: `slack:${body.user.id}` }, 'request form not updated');
    });
  });

  /**
   * "An AWS account" / "A group" changed: the account form (with the person's zone for the start
   * picker), or the group form with the groups the policy lets this person ask to join.
   */
  app.action<BlockAction<RadioButtonsAction>>(Actions.targetSelect, async ({ ack, body, action }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const target = action.selected_option?.value === 'group' ? 'group' : 'account';
    let next;
    try {
      const actor = await actorOf(ctx, body.user.id, body.team?.id);
      const zone = actor.timeZone ? { zone: actor.timeZone } : {};
      next =
        target === 'group'
          ? requestModal({ target, ...zone, groups: (await ctx.engine.requestGroupOptions({ user: actor })).groups })
          : requestModal({ target, ...zone });
    } catch (error) {
      next = requestModal({
        target,
        problem: isKeylessError(error) ? error.toUserText() : 'I could not load what you may request; try again.',
      });
    }
    await ctx.api.call('views.update', { view_id: view.id, hash: view.hash, view: next }).catch((error: unknown) => {
      ctx.logger.warn({ err: error, actor: `slack:${body.user.id}` }, 'request form not updated');
    });
  });
}
