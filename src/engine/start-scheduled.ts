import { systemActor, transitionGrant, type Grant, type GrantId } from '../domain';
import { commitGrant, takeInWrite } from './commit';
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
  // Given the grant as just read (a timer's, a sweep's): `start_reached` and the lease in one
  // conditional write, and the activation runs on with the grant it wrote (no read, no second
  // lease write). When that write's condition fails (the grant changed, another replica holds the
  // lease or moved it on), the ordinary path below decides.
  if (
    known?.status === 'scheduled' &&
    known.startsAt !== undefined &&
    known.startsAt <= ctx.clock.now() &&
    !ctx.busy.has(grantId)
  ) {
    await ctx.ownership.ensureFresh(); // the lease is taken as who we are now
    const t = transitionGrant(known, { type: 'start_reached', actor: SCHEDULER, at: ctx.clock.now() });
    if (t) {
      const taken = takeInWrite(ctx, t.next, known);
      await activate(ctx, grantId, {
        taken: {
          owner: taken.owner,
          grant: t.next,
          take: async () => {
            if (!(await taken.take())) return false;
            logStart(ctx, t.next);
            return true;
          },
        },
      });
      if (taken.took()) return;
      // Another replica got there first; one that only stepped in for an overdue owner leaves it.
      if (!ctx.ownership.owns(grantId)) return;
    }
  }
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
  if (changed) logStart(ctx, grant);
  if (grant.status === 'provisioning') await activate(ctx, grantId);
}

function logStart(ctx: EngineContext, grant: Grant): void {
  ctx.logger.info(
    { grantId: grant.id, startsAt: grant.startsAt, startLagMs: ctx.clock.now() - (grant.startsAt ?? 0) },
    'scheduled access starts',
  );
}
