import type { types } from '@slack/bolt';
import {
  formatDuration,
  formatLocalTime,
  sessionOutlivesText,
  type AccessRequest,
  type Account,
  type PermissionSet,
} from '../../../src';
import { escapeText, plainText } from '../escape';
import { Actions, Blocks, Views } from '../ids';
import { context, md, plain, section, type Block, type ModalView, type PlainTextOption } from './common.blocks';

export interface RequestOption {
  permissionSet: Pick<PermissionSet, 'name' | 'description'>;
  maxSeconds: number;
}

/** A group the person may ask to join for a while, with its longest duration. */
export interface GroupOption {
  name: string;
  maxSeconds: number;
}

/** What the form asks for: access in an account (the default), or a group membership. */
export type RequestTarget = 'account' | 'group';

export interface RequestModalState {
  /** An account (default) or a group: the radio buttons at the top switch the form. */
  target?: RequestTarget;
  /** The groups this person may ask to join (the group form's choices). */
  groups?: GroupOption[];
  /** The person's IANA time zone (users.info `tz`): the start is read in it, and the time picker shows it. */
  zone?: string;
  /** The account picked so far. */
  account?: AccountChoice;
  /** What the rules allow in that account. */
  options?: RequestOption[];
  /** Why the options could not be loaded (shown instead of the select). */
  problem?: string;
}

/** An account as an option of the external select: name and id, with the OU path below. */
export interface AccountChoice {
  id: string;
  name: string;
  ouNames?: Account['ouNames'];
}

export function accountOption(account: AccountChoice): PlainTextOption {
  const ou = (account.ouNames ?? []).join(' / ');
  return {
    text: { type: 'plain_text', text: plainText(`${account.name} (${account.id})`) },
    value: account.id,
    ...(ou ? { description: { type: 'plain_text', text: plainText(ou) } } : {}),
  };
}

function permissionSetOption(o: RequestOption): PlainTextOption {
  return {
    text: { type: 'plain_text', text: plainText(o.permissionSet.name) },
    value: o.permissionSet.name,
    description: { type: 'plain_text', text: plainText(`up to ${formatDuration(o.maxSeconds)}`) },
  };
}

const TARGET_OPTIONS: Record<RequestTarget, PlainTextOption> = {
  account: {
    text: plain('An AWS account'),
    value: 'account',
    description: plain('A permission set in one or more accounts'),
  },
  group: {
    text: plain('A group'),
    value: 'group',
    description: plain('Membership of an Identity Center group for a while'),
  },
};

/** The radio buttons "An AWS account" / "A group": a change re-renders the form (dispatch_action). */
function targetBlock(target: RequestTarget): Block {
  return {
    type: 'input',
    block_id: Blocks.target,
    dispatch_action: true,
    label: plain('What do you need?'),
    element: {
      type: 'radio_buttons',
      action_id: Actions.targetSelect,
      options: [TARGET_OPTIONS.account, TARGET_OPTIONS.group],
      initial_option: TARGET_OPTIONS[target],
    },
  };
}

function groupOption(o: GroupOption): PlainTextOption {
  return {
    text: { type: 'plain_text', text: plainText(o.name) },
    value: o.name,
    description: { type: 'plain_text', text: plainText(`up to ${formatDuration(o.maxSeconds)}`) },
  };
}

/**
 * "Start later": a day and a time of day, both optional, read together in the person's zone by the
 * same rules as a typed `--from 2026-12-24 09:00` (the time picker names the zone when it is known).
 */
function startBlocks(zone: string | undefined): Block[] {
  const where = zone ? `your time zone (${zone})` : 'your Slack time zone';
  return [
    {
      type: 'input',
      block_id: Blocks.startDate,
      optional: true,
      label: plain('Start later: day'),
      hint: plain('Leave the day and the time empty to start as soon as it is approved.'),
      element: { type: 'datepicker', action_id: Actions.startDatePicker, placeholder: plain('Now') },
    },
    {
      type: 'input',
      block_id: Blocks.startTime,
      optional: true,
      label: plain('Start later: time'),
      hint: plain(`In ${where}. Access is granted at this time, and the duration counts from it.`),
      element: {
        type: 'timepicker',
        action_id: Actions.startTimePicker,
        placeholder: plain('09:00'),
        ...(zone ? { timezone: zone } : {}),
      },
    },
  ];
}

