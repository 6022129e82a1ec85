import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { grantAcceptsActions, grantEndedError } from '../../../../src';
import { extendModal, requestModal } from '../../blocks/request-modal.blocks';
import { grantEndingReply, refusalReply, requestStateReply } from '../../blocks/replies.blocks';
import { Actions } from '../../ids';
import { escapeText } from '../../escape';
import { section } from '../../blocks/common.blocks';
import { actorOf, replyPrivately, type ListenerContext } from '../context';
import { idFromButton, refreshHomeIfThere, refuseInvalidButton, replyTargetOf } from './interaction';

/** Revoke / End now, Extend…, Cancel request, and the Home's Request access button. */
export function registerGrantActions(app: App, ctx: ListenerContext): void {
  app.action<BlockAction<ButtonAction>>(Actions.revoke, async ({ ack, body, action, respond }) => {
    await ack();
    const target = replyTargetOf(body, respond);
    const grantId = idFromButton(action.value);
    if (!grantId) return refuseInvalidButton(ctx, body, respond, Actions.revoke);
    await ctx.afterAck(async () => {
      try {
        const actor = await actorOf(ctx, body.user.id, body.team?.id);
        const result = await ctx.engine.revoke({ grantId, actor });
        await replyPrivately(ctx, target, grantEndingReply(result, actor.timeZone));
      } catch (error) {
        await replyPrivately(ctx, target, refusalReply(error));
      }
      await refreshHomeIfThere(ctx, body);
    });
  });

  // End all now on a multi-account request: every live grant of it.
  app.action<BlockAction<ButtonAction>>(Actions.revokeBundle, async ({ ack, body, action, respond }) => {
    await ack();
    const target = replyTargetOf(body, respond);
    const requestId = idFromButton(action.value);
    if (!requestId) return refuseInvalidButton(ctx, body, respond, Actions.revokeBundle);
    await ctx.afterAck(async () => {
      try {
        const actor = await actorOf(ctx, body.user.id, body.team?.id);
        const result = await ctx.engine.revokeBundle({ requestId, actor });
        const ending = result.results.filter((r) => r.outcome === 'revoking').map((r) => r.accountName);
        const text =
          ending.length > 0
            ? `Ending your access to ${ending.join(', ')} now.`
            : 'None of these accesses is live any more: nothing to end.';
        await replyPrivately(ctx, target, { text, blocks: [section(`:white_circle: ${escapeText(text)}`)] });
      } catch (error) {
        await replyPrivately(ctx, target, refusalReply(error));
      }
      await refreshHomeIfThere(ctx, body);
    });
  });

  app.action<BlockAction<ButtonAction>>(Actions.cancel, async ({ ack, body, action, respond }) => {
    await ack();
    const target = replyTargetOf(body, respond);
    const requestId = idFromButton(action.value);
    if (!requestId) return refuseInvalidButton(ctx, body, respond, Actions.cancel);
    await ctx.afterAck(async () => {
      try {
        const actor = await actorOf(ctx, body.user.id, body.team?.id);
        const result = await ctx.engine.cancel({ requestId, actor });
        if (result.outcome === 'already_decided') await replyPrivately(ctx, target, requestStateReply(result.request));
      } catch (error) {
        await replyPrivately(ctx, target, refusalReply(error));
      }
      await refreshHomeIfThere(ctx, body);
    });
  });

  app.action<BlockAction<ButtonAction>>(Actions.extend, async ({ ack, body, action, respond }) => {
    await ack();
    const grantId = idFromButton(action.value);
    if (!grantId) return refuseInvalidButton(ctx, body, respond, Actions.extend);
    // A stale Extend (the grant ended since the message was drawn) gets the grant's real state, no form.
    const grant = await ctx.engine.getGrant(grantId).catch(() => undefined);
    if (grant && !grantAcceptsActions(grant)) {
      const target = replyTargetOf(body, respond);
      await ctx.afterAck(async () => {
        const actor = await actorOf(ctx, body.user.id, body.team?.id).catch(() => undefined);
        await replyPrivately(ctx, target, refusalReply(grantEndedError(grant, actor?.timeZone)));
        await refreshHomeIfThere(ctx, body);
      });
      return;
    }
    await ctx.api
      .call('views.open', { trigger_id: body.trigger_id, view: extendModal(grantId) })
      .catch((error: unknown) => {
        ctx.logger.warn({ err: error, grantId, actor: `slack:${body.user.id}` }, 'extend form not opened');
      });
  });

  app.action<BlockAction<ButtonAction>>(Actions.openRequestModal, async ({ ack, body }) => {
    await ack();
    await ctx.api.call('views.open', { trigger_id: body.trigger_id, view: requestModal() }).catch((error: unknown) => {
      ctx.logger.warn({ err: error, actor: `slack:${body.user.id}` }, 'request form not opened');
    });
  });
}
