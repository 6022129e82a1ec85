import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { STSClient } from '@aws-sdk/client-sts';
import {
  AuditReader,
  grantActivitySource,
  Leadership,
  createAlertEngine,
  createEngine,
  createSecurityDuties,
  ErrorCodes,
  KeylessError,
  parseDuration,
  rankOf,
  type AlertEngine,
  type AlertPublisher,
  type ChatNotifier,
  type Clock,
  type Engine,
  type IdentityCenter,
  type Logger,
  type SecurityDuties,
} from '../../src';
import {
  EVENTBRIDGE_PATH,
  SqsRootActivityConsumer,
  eventBridgeHandler,
  organizationMembersOnly,
} from '../alerts/root-activity';
import { ScanScheduler } from '../alerts/stale-keys';
import { AwsActivityTrail, activityRegions } from '../aws/cloudtrail';
import { AwsIamScanner } from '../aws/iam/iam-scanner';
import { AwsSessionCutPolicies, managementAccountOf } from '../aws/organizations';
import { AwsIdentityCenter } from '../aws/identity-center';
import { organizationsRegionFor } from '../aws/identity-center/create-identity-center';
import { AwsSts } from '../aws/sts/sts';
import { S3AuditArchive } from '../aws/audit-archive';
import { DynamoAlertStore, DynamoGrantStore, ensureTable, checkTable } from '../dynamodb';
import { PagerDutyOnCall } from '../oncall/pagerduty';
import { createSlackAdapter, EVENTS_PATH, type SlackAdapter } from '../slack';
import { createTeamsAdapter, type TeamsAdapter } from '../teams';
import { identityCenterNames } from './alert-names';
import type { KeylessConfig } from './config';
import { openPolicySource } from './policy-source';
import { PolicyWatcher, type PolicyRefusal } from './policy-watcher';
import { FanOutAlertPublisher } from './fan-out-alert-publisher';
import { FanOutNotifier } from './fan-out-notifier';
import { AuditPump } from './audit-pump';
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
  /** The policy in force, reloaded when its source changes (KEYLESS_POLICY_RELOAD_EVERY). */
  policy: PolicyWatcher;
  clients: AwsClients;
  /** The root-activity queue consumer, when KEYLESS_ROOT_EVENTS_QUEUE_URL is set. */
  consumer?: SqsRootActivityConsumer;
  scanner: AwsIamScanner;
  scheduler: ScanScheduler;
  /** Reconcile, key scans, digest and blind spots: run by the replica that holds the leader lease. */
  duties: SecurityDuties;
  leadership: Leadership;
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
  /** Told when a changed policy is refused (tests); the log and the security channel are told anyway. */
  onPolicyRefused?: (refusal: PolicyRefusal) => void;
}

/**
 * Every AWS client keyless uses, each in its own service's region. Only the SDK's standard
 * configuration applies (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>):
 * - DynamoDB, SQS, SSM, S3 and STS (regional endpoints): where keyless runs (AWS_REGION);
 * - sso-admin and identitystore: where the Identity Center instance is (the policy's identityCenter.region);
 * - Organizations: its one endpoint per partition (us-east-1 for the commercial regions);
 * - IAM (global, us-east-1) is built by the scanner per member account with the role's credentials.
 * Identity Center clients do not retry (keyless retries itself under its pace).
 */
export interface AwsClients {
  dynamo: DynamoDBClient;
  /** The same table over connections of its own: heartbeats, members and lease renewals (DynamoGrantStore). */
  dynamoUrgent: DynamoDBClient;
  sqs: SQSClient;
  ssm: SSMClient;
  s3: S3Client;
  sts: STSClient;
  ssoAdmin: SSOAdminClient;
  identityStore: IdentitystoreClient;
  organizations: OrganizationsClient;
}

