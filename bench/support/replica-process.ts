/**
 * One keyless replica in its own process, for the multi-process benches (bench/support/replicas-run.ts).
 * It is the production composition root (`startKeyless` of adapters/main/compose.ts) on the
 * configuration read from the environment, as `keyless start` builds it: the real DynamoDB adapter
 * (AWS_ENDPOINT_URL_DYNAMODB: the shared dynalite) and the real Identity Center adapter
 * (AWS_ENDPOINT_URL: the shared AWS emulator). Two things differ from `keyless start`, both outside
 * the engine: the Identity Center pace is opened wide (the emulator has no rate limit, see
 * EMULATOR_PACE) and the start-up key scan is off (it measures the security feed, not revocation);
 * BENCH_SLACK_API_URL points the Slack adapter at the loopback workspace of the slack-ack bench.
 *
 * Protocol (IPC, `process.send`), so that the bench can SIGKILL the process at any moment:
 * - child → parent `{ type: 'loaded' }` once every module is loaded (tsx compiles them: not measured);
 * - parent → child `{ type: 'start' }`: load the configuration and start keyless;
 * - child → parent `{ type: 'ready', url, startupCpuS }`;
 * - parent → child `{ type: 'report' }` → child `{ type: 'report', figures }`;
 * - parent → child `{ type: 'stop' }`: graceful stop, then exit.
 * Counted from `start`: DynamoDB commands by name and Identity Center DeleteAccountAssignment calls
 * (SDK middleware on every client of this process). From ready: CPU (process.cpuUsage; the start-up
 * is reported apart) and event-loop delay.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { DynamoAlertStore, DynamoGrantStore } from '../../adapters/dynamodb';
import { loadConfigWithPolicy } from '../../adapters/main/config';
import { startKeyless, type Keyless } from '../../adapters/main/compose';
import { EMULATOR_PACE } from './local-stack';

export interface ReplicaFigures {
  replica: string;
  /** CPU seconds (user + system) from ready (start-up done) to this report. */
  cpu_s: number;
  /** CPU seconds from `start` to ready: configuration, clients, lazy SDK modules, the first sweep. */
  startup_cpu_s: number;
  dynamodb_ops: Record<string, number>;
  /** Calls of the DynamoDB stores' methods by name (which part of keyless sends the operations). */
  store_calls: Record<string, number>;
  /** DeleteAccountAssignment calls this replica sent (answered or not). */
  delete_calls: number;
  event_loop_delay_p99_ms: number;
  event_loop_delay_max_ms: number;
}

export type ReplicaMessage =
  | { type: 'loaded' }
  | { type: 'ready'; url: string; startupCpuS: number }
  | { type: 'report'; figures: ReplicaFigures }
  /** Every second once ready: what a replica killed later had done until then. */
  | { type: 'tick'; figures: ReplicaFigures }
  | { type: 'failed'; error: string };

export type ParentMessage = { type: 'start' } | { type: 'report' } | { type: 'stop' };

type Counted = { middlewareStack: { add: (...args: never[]) => void } };

/** Adds a counting middleware to every client of `ctor` the first time it sends. */
function countCommands(ctor: { prototype: { send: (...args: never[]) => unknown } }, count: (name: string) => void) {
  const instrumented = new WeakSet<object>();
  const send = ctor.prototype.send;
  ctor.prototype.send = function (this: Counted, ...args: never[]) {
    if (!instrumented.has(this)) {
      instrumented.add(this);
      const middleware = (next: (a: unknown) => unknown, context: { commandName?: string }) => (a: unknown) => {
        count(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
        return next(a);
      };
      (this.middlewareStack.add as (m: unknown, o: unknown) => void)(middleware, {
        step: 'initialize',
        name: 'benchCountCommands',
      });
    }
    return send.apply(this, args);
  } as typeof send;
}

/** Counts every call of the methods of `ctor`'s prototype (public and internal) by name. */
function countMethods(ctor: { prototype: object }, prefix: string, count: (name: string) => void): void {
  const proto = ctor.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method = proto[name];
    if (name === 'constructor' || typeof method !== 'function') continue;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      count(`${prefix}.${name}`);
      return (method as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

/**
 * BENCH_CPU_PROF=<dir>: a V8 CPU profile of this replica from ready to its report, written to
 * <dir>/<replica>.cpuprofile (open it in Chrome DevTools or speedscope).
 */
function cpuProfiler(dir: string | undefined, replica: string): { start(): void; write(): Promise<void> } {
  if (!dir) return { start: () => undefined, write: () => Promise.resolve() };
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  return {
    start: () => void post('Profiler.enable').then(() => post('Profiler.start')),
    write: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(join(dir, `${replica}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

const send = (message: ReplicaMessage) => process.send?.(message);
const seconds = (u: NodeJS.CpuUsage) => Number(((u.user + u.system) / 1e6).toFixed(3));

async function main(): Promise<void> {
  if (!process.send) throw new Error('replica-process runs under the bench (it needs an IPC channel)');
  const replica = process.env.KEYLESS_REPLICA_ID ?? `replica-${process.pid}`;
  const dynamoOps: Record<string, number> = {};
  const storeCalls: Record<string, number> = {};
  let deleteCalls = 0;
  const countCall = (name: string) => (storeCalls[name] = (storeCalls[name] ?? 0) + 1);
  countMethods(DynamoGrantStore, 'grants', countCall);
  countMethods(DynamoAlertStore, 'alerts', countCall);
  countCommands(DynamoDBClient as never, (name) => (dynamoOps[name] = (dynamoOps[name] ?? 0) + 1));
  countCommands(SSOAdminClient as never, (name) => {
    if (name === 'DeleteAccountAssignment') deleteCalls++;
  });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const profiler = cpuProfiler(process.env.BENCH_CPU_PROF, replica);
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let cpuAtReady: NodeJS.CpuUsage | undefined;
  let startupCpuS = 0;
  let keyless: Keyless | undefined;
  const figures = (): ReplicaFigures => ({
    replica,
    cpu_s: cpuAtReady ? seconds(process.cpuUsage(cpuAtReady)) : 0,
    startup_cpu_s: startupCpuS,
    dynamodb_ops: { ...dynamoOps },
    store_calls: { ...storeCalls },
    delete_calls: deleteCalls,
    event_loop_delay_p99_ms: Number((loop.percentile(99) / 1e6).toFixed(1)),
    event_loop_delay_max_ms: Number((loop.max / 1e6).toFixed(1)),
  });

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'start') {
      cpuAtStart = process.cpuUsage();
      void (async () => {
        const config = await loadConfigWithPolicy(process.env);
        config.aws.tps = EMULATOR_PACE.tps!;
        config.aws.maxOutstanding = EMULATOR_PACE.maxOutstandingDeletes!;
        const slackApiUrl = process.env.BENCH_SLACK_API_URL;
        keyless = await startKeyless(config, {
          scanAtStart: false,
          createTable: false,
          ...(slackApiUrl ? { slackApiUrl } : {}),
        });
        startupCpuS = seconds(process.cpuUsage(cpuAtStart));
        cpuAtReady = process.cpuUsage();
        loop.enable();
        profiler.start();
        send({ type: 'ready', url: keyless.url, startupCpuS });
        setInterval(() => send({ type: 'tick', figures: figures() }), 1000).unref();
      })().catch((error: unknown) => {
        send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        process.exitCode = 1;
      });
    } else if (message.type === 'report') {
      const reported = figures();
      void profiler.write().finally(() => send({ type: 'report', figures: reported }));
    } else if (message.type === 'stop') {
      void (keyless?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'loaded' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
