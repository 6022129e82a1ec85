import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { denyModal } from '../../blocks/request-modal.blocks';
import { denyBundleModal } from '../../blocks/bundle.blocks';
import { refusalReply, requestStateReply } from '../../blocks/replies.blocks';
import { section } from '../../blocks/common.blocks';
import { Actions } from '../../ids';
import { escapeText } from '../../escape';
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

  // A multi-account request: one click approves every account waiting that the clicker may approve.
  app.action<BlockAction<ButtonAction>>(Actions.approveBundle, async ({ ack, body, action, respond }) => {
    await ack();
    const target = replyTargetOf(body, respond);
    const requestId = idFromButton(action.value);
    if (!requestId) return refuseInvalidButton(ctx, body, respond, Actions.approveBundle);
    await ctx.afterAck(async () => {
      try {
        const actor = await actorOf(ctx, body.user.id, body.team?.id);
        const result = await ctx.engine.approveBundle({ requestId, actor });
        const done = result.results.filter((r) => r.outcome === 'approved' || r.outcome === 'recorded');
        const skipped = result.results.filter((r) => r.error !== undefined);
        const already = result.results.filter((r) => r.outcome === 'duplicate');
        const lines = [
          done.length > 0 ? `Your approval counts for ${done.map((r) => r.accountName).join(', ')}.` : '',
          already.length > 0 ? `You had already approved ${already.map((r) => r.accountName).join(', ')}.` : '',
          skipped.length > 0
            ? `You may not approve ${skipped.map((r) => r.accountName).join(', ')} (another rule's approvers must).`
            : '',
          result.results.length === 0 ? 'Every account of this request is already decided.' : '',
        ].filter(Boolean);
        const text = lines.join(' ');
        await replyPrivately(ctx, target, { text, blocks: [section(`:information_source: ${escapeText(text)}`)] });
      } catch (error) {
        await replyPrivately(ctx, target, refusalReply(error));
      }
      await refreshHomeIfThere(ctx, body);
    });
  });

  app.action<BlockAction<ButtonAction>>(Actions.denyBundle, async ({ ack, body, action, respond }) => {
    await ack();
    const requestId = idFromButton(action.value);
    if (!requestId) return refuseInvalidButton(ctx, body, respond, Actions.denyBundle);
    await ctx.api
      .call('views.open', { trigger_id: body.trigger_id, view: denyBundleModal(requestId) })
      .catch((error: unknown) => {
        ctx.logger.warn({ err: error, requestId, actor: `slack:${body.user.id}` }, 'deny form not opened');
      });
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
