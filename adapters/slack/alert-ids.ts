/**
 * The Slack identifiers of the security feed: buttons on alerts and digests (action_id), the modals
 * they open (callback_id) and their inputs (block_id / action_id). Buttons carry only the alert's
 * dedupe key in their value; who clicked comes from Slack's verified payload.
 */
export const AlertActions = {
  acknowledge: 'alert_acknowledge',
  /** Opens the snooze modal (days preset, reason asked). */
  snooze7: 'alert_snooze_7',
  snooze30: 'alert_snooze_30',
  deactivate: 'alert_deactivate_key',
  approveDeactivation: 'alert_approve_deactivation',
  denyDeactivation: 'alert_deny_deactivation',
  reactivate: 'alert_reactivate_key',
  /** The rotation assistant's last step: Delete the old key (approval-gated, never undone). */
  deleteKey: 'alert_delete_key',
  approveDeletion: 'alert_approve_deletion',
  denyDeletion: 'alert_deny_deletion',
  /** Opens the root-window modal for the alert's account. */
  announceRoot: 'alert_announce_root',
  snoozeReasonInput: 'alert_snooze_reason_input',
  rootDurationInput: 'root_window_duration_input',
  rootReasonInput: 'root_window_reason_input',
} as const;

export const AlertViews = {
  /** private_metadata: JSON `{ dedupeKey, days }`. */
  snooze: 'keyless_alert_snooze_modal',
  /** private_metadata: JSON `{ accountId }`. */
  rootWindow: 'keyless_root_window_modal',
} as const;

export const AlertBlocks = {
  snoozeReason: 'alert_snooze_reason',
  rootDuration: 'root_window_duration',
  rootReason: 'root_window_reason',
  actions: 'alert_actions',
} as const;

/** `/aws-access root-window <account> <duration> <reason>`. */
export const ROOT_WINDOW_SUBCOMMAND = 'root-window';

export type AlertActionId = (typeof AlertActions)[keyof typeof AlertActions];
