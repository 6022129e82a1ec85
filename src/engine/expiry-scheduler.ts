import type { Grant, GrantId } from '../domain';
import type { TimerHandle } from '../ports';
import type { EngineContext } from './deps';
import { deprovisionInBackground } from './deprovision';
import { startInBackground } from './start-scheduled';

/**
 * In-process timers for the scheduled grants this replica owns that start within the horizon (the
 * assignment is requested at the start instant), and for the active grants this replica owns that expire within the horizon:
 * revocation starts at the expiry instant, not at the next sweep. The sweep (the backstop) re-arms
 * them after a restart or a change of members, and revokes anything a timer missed. A timer keeps
 * the grant as read, so that its revocation starts with a write, not a read.
 */
export class ExpiryTimers {
  private readonly timers = new Map<string, { at: number; grant: Grant; handle: TimerHandle }>();
  private stopped = false;

  constructor(private readonly ctx: () => EngineContext) {}

  track(grant: Grant): void {
    if (this.stopped) return;
    const ctx = this.ctx();
    const starting = grant.status === 'scheduled';
    const at = starting ? grant.startsAt : grant.status === 'active' ? grant.expiresAt : undefined;
    if (at === undefined) return this.untrack(grant.id);
    if (at > ctx.clock.now() + ctx.options.timerHorizonMs) return this.untrack(grant.id);
    if (!ctx.ownership.owns(grant.id)) return this.untrack(grant.id);
    const existing = this.timers.get(grant.id);
    if (existing?.at === at && existing.grant.version >= grant.version) return;
    existing?.handle.cancel();
    const id = grant.id as GrantId;
    const handle = ctx.clock.setTimer(at, () => {
      const armed = this.timers.get(id);
      this.timers.delete(id);
      if (starting) startInBackground(ctx, id, armed?.grant ?? grant);
      else deprovisionInBackground(ctx, id, armed?.grant ?? grant);
    });
    this.timers.set(id, { at, grant, handle });
  }

  untrack(grantId: string): void {
    this.timers.get(grantId)?.handle.cancel();
    this.timers.delete(grantId);
  }

  /** Drops the timers of grants this replica no longer owns (another member joined). */
  retainOwned(): void {
    const ctx = this.ctx();
    for (const id of [...this.timers.keys()]) if (!ctx.ownership.owns(id)) this.untrack(id);
  }

  get size(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
  }
}
