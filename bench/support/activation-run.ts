/**
 * The multi-process measurement behind `npm run bench -- activation`: access that starts later,
 * started by N keyless replicas as separate processes (bench/support/replica-process.ts, the
 * production composition root on the real DynamoDB and Identity Center adapters), on one dynalite
 * process and one AWS emulator process, as `replicas` does for expiries (replicas-run.ts).
 *
 * Set-up (not measured): the replicas load and start (their first sweep, on an empty table); then
 * one scheduled grant per distinct (user, account, permission set) is written as the engine leaves
 * it once approved, its start spread evenly over a window that opens `leadMs` after the writes, as
 * access asked for ahead is (the replicas find the starts in their periodic sweeps and arm timers).
 *
 * Measured, from the emulator's admin API (its operations):
 * - lag per grant = when the emulator accepted the CreateAccountAssignment − startsAt;
 * - early = assignments created before their start (must be 0: access never starts early);
 * - missed = grants with no assignment by the end of the grace period;
 * - doubled = more than one Create accepted for an assignment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  localIdentityCenter,
  localStore,
  quantile,
  resolveTargets,
  sleep,
  targetKey,
  writeScheduledBurst,
  type Service,
} from './local-stack';
import { expect, spawnReplica, startBenchServices, type Replica } from './replicas-run';

export interface ActivationRunOptions {
  grants: number;
  replicas: number;
  /** Starts are spread evenly over this window. */
  windowMs: number;
  /**
   * Time between the end of the grant writes and the first start: the replicas' sweeps find the
   * starts in it (their whole-horizon scan runs every 30 s), so it should exceed that.
   */
  leadMs: number;
  /** Provisioning delay of the emulator's assignment operations. */
  delayMs: number;
  /** A grant not started this long after the window's end counts as missed. */
  graceMs: number;
  /** KEYLESS_SWEEP_MS of the replicas (default: keyless's own default). */
  sweepMs?: number;
  log?: (line: string) => void;
}

export interface ActivationRunResult {
  grants: number;
  replicas: number;
  p50_lag_ms: number;
  p99_lag_ms: number;
  max_lag_ms: number;
  missed: number;
  early: number;
  doubled: number;
  window_ms: number;
  create_calls: number;
  /** First start − the end of the grant writes (negative: a loaded machine wrote past it). */
  setup_margin_ms: number;
}

export async function runActivation(o: ActivationRunOptions): Promise<ActivationRunResult> {
  const log = o.log ?? ((line: string) => console.error(line));
  const dir = mkdtempSync(join(tmpdir(), 'keyless-activation-'));
  const table = `keyless-activation-${Date.now()}`;
  let aws: Service | undefined;
  let dynamo: Service | undefined;
  const replicas: Replica[] = [];
  const cleanups: (() => void)[] = [];
  try {
    const services = await startBenchServices({
      dir,
      grants: o.grants,
      delayMs: o.delayMs,
      ...(o.sweepMs ? { sweepMs: o.sweepMs } : {}),
      table,
    });
    aws = services.aws;
    dynamo = services.dynamo;
    const { side, admin, env } = services;
    for (let r = 1; r <= o.replicas; r++) {
      const replica = spawnReplica(`replica-${r}`, env);
      if (process.env.BENCH_DEBUG) replica.service.onLine((line) => log(`${replica.name}: ${line.slice(0, 300)}`));
      replicas.push(replica);
    }

    const setupStore = await localStore(dynamo.url, table);
    cleanups.push(() => setupStore.client.destroy());
    const setupIc = localIdentityCenter(aws.url);
    cleanups.push(() => setupIc.destroy());
    const targets = await resolveTargets(setupIc.identity, side, o.grants);
    for (const r of replicas) expect(await r.next('loaded', 120_000), 'loaded');
    for (const r of replicas) r.send({ type: 'start' });
    for (const r of replicas) expect(await r.next('ready', 600_000), 'ready');
    log(`${o.replicas} replica process(es) ready; writing ${o.grants} scheduled grants`);
    const { firstStart, startsAt } = await writeScheduledBurst(setupStore.store, targets, {
      ...o,
      durationSeconds: 3600,
    });
    const setupMargin = firstStart - Date.now();
    log(`set-up done; first start in ${setupMargin} ms, window ${o.windowMs} ms`);

    const creates = async () => (await admin.state()).operations.filter((op) => op.kind === 'create');
    const deadline = firstStart + o.windowMs + o.graceMs;
    const unsettled = async () =>
      (await setupStore.store.listGrants({ status: 'scheduled' })).length +
      (await setupStore.store.listGrants({ status: 'provisioning' })).length;
    while (Date.now() < deadline && ((await creates()).length < o.grants || (await unsettled()) > 0)) await sleep(500);
    await sleep(Math.min(2000, Math.max(0, deadline - Date.now())));

    const createsPerKey = new Map<string, number[]>();
    for (const op of await creates()) {
      const key = targetKey(op.assignment);
      createsPerKey.set(key, [...(createsPerKey.get(key) ?? []), op.createdAt]);
    }
    const lags: number[] = [];
    let missed = 0;
    let early = 0;
    let doubled = 0;
    for (const [key, at] of startsAt) {
      const times = createsPerKey.get(key);
      if (!times || Math.min(...times) > deadline) missed++;
      if (!times) continue;
      const first = Math.min(...times);
      if (first < at) early++;
      lags.push(first - at);
      if (times.length > 1) doubled++;
    }
    lags.sort((a, b) => a - b);
    const starts = [...startsAt.values()];
    const createCalls = (await admin.log()).entries.filter((e) => e.operation === 'CreateAccountAssignment').length;
    log(`started ${lags.length}/${o.grants}; ${createCalls} CreateAccountAssignment calls; early ${early}`);
    return {
      grants: o.grants,
      replicas: o.replicas,
      p50_lag_ms: quantile(lags, 0.5),
      p99_lag_ms: quantile(lags, 0.99),
      max_lag_ms: lags[lags.length - 1] ?? NaN,
      missed,
      early,
      doubled,
      window_ms: Math.max(...starts) - Math.min(...starts),
      create_calls: createCalls,
      setup_margin_ms: setupMargin,
    };
  } finally {
    for (const r of replicas) r.send({ type: 'stop' });
    await Promise.all(
      replicas.map(async (r) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([r.service.exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
        clearTimeout(timer);
        await r.service.kill('SIGKILL');
      }),
    );
    for (const c of cleanups.reverse()) c();
    await Promise.all([aws?.kill('SIGTERM'), dynamo?.kill('SIGTERM')]);
    rmSync(dir, { recursive: true, force: true });
  }
}