export function createAwsClients(identityCenterRegion: string): AwsClients {
  const identityCenter = { region: identityCenterRegion, maxAttempts: 1 };
  return {
    dynamo: new DynamoDBClient({}),
    // A client of its own has a connection pool of its own: these calls never queue behind a burst.
    dynamoUrgent: new DynamoDBClient({}),
    sqs: new SQSClient({}),
    ssm: new SSMClient({}),
    s3: new S3Client({}),
    sts: new STSClient({}),
    ssoAdmin: new SSOAdminClient(identityCenter),
    identityStore: new IdentitystoreClient(identityCenter),
    organizations: new OrganizationsClient({ maxAttempts: 1, region: organizationsRegionFor(identityCenterRegion) }),
  };
}

/** The region keyless runs in (the SDK's resolution); a clear boot error when there is none. */
async function runningRegion(client: DynamoDBClient): Promise<string> {
  try {
    return await client.config.region();
  } catch (error) {
    throw new KeylessError(ErrorCodes.ConfigInvalid, 'keyless does not know which AWS region it runs in.', {
      hint: 'Set AWS_REGION (ECS and Lambda set it), or a region in the AWS_PROFILE.',
      cause: error,
    });
  }
}

/**
 * The leader lease of the security duties: a replica that stops renewing (a crash) is taken over
 * after this long; the holder renews it a few times per period.
 */
export const LEADER_LEASE_MS = 60_000;

