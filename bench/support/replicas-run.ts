/**
 * The multi-process revocation measurement behind `npm run bench -- replicas` (and `-- slack-ack
 * --during-revocations`): replicas as separate processes, as in production.
 *
 * Processes: the local AWS emulator (its own process: `npm run emulator`), dynalite (its own
 * process), and N keyless replicas (bench/support/replica-process.ts: the production composition
 * root with the real DynamoDB and Identity Center adapters, reaching both through the SDK's
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_DYNAMODB). This process only sets up and observes.
 *
 * Set-up (not measured): the replicas are spawned first (loading modules takes seconds); meanwhile
 * N distinct (user, account, permission set) triples get their assignment in the emulator and an
 * active grant written exactly as the engine leaves it after activation, `expiresAt` spread evenly
 * over a window a few seconds ahead. Then every replica is told to start (its first sweep finds
 * the grants, as after a deploy).
 *
 * Measured, from the emulator's admin API (its operations and request log):
 * - lag per grant = when the emulator accepted the DeleteAccountAssignment − expiresAt;
 * - missed = grants never revoked (by the end of the grace period); double_revocations = more
 *   than one Delete accepted for an assignment, plus Deletes answered with an error (a second
 *   call for an assignment already being removed);
 * - per replica (over IPC at the end, or its last report before a SIGKILL): CPU seconds from ready
 *   to the end (process.cpuUsage; its start-up, first sweep included, apart), DynamoDB commands by
 *   name from its start (SDK middleware), its Delete calls, and event-loop delay; dynalite and the
 *   emulator's CPU over the same time (from /proc) are shown as infrastructure.
 * With `kill: K`, the last K replicas are SIGKILLed in the middle of the burst; the grants not yet
 * revoked at that moment (the killed replicas' share among them) are reported apart (killed_*).
 * The burst mixes in group grants and access that starts later (`mix`, bench/support/replicas-mix.ts):
 * their revocations count as the others do, and the mix's own invariants are reported
 * (leaked_assignments, leaked_memberships, early, missed_starts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AwsEmulatorAdminClient } from '../../adapters/local/aws-emulator';
import { DEMO_SEED_PATH } from '../../adapters/local/aws-emulator/seed';
import type { ParentMessage, ReplicaFigures, ReplicaMessage } from './replica-process';
import {
  actualExpiries,
  benchGroupName,
  DEFAULT_MIX,
  grantPlannedAccess,
  mixChecks,
  planBurst,
  revocationsOf,
  writePlannedBurst,
  type BurstMix,
  type MixFigures,
} from './replicas-mix';
import {
  cpuSeconds,
  forEachLimit,
  localIdentityCenter,
  localStore,
  quantile,
  sleep,
  spawnChild,
  spawnService,
  targetKey,
  type ChildService,
  type Service,
} from './local-stack';

export interface ReplicasRunOptions {
  grants: number;
  replicas: number;
  /** expiresAt values are spread evenly over this window. */
  windowMs: number;
  /** Time between the end of the grant writes and the first expiry (the replicas start in it). */
  leadMs: number;
  /** Provisioning delay of the emulator's assignment operations. */
  delayMs: number;
  /** A grant not revoked this long after the window's end counts as missed. */
  graceMs: number;
  /** Replicas SIGKILLed in the middle of the burst (the last ones: replica-1 always lives). */
  kill?: number;
  /** Kill once this share of the grants is revoked (default 0.5: the middle of the burst). */
  killAt?: number;
  /** KEYLESS_SWEEP_MS of the replicas (default: keyless's own default). */
  sweepMs?: number;
  /** Group grants and scheduled starts in the burst (default DEFAULT_MIX; ONLY_ACCOUNTS: none). */
  mix?: BurstMix;
  /** Slack for replica-1 (it then answers /slack/events), as the slack-ack bench needs. */
  slack?: { signingSecret: string; botToken: string; apiUrl: string };
  /**
   * Work beside the burst, with replica-1's URL: `prepare` once the replicas are ready, `run` from
   * the first expiry (or when `prepare` is done, if later), while the burst is being revoked.
   */
  during?: {
    prepare?(replica1Url: string): Promise<void>;
    run(replica1Url: string, firstExpiry: number): Promise<void>;
  };
  log?: (line: string) => void;
}

