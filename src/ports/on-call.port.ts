/**
 * Who is on call (PagerDuty schedules), for on-call approvers and on-call auto-approval. A schedule
 * is named as in the policy: `pagerduty:<schedule id>`.
 */
export interface OnCallDirectory {
  /**
   * The emails of the people on call on `schedule` at `atMs` (epoch ms), lower-cased. The adapter may
   * answer from a short cache; `fresh` asks the service again (the check at an approver's click).
   * An unknown schedule or a service that cannot be reached throws (UNAVAILABLE, CONFIG_INVALID).
   */
  whoIsOnCall(schedule: string, atMs: number, options?: { fresh?: boolean }): Promise<string[]>;
}
