import type { types } from '@slack/bolt';
import {
  formatDuration,
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

export interface RequestModalState {
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

/** The request form. It is re-rendered (views.update) when the account changes. */
export function requestModal(state: RequestModalState = {}): ModalView {
  const blocks: Block[] = [
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
    {
      type: 'input',
      block_id: Blocks.duration,
      label: plain('Duration'),
      hint: plain(
        longest !== undefined
          ? `At most ${options.map((o) => `${o.permissionSet.name}: ${formatDuration(o.maxSeconds)}`).join(' · ')}. Examples: 90m, 2h, until 18:00.`
          : 'Examples: 90m, 2h, 1h30m, until 18:00. The rule sets the maximum.',
      ),
      element: {
        type: 'plain_text_input',
        action_id: Actions.durationInput,
        placeholder: plain(longest !== undefined ? `up to ${formatDuration(longest)}` : '2h'),
      },
    },
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
      : `Approved by policy: I'm setting up *${escapeText(request.permissionSetName)}* in *${escapeText(request.accountName)}* now and will DM you when it is ready.`;
  return {
    type: 'modal',
    callback_id: Views.request,
    title: plain('Request AWS access'),
    close: plain('Done'),
    blocks: [
      section(`:white_check_mark: ${lines}`),
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
