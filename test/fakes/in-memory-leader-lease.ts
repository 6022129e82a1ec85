import type { LeaderLease } from '../../src';

/** The LeaderLease contract in memory (the same rules as the alert store's lease). */
export class InMemoryLeaderLease implements LeaderLease {
  readonly leases = new Map<string, { owner: string; deadline: number }>();

  async acquire(name: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const held = this.leases.get(name);
    if (held && held.owner !== owner && held.deadline > nowMs) return false;
    this.leases.set(name, { owner, deadline: nowMs + ttlMs });
    return true;
  }

  async release(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }
}