function durationBlock(limits: string | undefined, longest: number | undefined): Block {
  return {
    type: 'input',
    block_id: Blocks.duration,
    label: plain('Duration'),
    hint: plain(
      limits !== undefined
        ? `At most ${limits}. Examples: 90m, 2h, until 18:00.`
        : 'Examples: 90m, 2h, 1h30m, until 18:00. The rule sets the maximum.',
    ),
    element: {
      type: 'plain_text_input',
      action_id: Actions.durationInput,
      placeholder: plain(longest !== undefined ? `up to ${formatDuration(longest)}` : '2h'),
    },
  };
}

function reasonAndTicketBlocks(): Block[] {
  return [
    {
      type: 'input',
      block_id: Blocks.reason,
      label: plain('Reason'),
      element: {
        type: 'plain_text_input',
        action_id: Actions.reasonInput,
        multiline: true,
        min_length: 3,
        max_length: 500,
        placeholder: plain('What will you do, and why now?'),
      },
    },
    {
      type: 'input',
      block_id: Blocks.ticket,
      optional: true,
      label: plain('Ticket'),
      hint: plain('A link (https://…) or a key such as OPS-123.'),
      element: { type: 'plain_text_input', action_id: Actions.ticketInput },
    },
  ];
}

/** The group form: which group, for how long, why. A membership starts when it is approved. */
function groupRequestModal(state: RequestModalState): ModalView {
  const groups = state.groups ?? [];
  const blocks: Block[] = [targetBlock('group')];
  if (state.problem) {
    blocks.push(section(`:warning: ${escapeText(state.problem)}`));
  } else if (groups.length === 0) {
    blocks.push(section(':no_entry: No rule lets you ask to join a group. Choose *An AWS account* above.'));
  } else {
    blocks.push({
      type: 'input',
      block_id: Blocks.group,
      label: plain('Group'),
      element: {
        type: 'static_select',
        action_id: Actions.groupSelect,
        placeholder: plain('Choose a group'),
        options: groups.slice(0, 100).map(groupOption),
        ...(groups.length === 1 ? { initial_option: groupOption(groups[0]!) } : {}),
      },
    });
  }
  const longest = groups.length ? Math.max(...groups.map((g) => g.maxSeconds)) : undefined;
  blocks.push(
    durationBlock(
      groups.length ? groups.map((g) => `${g.name}: ${formatDuration(g.maxSeconds)}`).join(' · ') : undefined,
      longest,
    ),
    context('A group membership starts when it is approved and is removed at its end.'),
    ...reasonAndTicketBlocks(),
  );
  return {
    type: 'modal',
    callback_id: Views.request,
    title: plain('Request AWS access'),
    submit: plain('Request'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ target: 'group' }),
    blocks,
  };
}

/**
 * The request form. It is re-rendered (views.update) when the account changes, and when the
 * person switches between an account and a group.
 */
export function requestModal(state: RequestModalState = {}): ModalView {
  if (state.target === 'group') return groupRequestModal(state);
  const blocks: Block[] = [
    targetBlock('account'),
    {
      type: 'input',
      block_id: Blocks.account,
      dispatch_action: true,
      label: plain('Account'),
      hint: plain('Type part of a name, an id or an OU.'),
      element: {
        type: 'external_select',
        action_id: Actions.accountSelect,
        placeholder: plain('Search accounts'),
        min_query_length: 0,
        ...(state.account ? { initial_option: accountOption(state.account) } : {}),
      },
    },
  ];
  blocks.push({
    type: 'input',
    block_id: Blocks.moreAccounts,
    optional: true,
    label: plain('More accounts'),
    hint: plain(
      'The same access in other accounts too: one request, each account decided by its own rule. Or type in the command: request prod,staging,ou:Payments …',
    ),
    element: {
      type: 'multi_external_select',
      action_id: Actions.moreAccountsSelect,
      placeholder: plain('Search accounts'),
      min_query_length: 0,
      max_selected_items: 9,
    },
  });
  const options = state.options ?? [];
  if (!state.account) {
    blocks.push(context('Pick an account to see the permission sets the rules let you request there.'));
  } else if (state.problem) {
    blocks.push(section(`:warning: ${escapeText(state.problem)}`));
  } else if (options.length === 0) {
    blocks.push(
      section(
        `:no_entry: No rule lets you request anything in *${escapeText(state.account.name)}*. Try another account.`,
      ),
    );
  } else {
    blocks.push({
      type: 'input',
      block_id: Blocks.permissionSet,
      label: plain('Permission set'),
      element: {
        type: 'static_select',
        action_id: Actions.permissionSetSelect,
        placeholder: plain('Choose a permission set'),
        options: options.slice(0, 100).map(permissionSetOption),
        ...(options.length === 1 ? { initial_option: permissionSetOption(options[0]!) } : {}),
      },
    });
  }
  const longest = options.length ? Math.max(...options.map((o) => o.maxSeconds)) : undefined;
  blocks.push(
    durationBlock(
      longest !== undefined
        ? options.map((o) => `${o.permissionSet.name}: ${formatDuration(o.maxSeconds)}`).join(' · ')
        : undefined,
      longest,
    ),
    ...startBlocks(state.zone),
    ...reasonAndTicketBlocks(),
  );
  return {
    type: 'modal',
    callback_id: Views.request,
    title: plain('Request AWS access'),
    submit: plain('Request'),
    close: plain('Cancel'),
    private_metadata: state.account ? JSON.stringify({ account: state.account.id }) : '',
    blocks,
  };
}

