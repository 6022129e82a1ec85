/**
 * `npm run bench -- activation [--replicas 3] [--grants 1000] [--window 10000] [--lead 90000]
 *  [--delay 250] [--grace 30000] [--sweep ms]`
 *
 * Access that starts later: 1000 scheduled grants whose starts are spread over a window, started
 * by three keyless replicas as separate processes (bench/support/activation-run.ts). The last line
 * is one JSON object: `grants`, `replicas`, `p99_lag_ms` (from the start to the assignment
 * requested, as the emulator accepted it), `missed`, `early` (assigned before their start).
 */
import type { BenchArgs } from '../run';
import { runActivation } from '../support/activation-run';

export default async function activation(args: BenchArgs): Promise<Record<string, unknown>> {
  const { grants, replicas, p99_lag_ms, missed, early, ...rest } = await runActivation({
    grants: Number(args.grants ?? 1000),
    replicas: Number(args.replicas ?? 3),
    windowMs: Number(args.window ?? 10_000),
    leadMs: Number(args.lead ?? 90_000),
    delayMs: Number(args.delay ?? 250),
    graceMs: Number(args.grace ?? 30_000),
    ...(args.sweep ? { sweepMs: Number(args.sweep) } : {}),
  });
  return { scenario: 'activation', grants, replicas, p99_lag_ms, missed, early, ...rest };
}
