import type { Grant, GrantId } from '../domain';
import type { TimerHandle } from '../ports';
import type { EngineContext } from './deps';
import { deprovisionInBackground } from './deprovision';

/**
 * In-process timers for active grants that expire within the horizon: revocation starts at the
 * expiry instant, not at the next sweep. The sweep (the backstop) re-arms them after a restart and
 * revokes anything a timer missed.
 */
export class ExpiryTimers {
  private readonly timers = new Map<string, { at: number; handle: TimerHandle }>();
  private stopped = false;

  constructor(private readonly ctx: () => EngineContext) {}

  track(grant: Grant): void {
    if (this.stopped) return;
    const ctx = this.ctx();
    if (grant.status !== 'active' || grant.expiresAt === undefined) return this.untrack(grant.id);
    if (grant.expiresAt > ctx.clock.now() + ctx.options.timerHorizonMs) return this.untrack(grant.id);
    const existing = this.timers.get(grant.id);
    if (existing?.at === grant.expiresAt) return;
    existing?.handle.cancel();
    const id = grant.id as GrantId;
    const handle = ctx.clock.setTimer(grant.expiresAt, () => {
      this.timers.delete(id);
      deprovisionInBackground(ctx, id);
    });
    this.timers.set(id, { at: grant.expiresAt, handle });
  }

  untrack(grantId: string): void {
    this.timers.get(grantId)?.handle.cancel();
    this.timers.delete(grantId);
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
