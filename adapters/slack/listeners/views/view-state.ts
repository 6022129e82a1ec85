import { ErrorCodes, formStartProblemText, isKeylessError } from '../../../../src';
import { Blocks } from '../../ids';
import type { ViewErrors } from '../../blocks/request-modal.blocks';

type StateValues = Record<
  string,
  Record<
    string,
    {
      value?: string | null;
      selected_option?: { value?: string } | null;
      /** A datepicker's day (YYYY-MM-DD). */
      selected_date?: string | null;
      /** A timepicker's time of day (HH:mm). */
      selected_time?: string | null;
    }
  >
>;

/** A text input, a select, a radio group, a date or a time picker's value from a submitted view's `state.values`. */
export function stateValue(
  view: { state?: { values?: unknown } },
  blockId: string,
  actionId: string,
): string | undefined {
  const values = (view.state?.values ?? {}) as StateValues;
  const input = values[blockId]?.[actionId];
  const v = input?.selected_option?.value ?? input?.value ?? input?.selected_date ?? input?.selected_time ?? undefined;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The values picked in a multi-select of a submitted view's `state.values`. */
export function stateValues(view: { state?: { values?: unknown } }, blockId: string, actionId: string): string[] {
  const values = (view.state?.values ?? {}) as Record<
    string,
    Record<string, { selected_options?: { value?: string }[] | null }>
  >;
  return (values[blockId]?.[actionId]?.selected_options ?? [])
    .map((o) => o.value?.trim() ?? '')
    .filter((v) => v !== '');
}

/**
 * An engine error, shown under the field it is about (`response_action: errors`). Slack shows at
 * most ~150 characters per field, so the message comes first and the hint after.
 */
export function errorsFor(error: unknown, fields: { has: (blockId: string) => boolean; fallback: string }): ViewErrors {
  if (!isKeylessError(error))
    return { [fields.fallback]: 'Something went wrong on my side; nothing was created. Try again.' };
  const text = error.toUserText().replace(/\n/g, ' ').slice(0, 300);
  const pick = (...blocks: string[]) => blocks.find((b) => fields.has(b)) ?? fields.fallback;
  switch (error.code) {
    case ErrorCodes.InvalidDuration:
    case ErrorCodes.DurationTooLong:
      return { [pick(Blocks.duration, Blocks.extendDuration)]: text };
    case ErrorCodes.PolicyDenied:
      return {
        [error.hint?.startsWith('Ask for')
          ? pick(Blocks.duration, Blocks.extendDuration)
          : pick(Blocks.permissionSet, Blocks.account)]: text,
      };
    case ErrorCodes.ReasonRequired:
      return { [pick(Blocks.reason, Blocks.denyReason, Blocks.extendReason)]: text };
    case ErrorCodes.InvalidInput:
      return { [/ticket/i.test(text) ? pick(Blocks.ticket) : pick(Blocks.reason, Blocks.denyReason)]: text };
    case ErrorCodes.UnknownPermissionSet:
      return { [pick(Blocks.permissionSet, Blocks.account)]: text };
    case ErrorCodes.UnknownGroup:
      return { [pick(Blocks.group)]: text };
    // A start in the past, too far ahead, or not allowed here (a group, break-glass): under the time
    // picked, in the form's words (formStartProblemText), not the command's `--from` advice.
    case ErrorCodes.StartInPast:
    case ErrorCodes.StartTooFar:
    case ErrorCodes.InvalidStart:
    case ErrorCodes.OverlappingGrant:
      return {
        [pick(Blocks.startTime, Blocks.startDate, Blocks.group, Blocks.duration)]: (formStartProblemText(error) ?? text)
          .replace(/\n/g, ' ')
          .slice(0, 300),
      };
    default:
      return { [fields.fallback]: text };
  }
}
