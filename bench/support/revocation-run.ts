/**
 * The revocation measurement behind `npm run bench -- revocation` and `-- replicas`.
 *
 * Set-up (not measured): dynalite (its own process by default), the local AWS emulator in this
 * process with a generated organization, N distinct (user, account, permission set) triples. For
 * each, the assignment is created in the emulator through the real adapter, the one-active-grant
 * slot is claimed, and an active grant is written exactly as the engine leaves it after activation
 * (the domain's own create + assignment_confirmed transitions), with `expiresAt` spread evenly over
 * a window that starts a few seconds after the set-up.
 *
 * Measured: R engines (distinct replicaId, each its own DynamoDB client, store and Identity Center
 * adapter, system clock, default sweep and timer settings) are started (sweep first, which arms the
 * in-process timers) and revoke. lag = arrival of the DeleteAccountAssignment call at the emulator
 * (its operation log) − the grant's expiresAt.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmbeddedDynamo } from '../../adapters/local/embedded-dynamodb';
import { generateSeed, startAwsEmulator } from '../../adapters/local/aws-emulator';
import { DynamoGrantStore } from '../../adapters/dynamodb';
import { silentLogger, type Engine } from '../../src';
import { AuditPump } from '../../adapters/main/audit-pump';
import {
  cpuSeconds,
  forEachLimit,
  localDynamo,
  localEngine,
  localIdentityCenter,
  localStore,
  quantile,
  resolveTargets,
  sleep,
  spawnService,
  targetKey,
  writeGrantBurst,
  type Service,
} from './local-stack';

export interface RevocationRunOptions {
  grants: number;
  replicas: number;
  /** expiresAt values are spread evenly over this window. */
  windowMs: number;
  /** Time between the end of the set-up and the first expiry. */
  leadMs: number;
  /** Provisioning delay of the emulator's assignment operations. */
  delayMs: number;
  /** dynalite in its own process (default) or in this one. */
  dynamoInProcess: boolean;
  sweepMs?: number;
  /**
   * Run the audit pump beside the engines (as `keyless start` does), on its own counted client:
   * its DynamoDB commands are reported apart from the engines' (`audit_pump_ops`).
   */
  auditPump?: boolean;
  /** A grant not revoked this long after the window's end counts as missed. */
  graceMs: number;
  log?: (line: string) => void;
}

export interface RevocationRunResult {
  grants: number;
  replicas: number;
  p50_lag_ms: number;
  p99_lag_ms: number;
  max_lag_ms: number;
  missed: number;
  double_revocations: number;
  window_ms: number;
  delete_calls: number;
  dynamodb_ops_per_revocation: number;
  dynamodb_ops: Record<string, number>;
  /** With `auditPump`: the pump's commands (off the revocation path), per revocation and by name. */
  audit_pump_ops_per_revocation?: number;
  audit_pump_ops?: Record<string, number>;
  /** With `auditPump`: audit events the pump indexed while the engines revoked. */
  audit_events_indexed?: number;
  not_expired: number;
  setup_margin_ms: number;
  /** Event-loop delay of this process (engines + emulator) while revoking. */
  event_loop_delay_p99_ms: number;
  /** CPU seconds used while revoking: this process, and dynalite when in its own process. */
  cpu_s: { bench: number; dynalite?: number };
}

/** Counts the commands a DynamoDB client sends, by name. */
function countCommands(client: DynamoDBClient, counts: Record<string, number>): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCommands' },
  );
}

