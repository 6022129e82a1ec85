import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, type AuthorizeResult } from '@slack/bolt';
import type {
  AlertEngine,
  AlertPublisher,
  AuditReader,
  ChatUser,
  ChatNotifier,
  Engine,
  GrantStore,
  Logger,
  MessageRefStore,
} from '../../src';
import { AckFirstGate } from './ack-first';
import { homeView } from './blocks/home.blocks';
import { boltLogger } from './bolt-logger';
import { KeylessReceiver } from './keyless-receiver';
import { registerAlertActions } from './listeners/actions/alert.action';
import { registerApprovalActions } from './listeners/actions/approval.action';
import { registerGrantActions } from './listeners/actions/grant.action';
import { registerRequestFormActions } from './listeners/actions/request-form.action';
import { registerAwsAccessCommand } from './listeners/commands/aws-access.command';
import type { ListenerContext } from './listeners/context';
import { registerAppHomeOpened } from './listeners/events/app-home-opened.event';
import { registerAccountOptions } from './listeners/options/account.options';
import { registerAlertViews } from './listeners/views/alert.view';
import { registerDecisionViews } from './listeners/views/decision.view';
import { registerRequestView } from './listeners/views/request.view';
import { routedApp } from './routed-app';
import { SlackAlertPublisher } from './slack-alert-publisher';
import { SlackApi, type SlackApiOptions } from './slack-api';
import { SlackDirectory } from './slack-directory';
import { SlackNotifier } from './slack-notifier';
import { SlackUserGroups } from './slack-usergroups';
import { parseSlackUserGroup, type SlackUserGroupRef } from './usergroup-ref';
import { KeylessSocketReceiver } from './socket-receiver';
import { workspaceGate } from './workspace-gate';

export interface SlackAdapterConfig {
  /** Verifies requests over HTTP; required unless `appToken` (Socket Mode) is given. */
  signingSecret?: string;
  botToken: string;
  /** An app-level token (xapp-…, scope connections:write): Socket Mode instead of HTTP. */
  appToken?: string;
  /**
   * Slack workspace (T…) and Enterprise Grid (E…) ids keyless serves (KEYLESS_SLACK_TEAM_IDS). Every
   * request from elsewhere is refused before any listener runs (see workspace-gate.ts). Empty: all refused.
   */
  allowedTeamIds: readonly string[];
  /** Web API root (also for apps.connections.open), for the loopback workspace, for example http://127.0.0.1:4001/api/. */
  apiUrl?: string;
  /** Default approvals channel (a rule may override it). */
  approvalsChannel?: string;
  securityChannel?: string;
  /** Accepted request timestamp skew in both directions. Default 300 s. */
  timestampSkewSeconds?: number;
  /** Pacing overrides (tests use faster tiers against the loopback workspace). */
  pacing?: Pick<SlackApiOptions, 'tiers' | 'perChannelPerSecond' | 'perChannelBurst' | 'maxRateLimitRetries'>;
  /** users.info cache lifetime. Default 5 minutes. */
  directoryTtlMs?: number;
  /** How many after-ack listener bodies run at once. Default 8. */
  workConcurrency?: number;
  /**
   * Slack user groups whose members may read the audit (KEYLESS_AUDITORS entries `subteam:S…` or
   * `@handle`), checked with usergroups.users.list (scope usergroups:read).
   */
  auditorGroups?: readonly string[];
  /** How long a group's member list is kept. Default one minute. */
  auditorGroupsTtlMs?: number;
}

export interface SlackAdapterDeps {
  engine: Engine;
  refs: MessageRefStore;
  store: Pick<GrantStore, 'rememberOnce'>;
  logger: Logger;
  config: SlackAdapterConfig;
}

