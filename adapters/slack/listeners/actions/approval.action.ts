import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { denyModal } from '../../blocks/request-modal.blocks';
import { refusalReply, requestStateReply } from '../../blocks/replies.blocks';
import { section } from '../../blocks/common.blocks';
import { Actions } from '../../ids';
import { actorOf, replyPrivately, type ListenerContext, type ReplyTarget } from '../context';
import { idFromButton, refreshHomeIfThere, refuseInvalidButton, replyTargetOf } from './interaction';

/**
 * Approve and Deny, on the approvals channel post, an approver's DM or the App Home. The actor is
 * the signed payload's user; the button only names the request. A refusal (not an approver, own
 * request) is shown to the clicker alone; the engine audits it.
 */
export function registerApprovalActions(app: App, ctx: ListenerContext): void {
  app.action<BlockAction<ButtonAction>>(Actions.approve, async ({ ack, body, action, respond }) => {
    await ack();
    const target = replyTargetOf(body, respond);
    const requestId = idFromButton(action.value);
    if (!requestId) return refuseInvalidButton(ctx, body, respond, Actions.approve);
    await ctx.afterAck(() => approve(ctx, body, requestId, target));
  });

  // Deny asks for a reason first: open the modal while the trigger_id is fresh.
  app.action<BlockAction<ButtonAction>>(Actions.deny, async ({ ack, body, action, respond }) => {
    await ack();
    const requestId = idFromButton(action.value);
    if (!requestId) return refuseInvalidButton(ctx, body, respond, Actions.deny);
    await ctx.api
      .call('views.open', { trigger_id: body.trigger_id, view: denyModal(requestId) })
      .catch((error: unknown) => {
        ctx.logger.warn({ err: error, requestId, actor: `slack:${body.user.id}` }, 'deny form not opened');
      });
  });
}

async function approve(ctx: ListenerContext, body: BlockAction, requestId: string, target: ReplyTarget): Promise<void> {
  try {
    const actor = await actorOf(ctx, body.user.id, body.team?.id);
    const result = await ctx.engine.approve({ requestId, actor });
    if (result.outcome === 'duplicate') {
      await replyPrivately(ctx, target, {
        text: 'You have already approved this request.',
        blocks: [
          section(
            `:information_source: You have already approved this request (${result.request.approvals.length} of ${result.request.approvalsRequired}).`,
          ),
        ],
      });
    } else if (result.outcome === 'already_decided') {
      await replyPrivately(ctx, target, requestStateReply(result.request));
    }
  } catch (error) {
    await replyPrivately(ctx, target, refusalReply(error));
  }
  await refreshHomeIfThere(ctx, body);
}