export async function runRevocation(o: RevocationRunOptions): Promise<RevocationRunResult> {
  const log = o.log ?? ((line: string) => console.error(line));
  const side = Math.ceil(Math.sqrt(o.grants));
  const aws = await startAwsEmulator({
    seed: generateSeed({ accounts: side, users: side, ous: 3, permissionSets: 1 }),
    port: 0,
    faults: { provisioningDelayMs: o.delayMs },
  });
  let dynamoService: Service | undefined;
  let inProcessDynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>> | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    let dynamoUrl: string;
    if (o.dynamoInProcess) {
      inProcessDynamo = await startEmbeddedDynamo();
      dynamoUrl = inProcessDynamo.url;
    } else {
      dynamoService = await spawnService('bench/support/dynalite-server.ts', []);
      dynamoUrl = dynamoService.url;
    }
    const table = `keyless-bench-${Date.now()}`;
    const setupStore = await localStore(dynamoUrl, table);
    cleanups.push(() => setupStore.client.destroy());
    const setupIc = localIdentityCenter(aws.url);
    cleanups.push(() => setupIc.destroy());

    // Set-up: assignments, slots, and active grants.
    const targets = await resolveTargets(setupIc.identity, side, o.grants);
    const setupStarted = Date.now();
    const assignFailures = await forEachLimit(targets, 64, (t) => setupIc.identity.assign(t));
    if (assignFailures.length) throw new Error(`set-up: ${assignFailures.length} assignments failed`);
    const { firstExpiry, expiresAt, grantOf } = await writeGrantBurst(setupStore.store, targets, o);
    const setupMargin = firstExpiry - Date.now();
    log(
      `set-up: ${o.grants} active grants in ${Date.now() - setupStarted} ms; first expiry in ${setupMargin} ms, ` +
        `window ${o.windowMs} ms, ${o.replicas} replica(s), dynalite ${o.dynamoInProcess ? 'in-process' : 'own process'}`,
    );

    // The audit pump, when asked for: the set-up's own writes are indexed first (not measured).
    const pumpOps: Record<string, number> = {};
    let pump: AuditPump | undefined;
    let pumpStore: DynamoGrantStore | undefined;
    let auditEvents = 0;
    if (o.auditPump) {
      const client = localDynamo(dynamoUrl);
      cleanups.push(() => client.destroy());
      pumpStore = new DynamoGrantStore({ client, tableName: table });
      while ((await pumpStore.pumpAudit()).items > 0);
      countCommands(client, pumpOps);
      const counted = pumpStore;
      pump = new AuditPump({
        store: {
          pumpAudit: async (options) => {
            const done = await counted.pumpAudit(options);
            auditEvents += done.events;
            return done;
          },
        },
        prefix: 'audit',
        everyMs: 2000,
        logger: silentLogger,
      });
    }

    // The engines.
    const dynamoOps: Record<string, number> = {};
    const engines: Engine[] = [];
    for (let r = 1; r <= o.replicas; r++) {
      const client = localDynamo(dynamoUrl);
      countCommands(client, dynamoOps);
      const ic = localIdentityCenter(aws.url);
      cleanups.push(() => {
        ic.destroy();
        client.destroy();
      });
      engines.push(
        localEngine({
          store: new DynamoGrantStore({ client, tableName: table }),
          identity: ic.identity,
          options: { replicaId: `replica-${r}`, ...(o.sweepMs ? { sweepIntervalMs: o.sweepMs } : {}) },
        }),
      );
    }
    const deletesBefore = aws.log.count('DeleteAccountAssignment');
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const dynaliteCpuBefore = dynamoService?.child.pid ? cpuSeconds(dynamoService.child.pid) : undefined;
    await Promise.all(engines.map((e) => e.start()));
    pump?.start();
    log(`engines started; timers armed: ${engines.map((e) => e.armedTimers).join(', ')}`);

    // Wait for the burst to pass (plus grace for stragglers and for any second revocation).
    const lastExpiry = firstExpiry + o.windowMs;
    const deadline = lastExpiry + o.graceMs;
    const deleted = () => aws.state.operations().filter((op) => op.kind === 'delete').length;
    while (Date.now() < deadline && deleted() < o.grants) await sleep(250);
    await sleep(Math.min(3000, Math.max(0, deadline - Date.now())));
    await Promise.all(engines.map((e) => e.stop()));
    await pump?.stop();
    if (pump) while ((await pump.pass()) > 0);
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const dynaliteCpuAfter = dynamoService?.child.pid ? cpuSeconds(dynamoService.child.pid) : undefined;

    // Figures.
    const deletesPerKey = new Map<string, number[]>();
    for (const op of aws.state.operations()) {
      if (op.kind !== 'delete') continue;
      const key = targetKey(op.assignment);
      deletesPerKey.set(key, [...(deletesPerKey.get(key) ?? []), op.createdAt]);
    }
    const deleteCalls = aws.log.entries({ operation: 'DeleteAccountAssignment' }).slice(deletesBefore);
    // A Delete answered with an error (not found, conflict) is a second call for a grant already
    // being revoked: no grant is unassigned by such a call except a second time.
    const unattributed = deleteCalls.filter((e) => e.outcome !== 'ok').length;
    const lags: number[] = [];
    let missed = 0;
    let doubles = unattributed;
    for (const [key, exp] of expiresAt) {
      const times = deletesPerKey.get(key);
      if (!times || times[0]! > deadline) missed++;
      if (times) lags.push(Math.min(...times) - exp);
      if (times && times.length > 1) doubles++;
    }
    let notExpired = 0;
    await forEachLimit([...grantOf.values()], 32, async (id) => {
      if ((await setupStore.store.getGrant(id))?.status !== 'expired') notExpired++;
    });
    lags.sort((a, b) => a - b);
    const totalOps = Object.values(dynamoOps).reduce((a, b) => a + b, 0);
    const totalPumpOps = Object.values(pumpOps).reduce((a, b) => a + b, 0);
    const expiries = [...expiresAt.values()];
    log(
      `revoked ${lags.length}/${o.grants}; ${deleteCalls.length} DeleteAccountAssignment calls; ` +
        `DynamoDB ops by the engines: ${JSON.stringify(dynamoOps)}`,
    );
    return {
      grants: o.grants,
      replicas: o.replicas,
      p50_lag_ms: quantile(lags, 0.5),
      p99_lag_ms: quantile(lags, 0.99),
      max_lag_ms: lags[lags.length - 1] ?? NaN,
      missed,
      double_revocations: doubles,
      window_ms: Math.max(...expiries) - Math.min(...expiries),
      delete_calls: deleteCalls.length,
      dynamodb_ops_per_revocation: Number((totalOps / o.grants).toFixed(1)),
      dynamodb_ops: dynamoOps,
      ...(o.auditPump
        ? {
            audit_pump_ops_per_revocation: Number((totalPumpOps / o.grants).toFixed(1)),
            audit_pump_ops: pumpOps,
            audit_events_indexed: auditEvents,
          }
        : {}),
      not_expired: notExpired,
      setup_margin_ms: setupMargin,
      event_loop_delay_p99_ms: Number((loopDelay.percentile(99) / 1e6).toFixed(1)),
      cpu_s: {
        bench: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
        ...(dynaliteCpuBefore !== undefined && dynaliteCpuAfter !== undefined
          ? { dynalite: Number((dynaliteCpuAfter - dynaliteCpuBefore).toFixed(1)) }
          : {}),
      },
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
    await aws.stop();
    await inProcessDynamo?.stop();
    await dynamoService?.kill('SIGTERM');
  }
}
