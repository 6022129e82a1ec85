import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import {
  ErrorCodes,
  KeylessError,
  type AlertEngine,
  type AuditReader,
  type AlertPublisher,
  type ChatNotifier,
  type ConversationStore,
  type Engine,
  type GrantStore,
  type Logger,
  type MessageRefStore,
} from '../../src';
import { ApprovalViews } from './approval-views';
import { ConversationReferences } from './conversation-references';
import { activityOf, HttpError, isLoopbackAddress, readJsonBody, sendJson, tokenFailureOf } from './http';
import { TeamsOutbox } from './outbox';
import { ConversationPacer, type PacingOptions } from './pacing';
import { TeamsRoster } from './roster';
import { TeamsAlertPublisher } from './teams-alert-publisher';
import { TeamsBot } from './teams-bot';
import { TeamsNotifier } from './teams-notifier';
import { muteSdkConsoleInScope, withoutSdkConsole } from './sdk-console';

export interface TeamsAdapterConfig {
  /** MicrosoftAppId of the bot registration. Required unless `local`. */
  appId?: string;
  appPassword?: string;
  /** The app's home tenant (SingleTenant). */
  tenantId?: string;
  appType?: 'SingleTenant' | 'MultiTenant';
  /** The loopback playground: with no app id, inbound activities are NOT authenticated. */
  local: boolean;
  /**
   * Entra ID tenant ids keyless serves (KEYLESS_TEAMS_TENANT_IDS). Every activity and invoke from
   * another tenant is refused before anything else (TeamsBot.onTurn). Empty: all refused.
   */
  allowedTenantIds: readonly string[];
  /** The Teams approvals channel (`19:…@thread.tacv2`). */
  approvalsConversationId?: string;
  securityConversationId?: string;
  /** Where to post proactively before any activity told us (e.g. https://smba.trafficmanager.net/teams/). */
  serviceUrl?: string;
  /**
   * Where the Bot Framework's token signing keys are published (OpenID metadata). Default: the SDK's
   * (login.botframework.com); a sovereign cloud or a test's loopback key server sets its own.
   */
  openIdMetadataUrl?: string;
  /**
   * Accepted files (the audit export) may go to a plain-http upload URL on this machine: the
   * loopback Teams. Default: `local`. Otherwise only https upload URLs are used.
   */
  allowLoopbackUploads?: boolean;
  /** Bytes per PUT of an upload (a multiple of 320 KiB). Default 5 MiB. */
  uploadFragmentBytes?: number;
}

export interface TeamsAdapterDeps {
  engine: Engine;
  refs: MessageRefStore;
  conversations: ConversationStore;
  idempotency: Pick<GrantStore, 'rememberOnce'>;
  logger: Logger;
  config: TeamsAdapterConfig;
  /** Overrides Teams' per-conversation limits (tests). */
  pacing?: Partial<PacingOptions>;
}

export interface TeamsAdapter {
  /** POST /api/messages. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  notifier: ChatNotifier;
  /** The security feed's publisher for the security channel (the composition root fans it out). */
  alerts: AlertPublisher;
  /** Gives the alert buttons and `root-window` their engine (built with this adapter's publisher). */
  connectAlerts(engine: AlertEngine): void;
  /** Gives `audit` its reader (auditors only, in the 1:1 chat). */
  connectAudit?(reader: AuditReader): void;
  /** Resolves when queued Teams deliveries are done. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Activities are small; a card submit with a long reason is a few KB. */
const MAX_BODY_BYTES = 256 * 1024;

function authentication(config: TeamsAdapterConfig, logger: Logger): ConfigurationBotFrameworkAuthentication {
  if (!config.appId) {
    if (!config.local) {
      throw new KeylessError(
        ErrorCodes.ConfigInvalid,
        'Teams needs a MicrosoftAppId (TEAMS_APP_ID) outside local mode.',
        {
          hint: 'Register a bot in Azure (Bot Service or the Teams Developer Portal) and set its app id and password.',
        },
      );
    }
    logger.warn(
      { platform: 'teams', code: 'AUTH_DISABLED' },
      '!!! Teams authentication is DISABLED (local mode, no MicrosoftAppId): /api/messages accepts unauthenticated activities. Never run this way where anyone else can reach it. !!!',
    );
    return new ConfigurationBotFrameworkAuthentication({});
  }
  const appType = config.appType ?? (config.tenantId ? 'SingleTenant' : 'MultiTenant');
  if (!config.appPassword) {
    throw new KeylessError(
      ErrorCodes.ConfigInvalid,
      'Teams needs the bot password (TEAMS_APP_PASSWORD) with an app id.',
    );
  }
  if (appType === 'SingleTenant' && !config.tenantId) {
    throw new KeylessError(ErrorCodes.ConfigInvalid, 'A SingleTenant Teams bot needs its tenant id (TEAMS_TENANT_ID).');
  }
  return new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.appId,
    MicrosoftAppPassword: config.appPassword,
    MicrosoftAppType: appType,
    ...(config.tenantId ? { MicrosoftAppTenantId: config.tenantId } : {}),
    // Setting any endpoint makes the SDK take every endpoint from the configuration: the public
    // cloud's values, with the signing keys read from `openIdMetadataUrl`.
    ...(config.openIdMetadataUrl
      ? {
          ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
          ToChannelFromBotOAuthScope: 'https://api.botframework.com',
          ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
          OAuthUrl: 'https://api.botframework.com',
          ToBotFromChannelOpenIdMetadataUrl: config.openIdMetadataUrl,
          ToBotFromEmulatorOpenIdMetadataUrl: config.openIdMetadataUrl,
          CallerId: CallerIdConstants.PublicAzureChannel,
        }
      : {}),
  });
}