/** How long a written item's audit mark waits before the pump takes it up (see AuditPump). */
export const AUDIT_SETTLE_MS = 1000;

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
  const clients = createAwsClients(config.policy.identityCenter.region);
  const region = await runningRegion(clients.dynamo);
  logger.info({ region, identityCenterRegion: config.policy.identityCenter.region }, 'AWS regions');
  const { identity, sts } = await bootAws(config, clients, logger);
  const dynamo = clients.dynamo;
  if (overrides.createTable ?? config.createTable) await ensureTable(dynamo, config.table, logger);
  else await checkTable(dynamo, config.table);
  const store = new DynamoGrantStore({
    client: dynamo,
    urgentClient: clients.dynamoUrgent,
    tableName: config.table,
    retentionDays: config.retentionDays,
    auditRetentionDays: config.audit.retentionDays,
  });
  // Indexes every write's audit events shortly after it (and archives them when a bucket is set).
  const auditPump = new AuditPump({
    store,
    ...(config.audit.bucket ? { archive: new S3AuditArchive(clients.s3, config.audit.bucket) } : {}),
    prefix: config.audit.prefix,
    everyMs: config.audit.everyMs,
    // Each pending shard is pumped by the replica ranked first for it among the live members (the
    // engine's membership): replicas do not read and index the same marks. A mark settles for a
    // second first, so that the two writes of a revocation are indexed and cleared once.
    shards: (shard) => rankOf(engine.membership.memberId, `audit-pending#${shard}`, engine.membership.members) === 0,
    settleMs: AUDIT_SETTLE_MS,
    logger: logger.child({ component: 'audit' }),
  });
  const alertStore = new DynamoAlertStore({
    client: dynamo,
    tableName: config.table,
    retentionDays: config.retentionDays,
  });

  metrics.watchStore(store);
  const policy = new PolicyWatcher({
    source: openPolicySource(config.policyLocation, { ssm: () => clients.ssm, s3: () => clients.s3 }),
    initial: config.policy,
    initialVersion: config.policyVersion,
    everyMs: config.policyReloadEveryMs,
    logger: logger.child({ component: 'policy' }),
    onRefused: (refusal) => {
      overrides.onPolicyRefused?.(refusal);
      return policyRefusedNotice(refusal);
    },
  });
  // Set once the chat adapters exist: the security channel(s) hear of a refused policy.
  let policyRefusedNotice: (refusal: PolicyRefusal) => Promise<void> = () => Promise.resolve();
  const notifier = new FanOutNotifier([metrics, ...(overrides.notifiers ?? [])], logger);
  // Ending the live sessions of revoked grants (opt-in): keyless's own SCPs, one writer at a time
  // under a leader lease, and the management account (which SCPs never reach) named on its grants.
  const sessionCut = config.sessionCut
    ? {
        deps: {
          store,
          policies: new AwsSessionCutPolicies(clients.organizations, config.sessionCut),
          lease: alertStore,
        },
        managementAccountId: await managementAccountOf(clients.organizations),
      }
    : undefined;
  const engine = createEngine({
    store,
    membership: store,
    identity,
    notifier,
    clock,
    logger,
    ids: randomIds,
    policy: () => policy.current(),
    ...(config.pagerDuty
      ? {
          onCall: new PagerDutyOnCall({
            token: config.pagerDuty.token,
            ...(config.pagerDuty.apiUrl ? { apiUrl: config.pagerDuty.apiUrl } : {}),
            logger,
          }),
        }
      : {}),
    ...(sessionCut ? { sessionCuts: sessionCut.deps } : {}),
    // What ended grants did: CloudTrail's event history through the member audit role, in the Region
    // keyless runs in and us-east-1 (where global services such as IAM record their events).
    // KEYLESS_ACTIVITY=off: no source, so no lookups are scheduled at all.
    ...(config.activity.enabled
      ? {
          activity: new AwsActivityTrail(sts, {
            auditRoleName: config.alerts.auditRole,
            externalId: config.alerts.externalId,
            regions: activityRegions(region),
            logger: logger.child({ component: 'activity' }),
          }),
        }
      : {}),
    options: {
      replicaId: config.replicaId,
      sweepIntervalMs: config.sweepMs,
      activity: config.activity,
      ...(sessionCut ? { sessionCut: { enabled: true, managementAccountId: sessionCut.managementAccountId } } : {}),
    },
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
        allowedTenantIds: config.teams.allowedTenantIds,
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
        allowedTeamIds: config.slack.allowedTeamIds,
        ...(overrides.slackApiUrl ? { apiUrl: overrides.slackApiUrl } : {}),
        ...(config.policy.channels.slack?.approvals
          ? { approvalsChannel: config.policy.channels.slack.approvals }
          : {}),
        ...(config.policy.channels.slack?.security ? { securityChannel: config.policy.channels.slack.security } : {}),
        ...(config.audit.auditorGroups ? { auditorGroups: config.audit.auditorGroups } : {}),
      },
    });
    notifier.add(chat.slack.notifier);
  }

  policyRefusedNotice = (refusal) =>
    notifier.publish({ type: 'policy_refused', source: refusal.source, problems: refusal.problems });

  // The security feed: one publisher per configured platform, fanned out; the scanner reads member
  // accounts through the audit role and deactivates keys through the remediation role (STS).
  const alertPublisher = new FanOutAlertPublisher(
    [
      ...(chat.slack ? [chat.slack.alerts] : []),
      ...(chat.teams ? [chat.teams.alerts] : []),
      ...(overrides.alertPublishers ?? []),
      metrics,
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
  const names = identityCenterNames({
    region,
    identityStoreId: config.policy.identityCenter.identityStoreId,
    catalog: identity,
  });
  const alerts = createAlertEngine({
    store: alertStore,
    publisher: alertPublisher,
    clock,
    logger: logger.child({ component: 'alerts' }),
    policy: () => policy.current(),
    directory: identity,
    accounts: async () => (await identity.listAccounts()).map((a) => ({ id: a.id, name: a.name })),
    scanner,
    remediator: scanner,
    names,
    options: { scanConcurrency: config.alerts.scanConcurrency, expectedRegions: config.alerts.expectedRegions },
  });
  // One replica leads reconcile, scans, the digest and blind-spot checks (a lease in the table);
  // the others skip them, so a drift or a finding is recorded and posted once, not once per replica.
  const leadership = new Leadership(
    { lease: alertStore, clock, logger: logger.child({ component: 'leader' }) },
    { name: 'security-duties', owner: config.replicaId, ttlMs: LEADER_LEASE_MS },
  );
  const duties = createSecurityDuties({ leadership, reconcile: () => engine.reconcile(), alerts, clock });
  chat.slack?.connectAlerts(alerts);
  chat.teams?.connectAlerts(alerts);
  // `/aws-access audit` for the auditors (KEYLESS_AUDITORS: emails, and Slack user groups checked
  // by the Slack adapter), answered privately.
  const slackAuditors = chat.slack?.isAuditor?.bind(chat.slack);
  const auditReader = new AuditReader({
    log: store,
    clock,
    auditors: () => config.audit.auditors,
    activity: grantActivitySource(store),
    ...(slackAuditors ? { isAuditor: slackAuditors } : {}),
  });
  chat.slack?.connectAudit?.(auditReader);
  chat.teams?.connectAudit?.(auditReader);
  // Both paths (queue and endpoint) take events of the organization's accounts only.
  const ingest = organizationMembersOnly((body: string) => alerts.ingestEvent(body), {
    memberAccounts: async () => (await identity.listAccounts()).map((a) => a.id),
    logger: logger.child({ component: 'root-activity' }),
  });
  const consumer = config.alerts.queueUrl
    ? new SqsRootActivityConsumer(clients.sqs, ingest, {
        queueUrl: config.alerts.queueUrl,
        ...(overrides.queueWaitSeconds !== undefined ? { waitTimeSeconds: overrides.queueWaitSeconds } : {}),
        logger: logger.child({ component: 'root-activity' }),
      })
    : undefined;
  const scheduler = new ScanScheduler(duties, {
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
  await leadership.renew();
  const leaseTimer = setInterval(() => void leadership.renew(), LEADER_LEASE_MS / 3);
  leaseTimer.unref();
  scheduler.start();
  auditPump.start();
  policy.start();
  const reconcileTimer = setInterval(() => {
    duties.reconcile().catch((error: unknown) => logger.error({ err: error }, 'reconcile failed'));
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
    policy,
    clients,
    ...(consumer ? { consumer } : {}),
    scanner,
    scheduler,
    duties,
    leadership,
    store,
    identity,
    server,
    logger,
    async stop() {
      draining = true;
      clearInterval(reconcileTimer);
      await policy.stop();
      await close(server);
      await scheduler.stop();
      await auditPump.stop();
      clearInterval(leaseTimer);
      await leadership.release();
      names.stop();
      await consumer?.stop();
      scanner.stop();
      await engine.stop();
      await chat.teams?.stop();
      await chat.slack?.stop();
      if ('stop' in identity && typeof identity.stop === 'function') identity.stop();
      for (const client of Object.values(clients)) client.destroy();
      logger.info({}, 'keyless stopped');
    },
  };
}

async function bootAws(
  config: KeylessConfig,
  clients: AwsClients,
  logger: Logger,
): Promise<{ identity: IdentityCenter; sts: AwsSts }> {
  const sts = new AwsSts(clients.sts, { logger });
  await sts.callerIdentity(); // logs who keyless is in AWS; a failure is a clear boot error
  const identity = new AwsIdentityCenter(
    { ssoAdmin: clients.ssoAdmin, identityStore: clients.identityStore, organizations: clients.organizations },
    {
      instanceArn: config.policy.identityCenter.instanceArn,
      identityStoreId: config.policy.identityCenter.identityStoreId,
      ...(config.aws.externalIdIssuer ? { directory: { externalIdIssuer: config.aws.externalIdIssuer } } : {}),
      pace: {
        tps: config.aws.tps,
        maxOutstandingCreates: config.aws.maxOutstanding,
        maxOutstandingDeletes: config.aws.maxOutstanding,
      },
      logger,
    },
  );
  identity.start();
  return { identity, sts };
}
