/**
 * `npm run bench -- crash [--lifecycles 200] [--kills 50] [--seed n] [--delay 300]
 *  [--kill-min 300] [--kill-max 5000] [--overlap 0.15] [--scheduled 0.3] [--groups 0.2]`
 *
 * The bot in a child process against dynalite on disk and the local AWS emulator (each its own
 * process), SIGKILLed at random moments while grant lifecycles run, restarted, then checked through
 * the AWS SDK and the table (see bench/support/crash-harness.ts). A share `--scheduled` of the
 * requests starts later, a share `--groups` asks for a group membership. Every invariant must print 0.
 */
import type { BenchArgs } from '../run';
import { runCrash } from '../support/crash-harness';

export default async function crash(args: BenchArgs): Promise<Record<string, unknown>> {
  const { violations, ...result } = await runCrash({
    lifecycles: Number(args.lifecycles ?? 200),
    kills: Number(args.kills ?? 50),
    minDurationS: Number(args['min-duration'] ?? 2),
    maxDurationS: Number(args['max-duration'] ?? 5),
    overlap: Number(args.overlap ?? 0.15),
    killAfterMinMs: Number(args['kill-min'] ?? 300),
    killAfterMaxMs: Number(args['kill-max'] ?? 5000),
    provisioningDelayMs: Number(args.delay ?? 300),
    settleMs: Number(args.settle ?? 30_000),
    scheduled: Number(args.scheduled ?? 0.3),
    groups: Number(args.groups ?? 0.2),
    ...(args.seed ? { seed: Number(args.seed) } : {}),
  });
  for (const v of violations.slice(0, 50)) console.error(`violation: ${v}`);
  return result;
}
