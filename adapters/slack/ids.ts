/**
 * Every Slack identifier keyless uses, in one place: the slash command, the HTTP path, the
 * callback_id of each modal, the block_id and action_id of each interactive element, and the events
 * the app subscribes to. The manifest test reads these, so the manifest and the code cannot drift.
 */

/** The slash command (manifest `features.slash_commands[].command`). */
export const COMMAND = '/aws-access';

/** The one HTTP path that receives commands, interactions, options loads and events. */
export const EVENTS_PATH = '/slack/events';

/** Events API subscriptions (manifest `settings.event_subscriptions.bot_events`). */
export const BOT_EVENTS = ['app_home_opened'] as const;

/** Modals, by callback_id. */
export const Views = {
  request: 'keyless_request_modal',
  deny: 'keyless_deny_modal',
  extend: 'keyless_extend_modal',
  home: 'keyless_home',
  /** Deny on a multi-account request: one reason for every account the approver may decide. */
  denyBundle: 'keyless_deny_bundle_modal',
} as const;

/** Input blocks of the modals, by block_id. */
export const Blocks = {
  account: 'account',
  permissionSet: 'permission_set',
  duration: 'duration',
  reason: 'reason',
  ticket: 'ticket',
  denyReason: 'deny_reason',
  extendDuration: 'extend_duration',
  extendReason: 'extend_reason',
  approvalActions: 'approval_actions',
  grantActions: 'grant_actions',
  /** The request form's optional "More accounts" (a multi-account request). */
  moreAccounts: 'more_accounts',
  /** The request form's choice of what to ask for: an account or a group (re-renders the form). */
  target: 'request_target',
  /** The request form's group (a group membership for a while). */
  group: 'group',
  /** The request form's optional "Start later": the day, and the time of day in the person's zone. */
  startDate: 'start_date',
  startTime: 'start_time',
} as const;

/** Interactive elements, by action_id. Buttons carry only a record id in their value. */
export const Actions = {
  /** The account external_select of the request modal (options load + dispatch on change). */
  accountSelect: 'account_select',
  permissionSetSelect: 'permission_set_select',
  durationInput: 'duration_input',
  reasonInput: 'reason_input',
  ticketInput: 'ticket_input',
  denyReasonInput: 'deny_reason_input',
  extendDurationInput: 'extend_duration_input',
  extendReasonInput: 'extend_reason_input',
  approve: 'approve_request',
  deny: 'deny_request',
  cancel: 'cancel_request',
  revoke: 'revoke_grant',
  extend: 'extend_grant',
  openRequestModal: 'open_request_modal',
  /** A multi-account request: Approve all / Deny all… / End all now (value: one request of the bundle). */
  moreAccountsSelect: 'more_accounts_select',
  approveBundle: 'approve_bundle',
  denyBundle: 'deny_bundle',
  revokeBundle: 'revoke_bundle',
  /** The request form's radio buttons "An AWS account" / "A group" (dispatches on change). */
  targetSelect: 'request_target_select',
  groupSelect: 'group_select',
  startDatePicker: 'start_date_picker',
  startTimePicker: 'start_time_picker',
} as const;

export type ActionId = (typeof Actions)[keyof typeof Actions];
export type ViewCallbackId = (typeof Views)[keyof typeof Views];
