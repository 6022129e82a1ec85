import { systemActor, type Grant, type GrantId } from '../domain';
import { commitGrant } from './commit';
import type { EngineContext } from './deps';
import { activate } from './fulfil-request';

const SCHEDULER = systemActor('scheduler');

export function startInBackground(ctx: EngineContext, grantId: GrantId, known?: Grant): void {
  ctx.background(`start:${grantId}`, () => startScheduled(ctx, grantId, known));
}

/**
 * Access that starts later, at its start: scheduled → provisioning (one conditional write, so one
 * replica moves it whoever else tries), then the usual activation under the grant's lease. Before
 * `startsAt` nothing happens (the grant machine refuses `start_reached` too): a timer that fired
 * early is armed again. A crash after the write leaves the grant in provisioning, which the sweep
 * drives on like any other.
 */
export async function startScheduled(ctx: EngineContext, grantId: GrantId, known?: Grant): Promise<void> {
  const { grant, changed } = await commitGrant(
    ctx,
    grantId,
    (g) =>
      g.status === 'scheduled' && g.startsAt !== undefined && g.startsAt <= ctx.clock.now()
        ? { type: 'start_reached', actor: SCHEDULER, at: ctx.clock.now() }
        : undefined,
    known,
  );
  if (grant.status === 'scheduled') {
    ctx.scheduler.track(grant);
    return;
  }
  if (changed) {
    ctx.logger.info(
      { grantId, startsAt: grant.startsAt, startLagMs: ctx.clock.now() - (grant.startsAt ?? 0) },
      'scheduled access starts',
    );
  }
  if (grant.status === 'provisioning') await activate(ctx, grantId);
}