type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/** CloudAdapter, run with a request keyless authenticated itself (so that every refusal is answered by keyless). */
class KeylessCloudAdapter extends CloudAdapter {
  run(
    authenticated: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

/**
 * Microsoft Teams for keyless: a CloudAdapter at /api/messages (on the same HTTP server as Slack) and
 * the Teams ChatNotifier. Every botbuilder import lives in this folder (facts.md: the SDK is archived
 * upstream, so a move to the Microsoft 365 Agents SDK touches only here).
 */
export function createTeamsAdapter(deps: TeamsAdapterDeps): TeamsAdapter {
  const logger = deps.logger.child({ platform: 'teams' });
  const auth = authentication(deps.config, logger);
  const authRequired = Boolean(deps.config.appId);
  const adapter = new KeylessCloudAdapter(auth);
  muteSdkConsoleInScope();
  const pacer = new ConversationPacer(deps.pacing);
  const references = new ConversationReferences(deps.conversations, logger, deps.config.serviceUrl);
  const views = new ApprovalViews(deps.engine, deps.conversations, logger);
  const outbox = new TeamsOutbox(adapter, deps.config.appId ?? '', pacer, logger);
  let alertEngine: AlertEngine | undefined;
  let auditReader: AuditReader | undefined;
  const alerts = new TeamsAlertPublisher({
    outbox,
    references,
    logger,
    securityConversationId: deps.config.securityConversationId,
  });
  const bot = new TeamsBot({
    alerts: () => alertEngine,
    audit: () => auditReader,
    engine: deps.engine,
    refs: deps.refs,
    references,
    roster: new TeamsRoster(logger),
    views,
    pacer,
    idempotency: deps.idempotency,
    logger,
    allowedTenantIds: deps.config.allowedTenantIds,
    fileUploads: {
      allowLoopbackHttp: deps.config.allowLoopbackUploads ?? deps.config.local,
      ...(deps.config.uploadFragmentBytes ? { fragmentBytes: deps.config.uploadFragmentBytes } : {}),
    },
  });
  const notifier = new TeamsNotifier({
    outbox,
    references,
    refs: deps.refs,
    views,
    engine: deps.engine,
    logger,
    config: deps.config,
    now: Date.now,
  });

  adapter.onTurnError = async (ctx: TurnContext, error: Error) => {
    logger.error({ err: error, activityType: ctx.activity.type }, 'Teams turn failed');
  };

  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (stopping) return sendJson(res, 503, { error: 'shutting down' });
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendJson(res, 405, { error: 'POST only' });
    }
    // Local mode accepts unauthenticated activities: only from this machine, whatever the bind address.
    if (!authRequired && !isLoopbackAddress(req.socket.remoteAddress)) {
      logger.warn({ code: 'NOT_LOOPBACK' }, 'unauthenticated Teams activity from another host refused');
      return sendJson(res, 403, { error: 'local mode answers this machine only' });
    }
    // Checked before the body is read and before the SDK: no token, no work at all.
    const authorization = req.headers.authorization;
    if (authRequired && !authorization) {
      logger.warn({ code: 'UNAUTHENTICATED', reason: 'missing_token' }, 'Teams activity refused: no token');
      return sendJson(res, 401, { error: 'Authorization required' });
    }
    let activity: Activity;
    try {
      activity = activityOf(await readJsonBody(req, MAX_BODY_BYTES));
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 400;
      if (status === 413) req.resume();
      return sendJson(res, status, { error: error instanceof Error ? error.message : 'bad request' });
    }
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await withoutSdkConsole(() => auth.authenticateRequest(activity, authorization ?? ''));
    } catch (error) {
      const failure = tokenFailureOf(error, authorization);
      const fields = { code: failure.status === 401 ? 'UNAUTHENTICATED' : 'AUTH_UNAVAILABLE', reason: failure.reason };
      if (failure.status === 401) logger.warn(fields, 'Teams activity refused: token not valid');
      else logger.error(fields, 'Teams activity not verified: signing keys unavailable');
      return sendJson(res, failure.status, { error: failure.status === 401 ? 'Unauthorized' : 'Try again later' });
    }
    const work = adapter.run(authenticated, activity, (ctx) => bot.onTurn(ctx));
    track(
      work.then(
        () => undefined,
        () => undefined,
      ),
    );
    try {
      const answer = await work;
      if (answer?.body !== undefined) sendJson(res, answer.status, answer.body);
      else {
        res.statusCode = answer?.status ?? 200;
        res.end();
      }
    } catch (error) {
      logger.error({ err: error, code: 'TURN_FAILED' }, 'Teams activity failed');
      sendJson(res, 500, { error: 'internal error' });
    }
  }

  return {
    handle,
    notifier,
    alerts,
    connectAlerts(engine) {
      alertEngine = engine;
    },
    connectAudit(reader) {
      auditReader = reader;
    },
    idle: () => notifier.idle(),
    async stop() {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      await notifier.idle();
    },
  };
}

export type { PacingOptions } from './pacing';
