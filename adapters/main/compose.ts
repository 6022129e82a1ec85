import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createAlertEngine,
  createEngine,
  parseDuration,
  type AlertEngine,
  type AlertPublisher,
  type ChatNotifier,
  type Clock,
  type Engine,
  type IdentityCenter,
  type Logger,
} from '../../src';
import { EVENTBRIDGE_PATH, SqsRootActivityConsumer, eventBridgeHandler } from '../alerts/root-activity';
import { ScanScheduler } from '../alerts/stale-keys';
import { AwsIamScanner } from '../aws/iam/iam-scanner';
import { createAwsIdentityCenter } from '../aws/identity-center';
import { createAwsSts, type AwsSts } from '../aws/sts/sts';
import { DynamoAlertStore, DynamoGrantStore, ensureTable, checkTable } from '../dynamodb';
import { createSlackAdapter, EVENTS_PATH, type SlackAdapter } from '../slack';
import { createTeamsAdapter, type TeamsAdapter } from '../teams';
import type { KeylessConfig } from './config';
import { FanOutAlertPublisher } from './fan-out-alert-publisher';
import { FanOutNotifier } from './fan-out-notifier';
import { countingLogger, KeylessMetrics } from './metrics';
import { createLogger, randomIds, systemClock } from './runtime';
import { close, createHttpServer, json, listen, type Route } from './server';

export interface Keyless {
  url: string;
  teams?: TeamsAdapter;
  slack?: SlackAdapter;
  metrics: KeylessMetrics;
  engine: Engine;
  /** The security feed (issue 7): root activity, key scans, alerts and their buttons. */
  alerts: AlertEngine;
  alertStore: DynamoAlertStore;
  /** The root-activity queue consumer, when KEYLESS_ROOT_EVENTS_QUEUE_URL is set. */
  consumer?: SqsRootActivityConsumer;
  scanner: AwsIamScanner;
  scheduler: ScanScheduler;
  store: DynamoGrantStore;
  identity: IdentityCenter;
  server: Server;
  logger: Logger;
  /** Graceful shutdown: stop taking requests, finish work in flight, close everything. */
  stop(): Promise<void>;
}

export interface StartOverrides {
  logger?: Logger;
  /** Log only warnings and errors (doctor). */
  quiet?: boolean;
  clock?: Clock;
  /** Extra notifiers (tests). */
  notifiers?: ChatNotifier[];
  /** Create the table when it is missing (local mode and tests); production checks it only. */
  createTable?: boolean;
  /** Where Teams proactive posts go before any activity named a serviceUrl (the loopback connector). */
  teamsServiceUrl?: string;
  /** The Slack Web API root (the loopback workspace of the playground), e.g. http://127.0.0.1:4001/api/. */
  slackApiUrl?: string;
  /** Extra alert publishers (tests). */
  alertPublishers?: AlertPublisher[];
  /** Scan the accounts right after start (default true; tests that drive scans themselves turn it off). */
  scanAtStart?: boolean;
  /** The consumer's long-poll wait (0–20 s; tests shorten it so that stop() is quick). */
  queueWaitSeconds?: number;
}

/** Where Teams posts proactively when nothing told keyless otherwise (the public Bot Framework channel). */
const TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

/**
 * The composition root: builds every adapter from the configuration, wires them to one engine, and
 * serves one HTTP server. AWS clients are built with the SDK's standard configuration only.
 */