export interface ReplicaReport extends ReplicaFigures {
  /** SIGKILLed mid-burst: the figures are its last report (≤ 1 s before the kill). */
  killed?: true;
}

export interface ReplicasRunResult extends MixFigures {
  grants: number;
  replicas: number;
  killed_replicas: number;
  p50_lag_ms: number;
  p99_lag_ms: number;
  max_lag_ms: number;
  missed: number;
  double_revocations: number;
  /** Grants not yet revoked when the replicas were killed (0 without --kill). */
  killed_grants?: number;
  killed_p99_lag_ms?: number;
  killed_max_lag_ms?: number;
  window_ms: number;
  delete_calls: number;
  /** The emulator's answers to those calls: ok, or the error code. */
  delete_outcomes: Record<string, number>;
  dynamodb_ops_per_revocation: number;
  dynamodb_ops: Record<string, number>;
  /** CPU seconds of each keyless process, from ready (its first sweep done) to the end. */
  cpu_s: Record<string, number>;
  keyless_cpu_s_total: number;
  /** CPU seconds of the start-ups (configuration, clients, first sweep), summed: not in cpu_s. */
  keyless_startup_cpu_s_total: number;
  keyless_cpu_ms_per_revocation: number;
  /** dynalite and the AWS emulator: not keyless, shown apart. */
  infrastructure_cpu_s: { dynalite?: number; emulator?: number };
  event_loop_delay_p99_ms: number;
  per_replica: Record<string, Omit<ReplicaReport, 'replica'>>;
  not_expired: number;
  /** First expiry − the moment every replica was ready (negative: the burst began before). */
  setup_margin_ms: number;
  /**
   * Grants unassigned before every replica was ready (a loaded machine: the start-ups ran into the
   * burst). Their CPU is in `startup_cpu_s`, not in `cpu_s`: compare CPU only when this is 0.
   */
  revoked_before_ready: number;
}

export interface Replica {
  name: string;
  service: ChildService;
  last?: ReplicaFigures;
  killed?: boolean;
  url?: string;
  next(type: ReplicaMessage['type'], timeoutMs: number): Promise<ReplicaMessage>;
  send(message: ParentMessage): void;
}

export function spawnReplica(name: string, env: NodeJS.ProcessEnv): Replica {
  const service = spawnChild(
    'bench/support/replica-process.ts',
    [],
    { ...env, KEYLESS_REPLICA_ID: name },
    { ipc: true },
  );
  const waiting: { type: string; resolve: (m: ReplicaMessage) => void }[] = [];
  const early: ReplicaMessage[] = [];
  const replica: Replica = {
    name,
    service,
    send: (message) => {
      if (service.alive && service.child.connected) service.child.send(message);
    },
    next(type, timeoutMs) {
      const seen = early.findIndex((m) => m.type === type || m.type === 'failed');
      if (seen >= 0) return Promise.resolve(early.splice(seen, 1)[0]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no '${type}' within ${timeoutMs} ms\n${service.stderrTail()}`)),
          timeoutMs,
        );
        const entry = {
          type,
          resolve: (m: ReplicaMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        waiting.push(entry);
        void service.exited.then((code) => {
          if (!waiting.includes(entry)) return;
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) while waiting for '${type}'\n${service.stderrTail()}`));
        });
      });
    },
  };
  service.child.on('message', (message: ReplicaMessage) => {
    if (message.type === 'tick' || message.type === 'report') replica.last = message.figures;
    if (message.type === 'tick') return;
    const i = waiting.findIndex((w) => w.type === message.type || message.type === 'failed');
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(message);
    else early.push(message);
  });
  return replica;
}

export const expect = <T extends ReplicaMessage['type']>(
  m: ReplicaMessage,
  type: T,
): Extract<ReplicaMessage, { type: T }> => {
  if (m.type === 'failed') throw new Error(`a replica failed: ${m.error}`);
  if (m.type !== type) throw new Error(`expected '${type}', got '${m.type}'`);
  return m as Extract<ReplicaMessage, { type: T }>;
};

/**
 * The demo organization (whose people and channels the Slack bench uses) plus `side` users
 * (user<i>@example.com) and `side` accounts, so that there are enough distinct triples.
 */