export interface SlackAdapter {
  /** POST /slack/events: slash commands, interactions, options loads and events. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  notifier: ChatNotifier;
  /** The security feed's publisher for the security channel (the composition root fans it out). */
  alerts: AlertPublisher;
  /**
   * Gives the alert buttons, forms and `/aws-access root-window` their engine. Separate from the
   * deps because the alert engine is built with this adapter's publisher.
   */
  connectAlerts(engine: AlertEngine): void;
  /** Gives `/aws-access audit` its reader (auditors only); without one the command says the audit is not set up. */
  connectAudit?(reader: AuditReader): void;
  /**
   * With `auditorGroups`: whether a verified Slack person is in one of them (the AuditReader's
   * `isAuditor`). People of other platforms are not. Throws (fails closed) when Slack cannot answer.
   */
  isAuditor?(user: ChatUser): Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when listeners and queued deliveries are done (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Internals for tests and metrics. */
  readonly api: SlackApi;
  /** The receiver of the mode in use: POST /slack/events, or the Socket Mode connection. */
  readonly receiver: KeylessReceiver | KeylessSocketReceiver;
  readonly mode: 'http' | 'socket';
}

export function createSlackAdapter(deps: SlackAdapterDeps): SlackAdapter {
  const { config, engine } = deps;
  const logger = deps.logger.child({ platform: 'slack' });
  const api = new SlackApi({
    token: config.botToken,
    logger,
    ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
    ...config.pacing,
  });
  const directory = new SlackDirectory(api, logger, config.directoryTtlMs);
  const auditorGroups = new SlackUserGroups(
    api,
    logger,
    (config.auditorGroups ?? []).map((entry) => {
      const group = parseSlackUserGroup(entry);
      if (!group) throw new Error(`"${entry.slice(0, 60)}" is not a Slack user group (subteam:S… or @handle)`);
      return group;
    }) satisfies SlackUserGroupRef[],
    config.auditorGroupsTtlMs,
  );
  const gate = new AckFirstGate(config.workConcurrency ?? 8, 1);

  const publishHome = async (userId: string, problem?: string): Promise<void> => {
    let state: Parameters<typeof homeView>[0] = { grants: [], requests: [], approvals: [] };
    try {
      const user = await directory.chatUser(userId);
      const [mine, approvals] = await Promise.all([engine.listMine(user), engine.approvalsFor(user)]);
      state = { ...mine, approvals, ...(user.timeZone ? { zone: user.timeZone } : {}) };
    } catch (error) {
      state.problem = error instanceof Error ? error.message : 'Your access could not be loaded.';
    }
    if (problem) state.problem = problem;
    await api.call('views.publish', { user_id: userId, view: homeView(state) });
  };

  const notifier = new SlackNotifier({
    api,
    directory,
    refs: deps.refs,
    engine,
    logger,
    ...(config.approvalsChannel ? { approvalsChannel: config.approvalsChannel } : {}),
    ...(config.securityChannel ? { securityChannel: config.securityChannel } : {}),
    refreshHome: (userId) => publishHome(userId),
    gate,
  });

  // auth.test once; Bolt's middleware (ignoreSelf) needs the bot's ids.
  let auth: Promise<AuthorizeResult> | undefined;
  const authorize = () => {
    auth ??= api.call('auth.test').then(
      (a) => ({
        botToken: config.botToken,
        botId: String(a.bot_id ?? ''),
        botUserId: String(a.user_id ?? ''),
        teamId: String(a.team_id ?? ''),
      }),
      (error: unknown) => {
        auth = undefined;
        throw error;
      },
    );
    return auth;
  };

  const socket = !!config.appToken;
  const receiver = config.appToken
    ? new KeylessSocketReceiver({
        appToken: config.appToken,
        logger,
        store: deps.store,
        gate,
        ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
      })
    : new KeylessReceiver({
        signingSecret: requireSigningSecret(config.signingSecret),
        logger,
        store: deps.store,
        gate,
        ...(config.timestampSkewSeconds !== undefined ? { timestampSkewSeconds: config.timestampSkewSeconds } : {}),
      });
  const app = new App({
    receiver,
    authorize,
    logger: boltLogger(logger),
    // keyless keeps its own state in the engine; Bolt's conversation store would only cost a lookup per event.
    convoStore: false,
    clientOptions: { ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}), retryConfig: { retries: 0 } },
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'slack listener error');
  });
  // Before every listener, on HTTP and Socket Mode alike: only the listed workspaces are served.
  app.use(workspaceGate(config.allowedTeamIds, logger));

  const alerts = new SlackAlertPublisher({
    api,
    logger,
    dmChannelByEmail: async (email) => {
      const id = await directory.userIdByEmail(email);
      return id ? directory.dmChannel(id) : undefined;
    },
    ...(config.securityChannel ? { securityChannel: config.securityChannel } : {}),
  });
  let alertEngine: AlertEngine | undefined;
  let auditReader: AuditReader | undefined;

  const ctx: ListenerContext = {
    engine,
    api,
    directory,
    logger,
    publishHome,
    afterAck: (fn) => gate.run(fn),
    alerts: () => alertEngine,
    audit: () => auditReader,
  };
  // Buttons and forms are found by id behind one Bolt listener each (see routedApp).
  const routes = routedApp(app);
  registerAwsAccessCommand(routes, ctx);
  registerRequestFormActions(routes, ctx);
  registerAccountOptions(routes, ctx);
  registerRequestView(routes, ctx);
  registerDecisionViews(routes, ctx);
  registerApprovalActions(routes, ctx);
  registerGrantActions(routes, ctx);
  registerAlertActions(routes, ctx);
  registerAlertViews(routes, ctx);
  registerAppHomeOpened(routes, ctx);

  return {
    async handle(req, res) {
      if (!(receiver instanceof KeylessReceiver)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('slack runs in socket mode');
        return;
      }
      await receiver.handle(req, res);
    },
    notifier,
    alerts,
    connectAlerts(engine) {
      alertEngine = engine;
    },
    connectAudit(reader) {
      auditReader = reader;
    },
    ...(auditorGroups.configured
      ? {
          isAuditor: async (user: ChatUser) =>
            user.platform === 'slack' && Boolean(user.email) && (await auditorGroups.isMember(user.id)),
        }
      : {}),
    async start() {
      await authorize();
      // Socket Mode: connects, and resolves once Slack has said hello.
      if (socket) await app.start();
    },
    async stop() {
      // Socket Mode: closes the connection (no reconnect) and waits for envelopes in progress.
      if (socket) await app.stop();
      await receiver.idle();
      await notifier.idle();
    },
    async idle() {
      await receiver.idle();
      await notifier.idle();
    },
    api,
    receiver,
    mode: socket ? 'socket' : 'http',
  };
}

function requireSigningSecret(secret: string | undefined): string {
  if (!secret) throw new Error('Slack over HTTP needs a signing secret (or an app-level token for Socket Mode)');
  return secret;
}