export async function startKeyless(config: KeylessConfig, overrides: StartOverrides = {}): Promise<Keyless> {
  const metrics = new KeylessMetrics();
  const logger = countingLogger(overrides.logger ?? createLogger(overrides.quiet ? 'warn' : config.logLevel), metrics);
  const clock = overrides.clock ?? systemClock;
  const region = config.policy.identityCenter.region;

  const { identity, sts } = await bootAws(config, logger);
  const dynamo = new DynamoDBClient({ region });
  if (overrides.createTable ?? config.createTable) await ensureTable(dynamo, config.table, logger);
  else await checkTable(dynamo, config.table);
  const store = new DynamoGrantStore({ client: dynamo, tableName: config.table, retentionDays: config.retentionDays });
  const alertStore = new DynamoAlertStore({
    client: dynamo,
    tableName: config.table,
    retentionDays: config.retentionDays,
  });

  metrics.watchStore(store);
  const notifier = new FanOutNotifier([metrics, ...(overrides.notifiers ?? [])], logger);
  const engine = createEngine({
    store,
    identity,
    notifier,
    clock,
    logger,
    ids: randomIds,
    policy: () => config.policy,
    options: { replicaId: config.replicaId, sweepIntervalMs: config.sweepMs },
  });

  const chat: { teams?: TeamsAdapter; slack?: SlackAdapter } = {};
  if (config.teams) {
    chat.teams = createTeamsAdapter({
      engine,
      refs: store,
      conversations: store,
      idempotency: store,
      logger,
      config: {
        ...(config.teams.appId ? { appId: config.teams.appId } : {}),
        ...(config.teams.appPassword ? { appPassword: config.teams.appPassword } : {}),
        ...(config.teams.tenantId ? { tenantId: config.teams.tenantId } : {}),
        ...(config.teams.appType !== 'UserAssignedMSI' ? { appType: config.teams.appType } : {}),
        local: config.teams.authDisabled,
        ...(config.policy.channels.teams?.approvals
          ? { approvalsConversationId: config.policy.channels.teams.approvals }
          : {}),
        ...(config.policy.channels.teams?.security
          ? { securityConversationId: config.policy.channels.teams.security }
          : {}),
        serviceUrl: overrides.teamsServiceUrl ?? TEAMS_SERVICE_URL,
      },
    });
    notifier.add(chat.teams.notifier);
  }

  if (config.slack) {
    chat.slack = createSlackAdapter({
      engine,
      refs: store,
      store,
      logger: logger.child({ platform: 'slack' }),
      config: {
        ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
        botToken: config.slack.botToken,
        ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
        ...(overrides.slackApiUrl ? { apiUrl: overrides.slackApiUrl } : {}),
        ...(config.policy.channels.slack?.approvals
          ? { approvalsChannel: config.policy.channels.slack.approvals }
          : {}),
        ...(config.policy.channels.slack?.security ? { securityChannel: config.policy.channels.slack.security } : {}),
      },
    });
    notifier.add(chat.slack.notifier);
  }

  // The security feed: one publisher per configured platform, fanned out; the scanner reads member
  // accounts through the audit role and deactivates keys through the remediation role (STS).
  const alertPublisher = new FanOutAlertPublisher(
    [
      ...(chat.slack ? [chat.slack.alerts] : []),
      ...(chat.teams ? [chat.teams.alerts] : []),
      ...(overrides.alertPublishers ?? []),
    ],
    logger,
  );
  const scanner = new AwsIamScanner(sts, {
    auditRoleName: config.alerts.auditRole,
    remediationRoleName: config.alerts.remediationRole,
    externalId: config.alerts.externalId,
    perAccountTps: config.alerts.tpsPerAccount,
    logger: logger.child({ component: 'iam-scanner' }),
  });
  const alerts = createAlertEngine({
    store: alertStore,
    publisher: alertPublisher,
    clock,
    logger: logger.child({ component: 'alerts' }),
    policy: () => config.policy,
    directory: identity,
    accounts: async () => (await identity.listAccounts()).map((a) => ({ id: a.id, name: a.name })),
    scanner,
    remediator: scanner,
    options: { scanConcurrency: config.alerts.scanConcurrency },
  });
  chat.slack?.connectAlerts(alerts);
  chat.teams?.connectAlerts(alerts);
  const ingest = (body: string) => alerts.ingestEvent(body);
  const consumer = config.alerts.queueUrl
    ? new SqsRootActivityConsumer(new SQSClient({ region }), ingest, {
        queueUrl: config.alerts.queueUrl,
        ...(overrides.queueWaitSeconds !== undefined ? { waitTimeSeconds: overrides.queueWaitSeconds } : {}),
        logger: logger.child({ component: 'root-activity' }),
      })
    : undefined;
  const scheduler = new ScanScheduler(alerts, {
    scanEveryMs: parseDuration(config.policy.alerts.scanEvery, { nowMs: clock.now() }) * 1000,
    scanAtStart: overrides.scanAtStart ?? true,
    logger: logger.child({ component: 'scan-scheduler' }),
  });

  let draining = false;
  const routes: Route[] = [
    { method: 'GET', path: '/healthz', handler: (_req, res) => json(res, 200, { status: 'alive' }) },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_req, res) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_req, res) => {
        if (draining) return json(res, 503, { status: 'draining' });
        const checks = await Promise.allSettled([checkTable(dynamo, config.table), identity.listPermissionSets()]);
        const [storeCheck, awsCheck] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'failing'));
        const ok = checks.every((c) => c.status === 'fulfilled');
        json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', store: storeCheck, aws: awsCheck });
      },
    },
  ];
  if (chat.teams) routes.push({ method: 'POST', path: '/api/messages', handler: chat.teams.handle });
  if (chat.slack) routes.push({ method: 'POST', path: EVENTS_PATH, handler: chat.slack.handle });
  if (config.alerts.eventBridgeSecret) {
    routes.push({
      method: 'POST',
      path: EVENTBRIDGE_PATH,
      handler: eventBridgeHandler(ingest, {
        secret: config.alerts.eventBridgeSecret,
        logger: logger.child({ component: 'eventbridge' }),
      }),
    });
  }
  const server = createHttpServer(routes, logger);
  const url = await listen(server, config.port, config.host);
  await chat.slack?.start();
  await engine.start();
  consumer?.start();
  scheduler.start();
  const reconcileTimer = setInterval(() => {
    engine.reconcile().catch((error: unknown) => logger.error({ err: error }, 'reconcile failed'));
  }, config.reconcileEveryMs);
  reconcileTimer.unref();
  logger.info({ url, mode: config.mode, replica: config.replicaId }, 'keyless is listening');

  return {
    url,
    ...(chat.teams ? { teams: chat.teams } : {}),
    ...(chat.slack ? { slack: chat.slack } : {}),
    metrics,
    engine,
    alerts,
    alertStore,
    ...(consumer ? { consumer } : {}),
    scanner,
    scheduler,
    store,
    identity,
    server,
    logger,
    async stop() {
      draining = true;
      clearInterval(reconcileTimer);
      await close(server);
      await scheduler.stop();
      await consumer?.stop();
      scanner.stop();
      await engine.stop();
      await chat.teams?.stop();
      await chat.slack?.stop();
      if ('stop' in identity && typeof identity.stop === 'function') identity.stop();
      dynamo.destroy();
      logger.info({}, 'keyless stopped');
    },
  };
}

async function bootAws(config: KeylessConfig, logger: Logger): Promise<{ identity: IdentityCenter; sts: AwsSts }> {
  const region = config.policy.identityCenter.region;
  const sts = createAwsSts(region, logger);
  await sts.callerIdentity(); // logs who keyless is in AWS; a failure is a clear boot error
  const identity = createAwsIdentityCenter({
    region,
    instanceArn: config.policy.identityCenter.instanceArn,
    identityStoreId: config.policy.identityCenter.identityStoreId,
    pace: {
      tps: config.aws.tps,
      maxOutstandingCreates: config.aws.maxOutstanding,
      maxOutstandingDeletes: config.aws.maxOutstanding,
    },
    logger,
  });
  identity.start();
  return { identity, sts };
}
