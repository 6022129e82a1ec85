/**
 * The Teams identifiers of the security feed: Action.Execute verbs of alert and digest cards, and
 * the ids of their inputs. Every action's data carries `dedupeKey` (or `accountId` for the root
 * window); who clicked comes from the verified activity.
 */
export const AlertVerbs = {
  acknowledge: 'keyless.alert.acknowledge',
  /** data: { dedupeKey, days } + input `snoozeReason`. */
  snooze: 'keyless.alert.snooze',
  deactivate: 'keyless.alert.deactivate',
  approveDeactivation: 'keyless.alert.deactivate.approve',
  denyDeactivation: 'keyless.alert.deactivate.deny',
  reactivate: 'keyless.alert.reactivate',
  /** The rotation assistant's last step: Delete the old key (approval-gated, never undone). */
  deleteKey: 'keyless.alert.delete',
  approveDeletion: 'keyless.alert.delete.approve',
  denyDeletion: 'keyless.alert.delete.deny',
  /** data: { accountId } + inputs `rootWindowDuration`, `rootWindowReason`. */
  announceRoot: 'keyless.alert.root-window',
} as const;

export type AlertVerb = (typeof AlertVerbs)[keyof typeof AlertVerbs];

const verbs: ReadonlySet<string> = new Set(Object.values(AlertVerbs));
export const isAlertVerb = (value: unknown): value is AlertVerb => typeof value === 'string' && verbs.has(value);

export const AlertInputs = {
  snoozeReason: 'snoozeReason',
  rootWindowDuration: 'rootWindowDuration',
  rootWindowReason: 'rootWindowReason',
} as const;

/** The text command (Teams has no slash commands): `root-window <account> <duration> <reason>`. */
export const ROOT_WINDOW_COMMAND = 'root-window';
