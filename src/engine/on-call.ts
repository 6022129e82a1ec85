import { normalizeEmail } from '../domain';
import type { EngineContext } from './deps';

/**
 * The schedules among `refs` on which `email` is on call at this moment. A schedule the directory
 * cannot answer for counts as "not on call" (fail closed: nobody is approved by an outage), and is
 * logged. `fresh` asks the service again instead of its short cache (the check at a click).
 */
export async function onCallSchedulesOf(
  ctx: EngineContext,
  email: string | undefined,
  refs: readonly string[],
  options: { fresh?: boolean } = {},
): Promise<Set<string>> {
  const on = new Set<string>();
  if (!email || refs.length === 0) return on;
  const me = normalizeEmail(email);
  const at = ctx.clock.now();
  await Promise.all(
    refs.map(async (ref) => {
      const people = await whoIsOnCall(ctx, ref, at, options);
      if (people.some((p) => normalizeEmail(p) === me)) on.add(ref);
    }),
  );
  return on;
}

/** Everyone on call now on any of `refs` (their emails), for telling them about a request. */
export async function onCallEmails(ctx: EngineContext, refs: readonly string[]): Promise<string[]> {
  const at = ctx.clock.now();
  const lists = await Promise.all(refs.map((ref) => whoIsOnCall(ctx, ref, at, {})));
  return [...new Set(lists.flat())];
}

async function whoIsOnCall(
  ctx: EngineContext,
  ref: string,
  at: number,
  options: { fresh?: boolean },
): Promise<string[]> {
  if (!ctx.onCall) {
    ctx.logger.warn({ schedule: ref }, 'the policy names an on-call schedule but no on-call directory is configured');
    return [];
  }
  try {
    return await ctx.onCall.whoIsOnCall(ref, at, options);
  } catch (error) {
    ctx.logger.warn({ schedule: ref, err: error }, 'could not read who is on call; counted as nobody');
    return [];
  }
}