export function benchSeed(side: number, groups = 0): unknown {
  const seed = parseYaml(readFileSync(DEMO_SEED_PATH, 'utf8')) as {
    users: unknown[];
    accounts: unknown[];
    groups: unknown[];
  };
  // Groups for group grants (bench-group-<k>), with no standing member.
  for (let k = 0; k < groups; k++) seed.groups.push({ name: benchGroupName(k) });
  for (let i = 0; i < side; i++) {
    seed.users.push({ userName: `user${i}`, email: `user${i}@example.com`, groups: ['engineers'] });
    seed.accounts.push({
      id: String(700000000000 + i),
      name: `bench-${String(i).padStart(4, '0')}`,
      ou: 'ou-ab12-22222222',
      tags: { env: 'sandbox', team: 'bench' },
    });
  }
  return seed;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * What every replica bench starts before its replicas: the AWS emulator with the bench seed (side²
 * users and accounts: the demo seed has 3 permission sets, so side² × 3 triples for the grants) and
 * dynalite, each its own process, and the environment every replica process gets. Generous start-up
 * limits: on a loaded machine, loading the modules alone takes seconds.
 */
export async function startBenchServices(o: {
  dir: string;
  grants: number;
  delayMs: number;
  sweepMs?: number;
  table: string;
  /** Group grants to seed groups for (one membership per user and group). */
  groupGrants?: number;
}): Promise<{ side: number; admin: AwsEmulatorAdminClient; env: NodeJS.ProcessEnv; aws: Service; dynamo: Service }> {
  const side = Math.max(4, Math.ceil(Math.sqrt(o.grants / 3)));
  const seedFile = join(o.dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(benchSeed(side, Math.ceil((o.groupGrants ?? 0) / side))));
  const [aws, dynamo] = await Promise.all([
    spawnService(
      'adapters/local/aws-emulator/cli.ts',
      ['--port', '0', '--seed', seedFile, '--delay', String(o.delayMs)],
      {},
      120_000,
    ),
    spawnService('bench/support/dynalite-server.ts', [], {}, 120_000),
  ]);
  const env: NodeJS.ProcessEnv = {
    KEYLESS_MODE: 'local',
    AWS_ENDPOINT_URL: aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALBENCH',
    AWS_SECRET_ACCESS_KEY: 'local',
    KEYLESS_PORT: '0',
    KEYLESS_TABLE: o.table,
    KEYLESS_DATA_DIR: join(o.dir, 'data'),
    KEYLESS_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    ...(o.sweepMs ? { KEYLESS_SWEEP_MS: String(o.sweepMs) } : {}),
    SLACK_SIGNING_SECRET: '',
    SLACK_BOT_TOKEN: '',
    SLACK_APP_TOKEN: '',
    MICROSOFT_APP_ID: '',
  };
  return { side, admin: new AwsEmulatorAdminClient(aws.url), env, aws, dynamo };
}

export async function runReplicas(o: ReplicasRunOptions): Promise<ReplicasRunResult> {
  const log = o.log ?? ((line: string) => console.error(line));
  const kill = Math.min(o.kill ?? 0, o.replicas - 1);
  const mix = o.mix ?? DEFAULT_MIX;
  const dir = mkdtempSync(join(tmpdir(), 'keyless-replicas-'));
  const table = `keyless-bench-${Date.now()}`;
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
      groupGrants: Math.round(o.grants * mix.groups),
    });
    aws = services.aws;
    dynamo = services.dynamo;
    const { side, admin, env } = services;
    for (let r = 1; r <= o.replicas; r++) {
      const slack =
        r === 1 && o.slack
          ? {
              SLACK_SIGNING_SECRET: o.slack.signingSecret,
              SLACK_BOT_TOKEN: o.slack.botToken,
              BENCH_SLACK_API_URL: o.slack.apiUrl,
            }
          : {};
      const replica = spawnReplica(`replica-${r}`, { ...env, ...slack });
      if (process.env.BENCH_DEBUG) replica.service.onLine((line) => log(`${replica.name}: ${line.slice(0, 300)}`));
      replicas.push(replica);
    }

    // Set-up: the table, assignments, slots and active grants (while the replicas load).
    const setupStore = await localStore(dynamo.url, table);
    cleanups.push(() => setupStore.client.destroy());
    const setupIc = localIdentityCenter(aws.url);
    cleanups.push(() => setupIc.destroy());
    const plan = await planBurst(setupIc.identity, side, o.grants, mix);
    const setupStarted = Date.now();
    await grantPlannedAccess(setupIc.identity, plan);
    // The grants' expiries count from here: every replica has loaded its modules.
    for (const r of replicas) expect(await r.next('loaded', 120_000), 'loaded');
    // Extra lead for indexing the seeded grants' audit below (about 5 ms a grant).
    const burst = await writePlannedBurst(setupStore.store, plan, { ...o, leadMs: o.leadMs + o.grants * 5 }, mix);
    const { firstExpiry, expiresAt, grantOf } = burst;
    // The seeded grants' creation and activation would have been indexed long before they expire:
    // their audit is indexed here, by the set-up, so the replicas' figures count the revocations' own.
    while ((await setupStore.store.pumpAudit({ limit: 250 })).items > 0);
    log(
      `set-up: ${o.grants} active grants in ${Date.now() - setupStarted} ms; starting ${o.replicas} replica process(es)`,
    );

    // The replicas start (each its first sweep), all at once.
    for (const r of replicas) r.send({ type: 'start' });
    for (const r of replicas) r.url = expect(await r.next('ready', 600_000), 'ready').url;
    const infraBefore = { dynalite: cpuSeconds(dynamo.child.pid!), emulator: cpuSeconds(aws.child.pid!) };
    const allReadyAt = Date.now();
    const setupMargin = firstExpiry - allReadyAt;
    log(`replicas ready; first expiry in ${setupMargin} ms, window ${o.windowMs} ms`);

    const deletes = async () => revocationsOf(await admin.state(), plan.groupIds);
    const lastExpiry = firstExpiry + o.windowMs;
    const deadline = lastExpiry + o.graceMs;

    // Work during the burst (the Slack load), and the kill.
    const during = (async () => {
      if (!o.during) return;
      const url = replicas[0]!.url!;
      await o.during.prepare?.(url);
      await sleep(Math.max(0, firstExpiry - Date.now()));
      await o.during.run(url, firstExpiry);
    })();
    during.catch(() => undefined); // awaited below; a failure there must not be unhandled meanwhile
    let revokedAtKill: Set<string> | undefined;
    if (kill > 0) {
      // In the middle of the burst: once a share of the grants is revoked (the clock would not do
      // on a loaded machine, where the replicas may start after the first expiries).
      const share = Math.max(1, Math.round(o.grants * (o.killAt ?? 0.5)));
      for (;;) {
        revokedAtKill = new Set((await deletes()).map((op) => targetKey(op.assignment)));
        if (revokedAtKill.size >= share || Date.now() > deadline) break;
        await sleep(50);
      }
      const victims = replicas.slice(-kill);
      await Promise.all(
        victims.map(async (r) => {
          r.killed = true;
          await r.service.kill('SIGKILL');
        }),
      );
      log(
        `SIGKILLed ${victims.map((r) => r.name).join(', ')}; ${o.grants - revokedAtKill.size} grants not yet revoked`,
      );
    }

    // Wait for the burst to pass (plus grace for stragglers and for any second revocation).
    // Done when every grant has its Delete and is recorded as ended in the table (a killed
    // replica's grant may be unassigned and recorded only once its lease lapses).
    const unsettled = async () =>
      (await setupStore.store.listGrants({ status: 'active' })).length +
      (await setupStore.store.listGrants({ status: 'deprovisioning' })).length;
    while (Date.now() < deadline && ((await deletes()).length < o.grants || (await unsettled()) > 0)) await sleep(500);
    await sleep(Math.min(3000, Math.max(0, deadline - Date.now())));
    await during;
    const live = replicas.filter((r) => !r.killed);
    for (const r of live) r.send({ type: 'report' });
    for (const r of live) expect(await r.next('report', 20_000), 'report');
    const infra = {
      dynalite: round(cpuSeconds(dynamo.child.pid!)! - infraBefore.dynalite!, 2),
      emulator: round(cpuSeconds(aws.child.pid!)! - infraBefore.emulator!, 2),
    };

    // Figures.
    const state = await admin.state();
    await actualExpiries(setupStore.store, burst);
    const deletesPerKey = new Map<string, number[]>();
    for (const op of revocationsOf(state, plan.groupIds)) {
      const key = targetKey(op.assignment);
      deletesPerKey.set(key, [...(deletesPerKey.get(key) ?? []), op.createdAt]);
    }
    const awsLog = (await admin.log()).entries;
    const deleteCalls = awsLog.filter((e) => e.operation === 'DeleteAccountAssignment');
    const mixFigures = await mixChecks({ state, log: awsLog, store: setupStore.store, plan, burst, deadline });
    const lags: number[] = [];
    const killedLags: number[] = [];
    let missed = 0;
    let doubles = deleteCalls.filter((e) => e.outcome !== 'ok').length + mixFigures.membership_delete_errors;
    for (const [key, exp] of expiresAt) {
      const times = deletesPerKey.get(key);
      if (!times || Math.min(...times) > deadline) missed++;
      if (times) {
        const lag = Math.min(...times) - exp;
        lags.push(lag);
        if (revokedAtKill && !revokedAtKill.has(key)) killedLags.push(lag);
      }
      if (times && times.length > 1) doubles++;
    }
    let notExpired = 0;
    await forEachLimit([...grantOf.values()], 32, async (id) => {
      if ((await setupStore.store.getGrant(id))?.status !== 'expired') notExpired++;
    });
    lags.sort((a, b) => a - b);
    killedLags.sort((a, b) => a - b);

    const reports: ReplicaReport[] = replicas.map((r) => {
      // A replica killed before its first report (during its start-up) did nothing that was counted.
      const none: ReplicaFigures = {
        replica: r.name,
        cpu_s: 0,
        startup_cpu_s: 0,
        dynamodb_ops: {},
        store_calls: {},
        delete_calls: 0,
        event_loop_delay_p99_ms: 0,
        event_loop_delay_max_ms: 0,
      };
      if (!r.last && !r.killed) throw new Error(`${r.name} reported nothing`);
      return r.killed ? { ...(r.last ?? none), killed: true } : r.last!;
    });
    const dynamoOps: Record<string, number> = {};
    for (const rep of reports)
      for (const [name, n] of Object.entries(rep.dynamodb_ops)) dynamoOps[name] = (dynamoOps[name] ?? 0) + n;
    const totalOps = sum(Object.values(dynamoOps));
    const keylessCpu = sum(reports.map((rep) => rep.cpu_s));
    const expiries = [...expiresAt.values()];
    log(
      `revoked ${lags.length}/${o.grants}; ${deleteCalls.length} DeleteAccountAssignment calls; ` +
        `DynamoDB ops: ${JSON.stringify(dynamoOps)}`,
    );
    return {
      grants: o.grants,
      replicas: o.replicas,
      killed_replicas: kill,
      p50_lag_ms: quantile(lags, 0.5),
      p99_lag_ms: quantile(lags, 0.99),
      max_lag_ms: lags[lags.length - 1] ?? NaN,
      missed,
      double_revocations: doubles,
      ...(revokedAtKill
        ? {
            killed_grants: o.grants - revokedAtKill.size,
            killed_p99_lag_ms: quantile(killedLags, 0.99),
            killed_max_lag_ms: killedLags[killedLags.length - 1] ?? NaN,
          }
        : {}),
      window_ms: Math.max(...expiries) - Math.min(...expiries),
      delete_calls: deleteCalls.length,
      delete_outcomes: deleteCalls.reduce<Record<string, number>>(
        (acc, e) => ({ ...acc, [e.outcome]: (acc[e.outcome] ?? 0) + 1 }),
        {},
      ),
      dynamodb_ops_per_revocation: round(totalOps / o.grants, 2),
      dynamodb_ops: dynamoOps,
      cpu_s: Object.fromEntries(reports.map((rep) => [rep.replica, round(rep.cpu_s, 2)])),
      keyless_cpu_s_total: round(keylessCpu, 2),
      keyless_startup_cpu_s_total: round(sum(reports.map((rep) => rep.startup_cpu_s)), 2),
      keyless_cpu_ms_per_revocation: round((keylessCpu * 1000) / o.grants, 2),
      infrastructure_cpu_s: infra,
      event_loop_delay_p99_ms: Math.max(...reports.map((rep) => rep.event_loop_delay_p99_ms)),
      per_replica: Object.fromEntries(reports.map(({ replica, ...rest }) => [replica, rest])),
      not_expired: notExpired,
      setup_margin_ms: setupMargin,
      revoked_before_ready: revocationsOf(state, plan.groupIds).filter((op) => op.createdAt < allReadyAt).length,
      ...mixFigures,
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
