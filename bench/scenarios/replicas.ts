/**
 * `npm run bench -- replicas [--replicas 3] [--grants 1000] [--window 10000] [--lead 5000]
 *  [--delay 250] [--grace 30000] [--sweep ms] [--kill K] [--kill-at 0.5]
 *  [--groups 0.1] [--scheduled 0.1] [--scheduled-duration 2] [--only-accounts]`
 * `npm run bench -- replicas --find-rate [--replicas 3] [--duration 20] [--rate 25] [--trials 7]`
 *
 * Scale-out, with replicas as separate processes (as in production): N keyless processes on one
 * dynalite process and one AWS emulator process revoke a burst of grants expiring within a window
 * (see bench/support/replicas-run.ts for what is set up and measured). `--replicas 1` is the
 * single-engine comparison. `--kill K` SIGKILLs K replicas in the middle of the burst (once a share
 * `--kill-at` of the grants is revoked) and reports the grants not yet revoked then apart
 * (killed_*). `--find-rate` searches the highest sustained
 * expiry rate (grants/s, expiring evenly over `--duration` seconds) at which p99 lag stays ≤ 1 s
 * with no grant missed or revoked twice (max_rate_per_s).
 *
 * The burst mixes in, by default, 10% group grants (a membership of an Identity Center group,
 * removed with DeleteGroupMembership) and 10% access that starts later (started inside the window,
 * then revoked `--scheduled-duration` seconds later); `missed`, `double_revocations` and the lags
 * cover every kind, and leaked_assignments, leaked_memberships, early and missed_starts must be 0.
 * `--only-accounts` is the scenario without the mix (account grants only), as measured before it.
 */
import type { BenchArgs } from '../run';
import { DEFAULT_MIX, ONLY_ACCOUNTS, type BurstMix } from '../support/replicas-mix';
import { runReplicas, type ReplicasRunOptions, type ReplicasRunResult } from '../support/replicas-run';

/** The burst's mix from `--groups`, `--scheduled`, `--scheduled-duration`, or none with `--only-accounts`. */
export function mixOptions(args: BenchArgs): BurstMix {
  if (args['only-accounts'] === 'true') return ONLY_ACCOUNTS;
  return {
    groups: Number(args.groups ?? DEFAULT_MIX.groups),
    scheduled: Number(args.scheduled ?? DEFAULT_MIX.scheduled),
    scheduledDurationS: Number(args['scheduled-duration'] ?? DEFAULT_MIX.scheduledDurationS),
  };
}

export function replicasOptions(args: BenchArgs, defaultReplicas = 3): ReplicasRunOptions {
  return {
    grants: Number(args.grants ?? 1000),
    replicas: Number(args.replicas ?? defaultReplicas),
    windowMs: Number(args.window ?? 10_000),
    leadMs: Number(args.lead ?? 5000),
    delayMs: Number(args.delay ?? 250),
    graceMs: Number(args.grace ?? 30_000),
    kill: Number(args.kill ?? 0),
    killAt: Number(args['kill-at'] ?? 0.5),
    mix: mixOptions(args),
    ...(args.sweep ? { sweepMs: Number(args.sweep) } : {}),
  };
}

const LAG_LIMIT_MS = 1000;
const passes = (r: ReplicasRunResult) =>
  r.p99_lag_ms <= LAG_LIMIT_MS &&
  r.missed === 0 &&
  r.double_revocations === 0 &&
  r.leaked_assignments === 0 &&
  r.leaked_memberships === 0 &&
  r.early === 0 &&
  r.missed_starts === 0;

/**
 * Doubles the rate from `--rate` while a trial passes, then halves the gap between the best pass
 * and the first failure; `--trials` runs in all. Each trial is a fresh run (processes, table).
 */
async function findRate(args: BenchArgs): Promise<Record<string, unknown>> {
  const base = replicasOptions(args);
  const durationS = Number(args.duration ?? 20);
  const maxTrials = Number(args.trials ?? 7);
  let rate = Number(args.rate ?? 25);
  let best: { rate: number; result: ReplicasRunResult } | undefined;
  let failedAt: number | undefined;
  let lowest: ReplicasRunResult | undefined;
  const trials: { rate_per_s: number; p99_lag_ms: number; missed: number; double_revocations: number }[] = [];
  for (let t = 0; t < maxTrials && rate >= 1; t++) {
    const grants = Math.round(rate * durationS);
    console.error(`find-rate: trial ${t + 1}: ${rate}/s (${grants} grants over ${durationS} s)`);
    const result = await runReplicas({ ...base, kill: 0, grants, windowMs: durationS * 1000 });
    trials.push({
      rate_per_s: rate,
      p99_lag_ms: result.p99_lag_ms,
      missed: result.missed,
      double_revocations: result.double_revocations,
    });
    console.error(`find-rate: ${rate}/s → p99 lag ${result.p99_lag_ms} ms, missed ${result.missed}`);
    if (!lowest || result.grants < lowest.grants) lowest = result;
    if (passes(result)) {
      if (!best || rate > best.rate) best = { rate, result };
    } else {
      failedAt = failedAt === undefined ? rate : Math.min(failedAt, rate);
    }
    const next: number = failedAt === undefined ? rate * 2 : Math.round(((best?.rate ?? 0) + failedAt) / 2);
    if (next === rate || next === best?.rate || next === failedAt) break;
    rate = next;
  }
  // The figures of the best passing trial (or, when none passed, of the slowest rate tried).
  const { grants, replicas, ...figures } = best?.result ?? lowest!;
  return {
    scenario: 'replicas',
    mode: 'find-rate',
    grants,
    replicas,
    max_rate_per_s: best?.rate ?? 0,
    duration_s: durationS,
    lag_limit_ms: LAG_LIMIT_MS,
    trials,
    ...figures,
  };
}

export default async function replicas(args: BenchArgs): Promise<Record<string, unknown>> {
  if (args['find-rate'] === 'true') return findRate(args);
  const { grants, replicas: n, ...rest } = await runReplicas(replicasOptions(args));
  return { scenario: 'replicas', grants, replicas: n, ...rest };
}
