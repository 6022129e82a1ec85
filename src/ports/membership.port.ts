/**
 * The replicas of one deployment (issue 13: ownership of timed work). Each replica writes a
 * heartbeat item with a deadline; a member whose deadline has passed has departed. Items live in
 * the same store as the grants.
 * - `heartbeat` writes (or moves on) `replicaId`'s deadline to `nowMs + ttlMs` and answers true;
 *   it answers false, writing nothing, when `replicaId` is on record with a deadline at or before
 *   `nowMs`: a departed id never comes back (the leases it held are void), the replica rejoins
 *   under a new id.
 * - `members` lists the members on record: `live` (deadline after `nowMs`) sorted by id, and
 *   `departed` (deadline at or before `nowMs`), the latest deadline first. Departed members are
 *   kept on record for a while (at least an hour) and then forgotten.
 *   `deadlines` gives each listed member's deadline (so a member that has stopped beating can be
 *   told apart before its deadline passes).
 * - `leave` removes `replicaId` (a graceful stop hands its share over at once).
 */
export interface Membership {
  heartbeat(replicaId: string, nowMs: number, ttlMs: number): Promise<boolean>;
  members(nowMs: number): Promise<MemberList>;
  leave(replicaId: string): Promise<void>;
}

export interface MemberList {
  live: string[];
  departed: string[];
  deadlines?: Readonly<Record<string, number>>;
}
