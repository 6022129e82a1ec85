/**
 * `npm run bench -- slack-ack [--requests 2000] [--concurrency 50]`
 * `npm run bench -- slack-ack --during-revocations [--grants 1000] [--replicas 1] [...the options of replicas]`
 *
 * Signed slash commands and Approve clicks against the Slack adapter over HTTP, with the real
 * DynamoDB adapter on dynalite and the real Identity Center adapter on the local AWS emulator.
 * Four processes, as in production: the bot (this one), Slack (the loopback workspace and the load
 * generator), dynalite, and the AWS emulator. What is measured is the time to Slack's
 * acknowledgement (the HTTP answer), which Slack wants within 3 s; the work after the ack (engine,
 * AWS, Slack messages) goes on and is not timed, but must finish (settle) before the bench ends.
 * The generator signs every request before the clock starts and keeps `concurrency` keep-alive
 * connections open (bench/support/slack-side.ts), so that its own work is not counted as the bot's.
 * The detail line gives the CPU each side used during the run.
 *
 * `--during-revocations`: the same load against a keyless replica process (the production
 * composition root, bench/support/replica-process.ts) while it and any other replicas revoke a
 * burst of grants (bench/support/replicas-run.ts): the process that answers Slack is replica-1, a
 * revoking one. Its pending requests are asked through Slack first; the load starts at the first
 * expiry. The result has the ack figures and the revocation figures.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BenchArgs } from '../run';
import type { ChatUser } from '../../src';
import { BOT_TOKEN, SIGNING_SECRET, startSlackStack } from '../../test/support/slack-harness';
import { EVENTS_PATH } from '../../adapters/slack';
import { spawnService } from '../support/local-stack';
import { runReplicas } from '../support/replicas-run';
import { replicasOptions } from './replicas';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

interface LoadAnswer {
  latencies: number[];
  errors: number;
  why?: Record<string, number>;
  wallMs: number;
  calls: number;
  generatorCpuMs: number;
  posts?: number;
}

async function duringRevocations(args: BenchArgs): Promise<Record<string, unknown>> {
  const requests = Number(args.requests ?? 2000);
  const concurrency = Number(args.concurrency ?? 50);
  const pending = Number(args.pending ?? 10);
  const slackSide = await spawnService('bench/support/slack-side.ts', [
    '--secret',
    SIGNING_SECRET,
    '--token',
    BOT_TOKEN,
  ]);
  const side = JSON.parse(slackSide.url) as { workspace: string; control: string };
  const control = async (body: Record<string, unknown>): Promise<LoadAnswer> => {
    const res = await fetch(side.control, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`slack side: ${await res.text()}`);
    return (await res.json()) as LoadAnswer;
  };
  let load: LoadAnswer | undefined;
  let loadStartedAt = 0;
  let firstExpiry = 0;
  let approvalPosts = 0;
  try {
    const revocation = await runReplicas({
      // The Slack set-up (pending requests, warm-up) happens in the lead, before the burst.
      ...replicasOptions({ lead: '40000', ...args }, 1),
      slack: { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, apiUrl: `${side.workspace}/api/` },
      during: {
        async prepare(url) {
          const botUrl = `${url}${EVENTS_PATH}`;
          approvalPosts = (await control({ botUrl, prepare: pending })).posts ?? 0;
          await control({ botUrl, warmUp: true });
        },
        async run(url, expiry) {
          firstExpiry = expiry;
          loadStartedAt = Date.now();
          load = await control({ botUrl: `${url}${EVENTS_PATH}`, requests, concurrency });
        },
      },
    });
    if (!load) throw new Error('the Slack load did not run');
    const run: LoadAnswer = load;
    const latencies = run.latencies.sort((a, b) => a - b);
    const { grants, replicas, ...figures } = revocation;
    return {
      scenario: 'slack-ack',
      mode: 'during-revocations',
      requests,
      concurrency,
      p50_ms: Number(percentile(latencies, 50).toFixed(2)),
      p99_ms: Number(percentile(latencies, 99).toFixed(2)),
      max_ms: Number((latencies.at(-1) ?? 0).toFixed(2)),
      errors: run.errors + (latencies.length === requests ? 0 : requests - latencies.length),
      ...(run.errors ? { errors_by_cause: run.why } : {}),
      load_started_ms_after_first_expiry: loadStartedAt - firstExpiry,
      load_wall_ms: Math.round(run.wallMs),
      approval_posts: approvalPosts,
      grants,
      replicas,
      ...figures,
    };
  } finally {
    await slackSide.kill();
  }
}

export default async function slackAck(args: BenchArgs): Promise<Record<string, unknown>> {
  if (args['during-revocations'] === 'true') return duringRevocations(args);
  const requests = Number(args.requests ?? 2000);
  const concurrency = Number(args.concurrency ?? 50);
  const [dynamo, aws, slackSide] = await Promise.all([
    spawnService('bench/support/dynalite-server.ts', []),
    spawnService('adapters/local/aws-emulator/cli.ts', ['--port', '0', '--delay', '50']),
    spawnService('bench/support/slack-side.ts', ['--secret', SIGNING_SECRET, '--token', BOT_TOKEN]),
  ]);
  const side = JSON.parse(slackSide.url) as { workspace: string; control: string };
  const stack = await startSlackStack({
    backend: 'aws',
    realClock: true,
    services: { dynamoUrl: dynamo.url, awsUrl: aws.url },
    workspaceUrl: side.workspace,
  });
  try {
    // Pending requests to click on: engineers ask for prod admin (2 approvals from sre-leads).
    const rita: ChatUser = { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' };
    for (let i = 0; i < 40; i++) {
      await stack.engine.requestAccess({
        requester: rita,
        account: i % 2 ? 'prod' : 'payments',
        permissionSet: 'AdministratorAccess',
        duration: '1h',
        reason: `bench ${i}`,
        idempotencyKey: `bench-${i}`,
      });
    }
    await stack.settle();

    await fetch(side.control, { method: 'POST', body: JSON.stringify({ botUrl: stack.botUrl, warmUp: true }) });
    await stack.settle();
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu = process.cpuUsage();
    const answer = await fetch(side.control, {
      method: 'POST',
      body: JSON.stringify({ botUrl: stack.botUrl, requests, concurrency }),
    });
    const run = (await answer.json()) as {
      latencies: number[];
      errors: number;
      why?: Record<string, number>;
      wallMs: number;
      calls: number;
      generatorCpuMs: number;
    };
    loop.disable();
    const botCpu = process.cpuUsage(cpu);
    const settleStarted = performance.now();
    await stack.settle();
    const latencies = run.latencies.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        detail: 'slack-ack',
        wall_ms: Math.round(run.wallMs),
        acks_per_s: Math.round((requests / run.wallMs) * 1000),
        max_ms: Number((latencies.at(-1) ?? 0).toFixed(2)),
        settle_ms: Math.round(performance.now() - settleStarted),
        slack_api_calls: run.calls,
        rate_limited: stack.slack.api.rateLimited,
        bot_event_loop_max_ms: Math.round(loop.max / 1e6),
        bot_cpu_ms: Math.round((botCpu.user + botCpu.system) / 1000),
        generator_cpu_ms: run.generatorCpuMs,
        ...(run.errors ? { errors_by_cause: run.why } : {}),
      }),
    );
    return {
      scenario: 'slack-ack',
      requests,
      concurrency,
      p50_ms: Number(percentile(latencies, 50).toFixed(2)),
      p99_ms: Number(percentile(latencies, 99).toFixed(2)),
      errors: run.errors + (latencies.length === requests ? 0 : requests - latencies.length),
    };
  } finally {
    await stack.stop().catch(() => undefined);
    await Promise.all([dynamo.kill(), aws.kill(), slackSide.kill()]);
  }
}
