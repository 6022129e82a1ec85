import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterConfig } from '../../adapters/slack';
import {
  LOCAL_SLACK_TEAM_ID,
  startSlackWorkspace,
  type RunningSlackWorkspace,
  type RateLimits,
} from '../../adapters/local/slack-workspace';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../adapters/local/aws-emulator';
import {
  silentLogger,
  type Clock,
  type Engine,
  type GrantStore,
  type IdentityCenter,
  type Logger,
  type MessageRefStore,
  type OnCallDirectory,
  type Policy,
} from '../../src';
import { testEngine } from '../builders/test-engine';
import { FakeIdentityCenter } from '../fakes/fake-identity-center';
import { InMemoryGrantStore } from '../fakes/in-memory-grant-store';
import { ManualClock } from '../fakes/manual-clock';
import { RecordingNotifier } from '../fakes/recording-notifier';
import { demoSeed } from '../fakes/seed';
import { startDynalite } from './dynalite';
import { localDynamoClient, uniqueTableName } from './dynamodb-client';
import { FAST_EMULATOR_TIMING, localIdentityCenter } from '../../bench/support/local-stack';
import { FanOutNotifier } from '../../adapters/main/fan-out-notifier';

export const SIGNING_SECRET = 'loopback-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-loopback-token';
export const APP_TOKEN = 'xapp-loopback-app-token';
export const APPROVALS = 'C0APPROVALS';
export const SECURITY = 'C0SECURITY';

/** Slack pacing for the loopback workspace: the same shape as production, faster numbers. */
export const FAST_PACING = {
  tiers: { 2: 60_000, 3: 60_000, 4: 60_000 },
  perChannelPerSecond: 1000,
  perChannelBurst: 1000,
};

export interface SlackStack {
  /** The bot's POST /slack/events (404 in Socket Mode). */
  botUrl: string;
  engine: Engine;
  /** `engine` and the other replicas (`replicas` option), in order. */
  engines: Engine[];
  slack: SlackAdapter;
  workspace: RunningSlackWorkspace;
  store: GrantStore & MessageRefStore;
  identity: IdentityCenter;
  /** The engine's clock: a ManualClock unless `realClock`. */
  clock: Clock;
  recorded: RecordingNotifier;
  /** Only on the `aws` backend. */
  aws?: RunningAwsEmulator;
  /** Waits for engine background work, listeners after their ack, and Slack deliveries. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackStackOptions {
  /** `fakes`: engine on in-memory fakes. `aws`: dynalite + the real DynamoDB and Identity Center adapters on the AWS emulator. */
  backend?: 'fakes' | 'aws';
  realClock?: boolean;
  policy?: Policy;
  config?: Partial<SlackAdapterConfig>;
  rateLimits?: RateLimits;
  logger?: Logger;
  /** Use dynalite and the AWS emulator running elsewhere (the bench runs them in child processes). */
  services?: { dynamoUrl: string; awsUrl: string };
  /** Use a loopback workspace running elsewhere (its base URL); `workspace` is then a stub. */
  workspaceUrl?: string;
  /**
   * Socket Mode: the workspace gets an app token and the adapter connects to it over a WebSocket;
   * the workspace client delivers as envelopes. The bot's HTTP server still runs (it answers 404).
   */
  socketMode?: boolean;
  /** Who is on call (the PagerDuty adapter on a loopback PagerDuty). */
  onCall?: OnCallDirectory;
  /** More engines on the same store, clock and notifiers: replicas (their sweeps race the first's). */
  replicas?: number;
}

const wallClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    const t = setTimeout(fn, Math.max(0, at - Date.now()));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** keyless with its Slack adapter on real HTTP, talking to a loopback Slack workspace. */
export async function startSlackStack(options: SlackStackOptions = {}): Promise<SlackStack> {
  const stops: (() => Promise<void> | void)[] = [];
  const clock: Clock = options.realClock ? wallClock : new ManualClock(Date.now());
  let store: GrantStore & MessageRefStore;
  let identity: IdentityCenter;
  let aws: RunningAwsEmulator | undefined;

  if (options.backend === 'aws') {
    const dynalite = options.services ? undefined : await startDynalite();
    aws = options.services
      ? undefined
      : await startAwsEmulator({ seed: loadDemoSeed(), port: 0, faults: { provisioningDelayMs: 20 } });
    const client = localDynamoClient(options.services?.dynamoUrl ?? dynalite!.endpoint);
    const tableName = uniqueTableName('keyless-slack');
    await ensureTable(client, tableName, silentLogger);
    store = new DynamoGrantStore({ client, tableName });
    const ic = localIdentityCenter(options.services?.awsUrl ?? aws!.url, {
      ...FAST_EMULATOR_TIMING,
      pace: { tps: 1000, organizationsTps: 1000 },
    });
    identity = ic.identity;
    const emulator = aws;
    stops.push(async () => {
      ic.destroy();
      client.destroy();
      await emulator?.stop();
      await dynalite?.stop();
    });
  } else {
    store = new InMemoryGrantStore();
    identity = new FakeIdentityCenter(demoSeed());
  }

  const recorded = new RecordingNotifier();
  const fanOut = new FanOutNotifier([recorded], silentLogger);
  const { engine } = testEngine({
    store,
    identity,
    clock,
    notifier: fanOut,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  const replicas = Array.from(
    { length: Math.max(0, (options.replicas ?? 1) - 1) },
    (_, i) =>
      testEngine({
        store,
        identity,
        clock,
        notifier: fanOut,
        idPrefix: `r${i + 2}`,
        options: { replicaId: `replica-${i + 2}` },
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.onCall ? { onCall: options.onCall } : {}),
      }).engine,
  );

  const workspace: RunningSlackWorkspace = options.workspaceUrl
    ? ({
        url: options.workspaceUrl,
        apiUrl: `${options.workspaceUrl}/api/`,
        stop: async () => undefined,
      } as RunningSlackWorkspace)
    : await startSlackWorkspace({
        signingSecret: SIGNING_SECRET,
        botToken: BOT_TOKEN,
        ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
        // Generous: a loaded test machine must not turn a slow ack into a failure.
        ...(options.socketMode ? { appToken: APP_TOKEN, socketAckTimeoutMs: 10_000 } : {}),
      });
  const slack = createSlackAdapter({
    engine,
    refs: store,
    store,
    logger: options.logger ?? silentLogger,
    config: {
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      apiUrl: workspace.apiUrl,
      allowedTeamIds: [LOCAL_SLACK_TEAM_ID],
      approvalsChannel: APPROVALS,
      securityChannel: SECURITY,
      pacing: FAST_PACING,
      ...(options.socketMode ? { appToken: APP_TOKEN } : {}),
      ...options.config,
    },
  });
  fanOut.add(slack.notifier);

  const server: Server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== '/slack/events') {
      res.writeHead(404).end();
      return;
    }
    slack.handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  if (!options.workspaceUrl) {
    workspace.client.botUrl = botUrl;
    if (options.socketMode) workspace.client.transport = 'socket';
  }
  await slack.start();

  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await slack.idle();
      await engine.idle();
      for (const r of replicas) await r.idle();
    }
    await slack.idle();
  };

  return {
    botUrl,
    engine,
    engines: [engine, ...replicas],
    slack,
    workspace,
    store,
    identity,
    clock,
    recorded,
    ...(aws ? { aws } : {}),
    settle,
    async stop() {
      for (const r of replicas) await r.stop();
      await engine.stop();
      await slack.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await workspace.stop();
      for (const stop of stops.reverse()) await stop();
    },
  };
}
