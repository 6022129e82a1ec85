import type { CutInput, PrincipalId, SessionCut } from '../domain';

/**
 * The durable record of the session cuts (README "Security model", ending sessions): one item per
 * person, so that a cut recorded once is never lost, whatever crashes after. Every write is a
 * single-item conditional write on the cut's `version`, retried by the store on a lost race.
 */
export interface SessionCutStore {
  /**
   * Merges an early end into the person's cut (`mergeCut`: the latest T, the union of the pairs,
   * the furthest retention, the grant among the pending ones) and returns the cut as stored.
   */
  recordSessionCut(input: CutInput): Promise<SessionCut>;
  /** Every cut, strongly consistent (the writer renders the policies from it). */
  listSessionCuts(): Promise<SessionCut[]>;
  /** Takes grants off a cut's pending list once their records say the sessions are cut (idempotent). */
  settleSessionCut(principalId: PrincipalId, grantIds: readonly string[]): Promise<void>;
  /** Deletes a cut only if it is still at `expectedVersion` (nothing merged since); true when deleted. */
  deleteSessionCut(principalId: PrincipalId, expectedVersion: number): Promise<boolean>;
}
