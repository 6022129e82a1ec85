import type { Alert, AlertDigest, AlertMessageRef, Finding, PostureReport } from '../domain';

/**
 * What the security feed tells people. Kept apart from ChatNotifier so that the chat notifiers
 * compile unchanged; the Slack and Teams adapters implement it for the security channel(s).
 */
export type AlertEvent =
  /** A new alert (or a new incident of one): post it; return where it was posted. */
  | { type: 'alert_raised'; alert: Alert }
  /** The alert changed (acknowledged, snoozed, resolved, deactivation...): update `alert.messages` in place. */
  | { type: 'alert_updated'; alert: Alert; change: string }
  /** The same incident again: reply in the thread of `alert.messages`. */
  | { type: 'alert_repeated'; alert: Alert; finding: Finding }
  /** The daily digest: post it; return where it was posted. */
  | { type: 'digest_posted'; digest: AlertDigest; alerts: Alert[] }
  /** An alert of a digest changed: re-render the digest in place (`digest.messages`). */
  | { type: 'digest_updated'; digest: AlertDigest; alerts: Alert[]; change: string }
  /**
   * The rotation assistant's message for `alert.rotation`: to its owner (`alert.rotation.owner`, an
   * email the adapter resolves to a chat user, in a direct message) or, when there is none or it
   * cannot be resolved, to the security channel. Returns where it was posted.
   */
  | { type: 'rotation_posted'; alert: Alert }
  /** The rotation changed: update `alert.rotation.messages` in place. */
  | { type: 'rotation_updated'; alert: Alert; change: string }
  /**
   * The weekly IAM posture (issue 19): per account and in total, with the change since last week
   * and a chart of the counts. Post it to the security channel(s); return where it was posted.
   */
  | { type: 'posture_posted'; report: PostureReport; week: string };

export type AlertEventType = AlertEvent['type'];

export interface AlertPublisher {
  /**
   * Delivers one event to every configured security channel. For `alert_raised`, `digest_posted`, `rotation_posted` and `posture_posted`
   * it returns the messages it created (one per channel); for the others, nothing. It must not
   * throw for a delivery problem on one platform: it logs, and returns what it did post.
   */
  publishAlert(event: AlertEvent): Promise<AlertMessageRef[] | void>;
}