/** Shown in place of the form once the request is in. */
export function requestSentModal(request: AccessRequest): ModalView {
  const lines =
    request.status === 'pending'
      ? `Your request \`${request.id}\` waits for ${request.approvalsRequired} approval(s). I'll DM you as it moves.`
      : request.startsAt !== undefined
        ? `Approved by policy: *${escapeText(request.permissionSetName)}* in *${escapeText(request.accountName)}* is scheduled, and I'll DM you when it is ready.`
        : `Approved by policy: I'm setting up *${escapeText(request.permissionSetName)}* in *${escapeText(request.accountName)}* now and will DM you when it is ready.`;
  return {
    type: 'modal',
    callback_id: Views.request,
    title: plain('Request AWS access'),
    close: plain('Done'),
    blocks: [
      section(`:white_check_mark: ${lines}`),
      ...(request.startsAt !== undefined
        ? [
            section(
              `:calendar: It starts at *${escapeText(formatLocalTime(request.startsAt, request.requester.timeZone))}*: access is granted then, not before, and lasts ${formatDuration(request.durationSeconds)} from that moment.`,
            ),
          ]
        : []),
      ...(request.sessionOutlives
        ? [
            section(
              `:hourglass: ${escapeText(sessionOutlivesText(request.permissionSetName, request.sessionOutlives))}`,
            ),
          ]
        : []),
    ],
  };
}

/** Asks an approver why they deny. private_metadata carries the request id only. */
export function denyModal(requestId: string): ModalView {
  return {
    type: 'modal',
    callback_id: Views.deny,
    title: plain('Deny request'),
    submit: plain('Deny'),
    close: plain('Cancel'),
    private_metadata: requestId,
    blocks: [
      { type: 'section', text: md(`You are denying request \`${escapeText(requestId, { maxLength: 64 })}\`.`) },
      {
        type: 'input',
        block_id: Blocks.denyReason,
        label: plain('Why?'),
        hint: plain('The requester sees this.'),
        element: {
          type: 'plain_text_input',
          action_id: Actions.denyReasonInput,
          multiline: true,
          min_length: 3,
          max_length: 500,
        },
      },
    ],
  };
}

/** Asks the grantee for how much more time. private_metadata carries the grant id only. */
export function extendModal(grantId: string): ModalView {
  return {
    type: 'modal',
    callback_id: Views.extend,
    title: plain('Extend access'),
    submit: plain('Extend'),
    close: plain('Cancel'),
    private_metadata: grantId,
    blocks: [
      {
        type: 'input',
        block_id: Blocks.extendDuration,
        label: plain('More time'),
        hint: plain('Examples: 30m, 1h. What is left plus this must fit the rule.'),
        element: { type: 'plain_text_input', action_id: Actions.extendDurationInput, placeholder: plain('1h') },
      },
      {
        type: 'input',
        block_id: Blocks.extendReason,
        optional: true,
        label: plain('Reason'),
        element: { type: 'plain_text_input', action_id: Actions.extendReasonInput, max_length: 500 },
      },
    ],
  };
}

/** The `response_action: errors` answer of a view submission: block_id → message. */
export type ViewErrors = Partial<Record<string, string>>;

export const errorsAck = (errors: ViewErrors): { response_action: 'errors'; errors: Record<string, string> } => ({
  response_action: 'errors',
  errors: Object.fromEntries(Object.entries(errors).filter((e): e is [string, string] => !!e[1])),
});

export type { types };
