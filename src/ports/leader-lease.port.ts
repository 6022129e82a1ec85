/**
 * One leader among replicas for the work that must run once per period (reconcile, key scans, the
 * digest): a lease item with an owner and a deadline, taken and renewed with conditional writes.
 * - `acquire` succeeds when nobody holds the lease, when `owner` already holds it (a renewal that
 *   moves the deadline to `nowMs + ttlMs`), or when the holder's deadline has passed (a take-over);
 *   it answers false while another owner's deadline is in the future.
 * - `release` gives the lease up, only if `owner` still holds it (a graceful stop hands over at once).
 */
export interface LeaderLease {
  acquire(name: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}
