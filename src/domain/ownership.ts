/**
 * Who does a piece of timed work (a grant's expiry, a request's timeout, a duty) among the live
 * replicas: rendezvous (highest random weight) hashing. Every replica ranks the members for a work
 * key by a hash of (member, key); the first is the owner. When a member leaves, only its own keys
 * move (each to its next in rank); when one joins, it takes only the keys it now ranks first for.
 * Pure: the same key and members give the same ranking on every replica.
 */

/** cyrb53: a fast, well-mixed 53-bit string hash (not cryptographic; work keys are not secrets). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The members in rank order for `workKey` (owner first); ties broken by id, so the order is total. */
export function rendezvousRanking(workKey: string, members: readonly string[]): string[] {
  const weighted = [...new Set(members)].map((m) => ({ m, w: hash53(`${m}\u0000${workKey}`) }));
  weighted.sort((a, b) => b.w - a.w || (a.m < b.m ? -1 : a.m > b.m ? 1 : 0));
  return weighted.map((x) => x.m);
}

/** The owner of `workKey` among `members` (undefined when there are none). */
export function ownerOf(workKey: string, members: readonly string[]): string | undefined {
  return rendezvousRanking(workKey, members)[0];
}

/** `member`'s place in the ranking for `workKey` (0: the owner); -1 when it is not a member. */
export function rankOf(member: string, workKey: string, members: readonly string[]): number {
  return rendezvousRanking(workKey, members).indexOf(member);
}

/**
 * Whether `member` should act on work overdue by `overdueMs`: the owner at once, the second in rank
 * once the work is `graceMs` overdue, the third after twice that, and so on. A wrong or stale view
 * of the members costs speed (the work waits a grace period per missing hand), never the work itself.
 */
export function shouldActOn(
  member: string,
  workKey: string,
  members: readonly string[],
  overdueMs: number,
  graceMs: number,
): boolean {
  const all = members.includes(member) ? members : [...members, member];
  const rank = rankOf(member, workKey, all);
  if (rank <= 0) return true;
  return overdueMs >= rank * graceMs;
}
