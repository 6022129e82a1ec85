import type { App, SlackViewMiddlewareArgs, ViewOutput, ViewResponseAction, ViewSubmitAction } from '@slack/bolt';
import { GROUP_PREFIX, startFromPickers } from '../../../../src';
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
    if (isGroupForm(view)) return groupSubmitted(ctx, { ack: (answer) => ack(answer), body, view });
    const account = stateValue(view, Blocks.account, Actions.accountSelect);
    const permissionSet = stateValue(view, Blocks.permissionSet, Actions.permissionSetSelect);
    const duration = stateValue(view, Blocks.duration, Actions.durationInput);
    const reason = stateValue(view, Blocks.reason, Actions.reasonInput);
    const ticket = stateValue(view, Blocks.ticket, Actions.ticketInput);
    const more = stateValues(view, Blocks.moreAccounts, Actions.moreAccountsSelect);
    const picked = startFromPickers({
      date: stateValue(view, Blocks.startDate, Actions.startDatePicker),
      time: stateValue(view, Blocks.startTime, Actions.startTimePicker),
    });
    const present = new Set([...Object.keys((view.state?.values ?? {}) as object), ...blockIdsOf(view)]);
    const missing: Record<string, string> = {};
    if (!account) missing[Blocks.account] = 'Pick an account.';
    if (account && !present.has(Blocks.permissionSet))
      missing[Blocks.account] = 'No permission set may be requested in this account; pick another.';
    else if (!permissionSet) missing[Blocks.permissionSet] = 'Pick a permission set.';
    if (!duration) missing[Blocks.duration] = 'Say how long, for example 2h.';
    if (!reason) missing[Blocks.reason] = 'Please give a reason.';
    if (picked.problem)
      missing[picked.problem.field === 'date' ? Blocks.startDate : Blocks.startTime] = picked.problem.message;
    if (Object.keys(missing).length) return ack(errorsAck(missing));
    const start = picked.start ? { start: picked.start } : {};

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
          ...start,
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
        ...start,
        idempotencyKey: `slack:${body.team?.id ?? ''}:view:${view.id}`,
      });
      await ack({ response_action: 'update', view: requestSentModal(result.request) });
    } catch (error) {
      await ack(errorsAck(errorsFor(error, { has: (b) => present.has(b), fallback: Blocks.account })));
    }
  });
}

type ViewArgs = {
  ack: (answer: ViewResponseAction) => Promise<void>;
  body: Pick<SlackViewMiddlewareArgs<ViewSubmitAction>['body'], 'user' | 'team'>;
  view: ViewOutput;
};

/** The block ids of the form as it was rendered (an empty optional input may be absent from `state`). */
function blockIdsOf(view: { blocks?: unknown[] }): string[] {
  return (view.blocks ?? []).flatMap((b) => {
    const id = (b as { block_id?: unknown }).block_id;
    return typeof id === 'string' ? [id] : [];
  });
}

/** The value of the option a rendered select showed as chosen (`initial_option`), if any. */
function initialOptionOf(view: { blocks?: unknown[] }, blockId: string): string | undefined {
  const block = (view.blocks ?? []).find((b) => (b as { block_id?: unknown }).block_id === blockId) as
    { element?: { initial_option?: { value?: unknown } } } | undefined;
  const value = block?.element?.initial_option?.value;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The form the person filled is the group form (it says so in its own private_metadata). */
function isGroupForm(view: { private_metadata?: string }): boolean {
  try {
    return (JSON.parse(view.private_metadata || '{}') as { target?: unknown }).target === 'group';
  } catch {
    return false;
  }
}

/**
 * The group form is submitted: the same engine call as `request group:<name> …` (policy, approvals,
 * one live membership per person and group, expiry). A start sent along (a hand-made payload) is
 * passed on, and the engine refuses it for a group under the field it came with.
 */
async function groupSubmitted(ctx: ListenerContext, { ack, body, view }: ViewArgs): Promise<void> {
  const answer = ack;
  // Slack may leave an untouched select out of `state` after a views.update (bolt-js #1258): the
  // option the form itself showed as chosen (one group offered) is then the person's choice.
  const group = stateValue(view, Blocks.group, Actions.groupSelect) ?? initialOptionOf(view, Blocks.group);
  const duration = stateValue(view, Blocks.duration, Actions.durationInput);
  const reason = stateValue(view, Blocks.reason, Actions.reasonInput);
  const ticket = stateValue(view, Blocks.ticket, Actions.ticketInput);
  const picked = startFromPickers({
    date: stateValue(view, Blocks.startDate, Actions.startDatePicker),
    time: stateValue(view, Blocks.startTime, Actions.startTimePicker),
  });
  const present = new Set(blockIdsOf(view));
  const missing: Record<string, string> = {};
  // The form said no group may be asked for: the choice above is where to go instead.
  if (!present.has(Blocks.group)) {
    return answer(errorsAck({ [Blocks.target]: 'No rule lets you ask to join a group: choose An AWS account.' }));
  }
  if (!group) missing[Blocks.group] = 'Pick a group.';
  if (!duration) missing[Blocks.duration] = 'Say how long, for example 1h.';
  if (!reason) missing[Blocks.reason] = 'Please give a reason.';
  if (Object.keys(missing).length) return answer(errorsAck(missing));
  try {
    const requester = await actorOf(ctx, body.user.id, body.team?.id);
    const result = await ctx.engine.requestAccess({
      requester,
      account: `${GROUP_PREFIX}${group!}`,
      permissionSet: '',
      duration: duration!,
      reason: reason!,
      ...(ticket ? { ticket } : {}),
      ...(picked.start ? { start: picked.start } : {}),
      idempotencyKey: `slack:${body.team?.id ?? ''}:view:${view.id}`,
    });
    await answer({ response_action: 'update', view: requestSentModal(result.request) });
  } catch (error) {
    // Only blocks of this form may carry an error: a start refused for a group shows under the group.
    const shown = new Set(blockIdsOf(view));
    await answer(errorsAck(errorsFor(error, { has: (b) => shown.has(b), fallback: Blocks.group })));
  }
}
