import { rankOf, shouldActOn } from '../domain';
import type { Clock, Logger, Membership } from '../ports';

/**
 * This replica's share of the timed work (issue 13): it heartbeats into the membership, reads the
 * live members, and owns a work key (a grant id, a request id, a duty's name) when rendezvous
 * hashing ranks it first among them. Ownership decides who arms a timer and who sweeps an item;
 * it never decides correctness: every state change stays a conditional write under a lease, and
 * work left undone by a departed or mistaken owner is taken up by the next in rank after a grace
 * period (`shouldAct`).
 *
 * Member ids are per incarnation (`<replicaId>@<start>`, then `.2`, `.3`… each time this replica
 * finds its own heartbeat lapsed), so a departed id never comes back: the leases it held are void
 * for good, and this replica fences itself (no Identity Center call) once its heartbeat is about to
 * lapse.
 */
export class Ownership {
  private view: string[];
  private departedIds: string[] = [];
  private lastBeatAt: number | undefined;
  private incarnation = 1;
  private readonly base: string;
  private refreshing: Promise<boolean> | undefined;
  private left = false;

  constructor(
    private readonly deps: {
      membership: Membership;
      clock: Clock;
      logger: Logger;
      /** The engine options of the same names (EngineOptions). */
      options: {
        replicaId: string;
        heartbeatMs: number;
        memberTtlMs: number;
        ownershipGraceMs: number;
        fenceMarginMs: number;
      };
      /** Called when the live members change (this replica's share changed). */
      onChange?: () => void;
    },
  ) {
    this.base = `${deps.options.replicaId}@${deps.clock.now().toString(36)}`;
    this.view = [this.memberId];
  }

  /** This replica's id in the membership and in the leases it takes. */
  get memberId(): string {
    return this.incarnation === 1 ? this.base : `${this.base}.${this.incarnation}`;
  }

  /** The live members as last read (this replica always among them). */
  get members(): readonly string[] {
    return this.view;
  }

  /** Members seen departed: the leases they hold are void. */
  get departed(): readonly string[] {
    return this.departedIds;
  }

  /** Whether this replica ranks first for `workKey` among the live members. */
  owns(workKey: string): boolean {
    return rankOf(this.memberId, workKey, this.view) === 0;
  }

  /** Whether this replica should act on work overdue by `overdueMs` (the owner always; the others in turn). */
  shouldAct(workKey: string, overdueMs: number): boolean {
    return shouldActOn(this.memberId, workKey, this.view, overdueMs, this.deps.options.ownershipGraceMs);
  }

  /**
   * Whether a lease taken as `owner` still stands for an Identity Center call: `owner` is this
   * incarnation and its heartbeat has more than the fence margin left.
   */
  mayCallAs(owner: string): boolean {
    if (owner !== this.memberId || this.lastBeatAt === undefined) return false;
    const o = this.deps.options;
    return this.deps.clock.now() < this.lastBeatAt + o.memberTtlMs - o.fenceMarginMs;
  }

  /**
   * `mayCallAs`, and when the heartbeat is merely slow (a busy store), one heartbeat now to tell a
   * slow heartbeat from a lapsed one: false only when this incarnation has really lapsed.
   */
  async fence(owner: string): Promise<boolean> {
    if (this.mayCallAs(owner)) return true;
    if (owner !== this.memberId) return false;
    await this.refresh();
    return this.mayCallAs(owner);
  }

  /** Heartbeats and re-reads the members unless that was done within the heartbeat interval. */
  async ensureFresh(): Promise<void> {
    const now = this.deps.clock.now();
    if (this.lastBeatAt !== undefined && now - this.lastBeatAt < this.deps.options.heartbeatMs) return;
    await this.refresh();
  }

  /**
   * Writes the heartbeat and reads the members; true when the live set changed. A failure is logged
   * and the last view kept (the others take this replica's share over once its heartbeat lapses).
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    if (this.left) return false;
    const { membership, clock, logger, options } = this.deps;
    const now = clock.now();
    if (this.lastBeatAt !== undefined && now >= this.lastBeatAt + options.memberTtlMs) {
      // Our heartbeat lapsed (a pause, the store out of reach): the others may have taken our leases.
      const was = this.memberId;
      this.incarnation++;
      logger.warn({ was, now: this.memberId }, 'heartbeat lapsed; rejoining under a new member id');
    }
    try {
      if (!(await membership.heartbeat(this.memberId, now, options.memberTtlMs))) {
        // The store has us departed (its clock, or a pause we did not see): rejoin as a new member.
        const was = this.memberId;
        this.incarnation++;
        logger.warn({ was, now: this.memberId }, 'heartbeat lapsed; rejoining under a new member id');
        if (!(await membership.heartbeat(this.memberId, now, options.memberTtlMs))) return false;
      }
      this.lastBeatAt = now;
      const read = clock.now();
      const { live, departed, deadlines } = await membership.members(read);
      // A member whose last heartbeat is over two and a half beats old has stopped (killed, cut off):
      // its share is ranked among the others at once, without waiting for its deadline (its leases
      // stay its own until then; only speed depends on this).
      const quietAfter = read + options.memberTtlMs - 2.5 * options.heartbeatMs;
      const beating = live.filter((m) => m === this.memberId || (deadlines?.[m] ?? Infinity) > quietAfter);
      const next = [...new Set([...beating, this.memberId])].sort();
      const changed = next.join('\n') !== this.view.join('\n');
      this.view = next;
      // At most 50 (the latest): a DynamoDB condition takes at most 100 operands in IN.
      this.departedIds = departed.filter((d) => d !== this.memberId).slice(0, 50);
      if (changed) {
        logger.info({ members: next }, 'replica membership changed');
        this.deps.onChange?.();
      }
      return changed;
    } catch (error) {
      logger.warn({ err: error }, 'membership not refreshed; keeping the last view');
      return false;
    }
  }

  /** Leaves the membership (graceful stop): the others take the share over at their next refresh. */
  async leave(): Promise<void> {
    this.left = true;
    await this.deps.membership.leave(this.memberId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'could not leave the membership; the heartbeat will lapse');
    });
  }
}
