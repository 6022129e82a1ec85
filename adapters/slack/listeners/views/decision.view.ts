import type { App } from '@slack/bolt';
import { errorsAck, requestSentModal } from '../../blocks/request-modal.blocks';
import { requestStatusLine } from '../../blocks/common.blocks';
import { Actions, Blocks, Views } from '../../ids';
import { actorOf, type ListenerContext } from '../context';
import { idFromButton } from '../actions/interaction';
import { errorsFor, stateValue } from './view-state';

/** The Deny and Extend forms. A refusal (not an approver, not your grant) is shown in the form. */
export function registerDecisionViews(app: App, ctx: ListenerContext): void {
  app.view(Views.deny, async ({ ack, body, view }) => {
    const requestId = idFromButton(view.private_metadata);
    const reason = stateValue(view, Blocks.denyReason, Actions.denyReasonInput);
    if (!requestId) return ack(errorsAck({ [Blocks.denyReason]: 'This form is no longer valid.' }));
    if (!reason || reason.length < 3) return ack(errorsAck({ [Blocks.denyReason]: 'Say why, in a few words.' }));
    try {
      const actor = await actorOf(ctx, body.user.id, body.team?.id);
      const result = await ctx.engine.deny({ requestId, actor, reason });
      if (result.outcome === 'already_decided') {
        return ack(
          errorsAck({
            [Blocks.denyReason]: `Already decided: ${requestStatusLine(result.request).replace(/[:*]/g, '').slice(0, 140)}`,
          }),
        );
      }
      await ack();
    } catch (error) {
      await ack(errorsAck(errorsFor(error, { has: (b) => b === Blocks.denyReason, fallback: Blocks.denyReason })));
    }
  });

  app.view(Views.denyBundle, async ({ ack, body, view }) => {
    const requestId = idFromButton(view.private_metadata);
    const reason = stateValue(view, Blocks.denyReason, Actions.denyReasonInput);
    if (!requestId) return ack(errorsAck({ [Blocks.denyReason]: 'This form is no longer valid.' }));
    if (!reason || reason.length < 3) return ack(errorsAck({ [Blocks.denyReason]: 'Say why, in a few words.' }));
    try {
      const actor = await actorOf(ctx, body.user.id, body.team?.id);
      const result = await ctx.engine.denyBundle({ requestId, actor, reason });
      if (result.results.length === 0) {
        return ack(errorsAck({ [Blocks.denyReason]: 'Every account of this request is already decided.' }));
      }
      await ack();
    } catch (error) {
      await ack(errorsAck(errorsFor(error, { has: (b) => b === Blocks.denyReason, fallback: Blocks.denyReason })));
    }
  });

  app.view(Views.extend, async ({ ack, body, view }) => {
    const grantId = idFromButton(view.private_metadata);
    const duration = stateValue(view, Blocks.extendDuration, Actions.extendDurationInput);
    const reason = stateValue(view, Blocks.extendReason, Actions.extendReasonInput);
    if (!grantId) return ack(errorsAck({ [Blocks.extendDuration]: 'This form is no longer valid.' }));
    if (!duration) return ack(errorsAck({ [Blocks.extendDuration]: 'How much more time? For example 1h.' }));
    try {
      const actor = await actorOf(ctx, body.user.id, body.team?.id);
      const result = await ctx.engine.extend({
        grantId,
        actor,
        duration,
        ...(reason ? { reason } : {}),
        idempotencyKey: `slack:${body.team?.id ?? ''}:view:${view.id}`,
      });
      await ack({ response_action: 'update', view: requestSentModal(result.request) });
    } catch (error) {
      await ack(
        errorsAck(
          errorsFor(error, {
            has: (b) => b === Blocks.extendDuration || b === Blocks.extendReason,
            fallback: Blocks.extendDuration,
          }),
        ),
      );
    }
  });
}
