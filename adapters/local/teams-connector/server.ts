import { randomBytes, randomUUID } from 'node:crypto';
import { parse as parseForm } from 'node:querystring';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  TeamsWorld,
  type UploadSession,
  type ChannelAccountJson,
  type StoredActivity,
  type TeamsConversation,
  type TeamsMember,
} from './world';

/**
 * A loopback Bot Framework connector for Microsoft Teams. Towards the bot it is the `serviceUrl`:
 * it takes the bot's replies, posts, updates and 1:1 creations on the routes botbuilder's
 * ConnectorClient uses, and answers TeamsInfo.getMember from its roster. Towards people it acts
 * as Teams: it sends the bot messages, installs and Action.Execute invokes as a given user, and
 * keeps what each person sees. A small JSON admin API (under /_admin) exposes all of it.
 */

export interface TeamsConnectorOptions {
  /** Where the bot listens (…/api/messages). Can be set later with `setBotUrl`. */
  botUrl?: string;
  world?: TeamsWorld;
  /** Sent as the Authorization header to the bot (for auth tests); none by default. */
  authorization?: string;
  /** Bot registrations the loopback token endpoint knows (see `registerApp`). */
  apps?: BotRegistration[];
}

/** A bot's app registration in Microsoft Entra: its client secret and, single-tenant, its home tenant. */
export interface BotRegistration {
  appId: string;
  password: string;
  /** Set: a SingleTenant app, whose tokens come from this tenant only. Unset: MultiTenant (botframework.com). */
  tenantId?: string;
}

/** The scope a bot asks for to call the Bot Connector (botbuilder's ToChannelFromBotOAuthScope + /.default). */
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com/.default';

/** An Entra error answer: `{error, error_description: "AADSTS…: …", error_codes}`. */
function entraError(res: ServerResponse, status: number, error: string, code: number, description: string): void {
  json(res, status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

export interface BotAnswer {
  status: number;
  body: unknown;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body === undefined ? '' : JSON.stringify(body));
};

export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
/** OneDrive: every byte range but the last is a multiple of 320 KiB, and none is 60 MiB or more. */
const FRAGMENT_UNIT = 320 * 1024;
const MAX_FRAGMENT = 60 * 1024 * 1024;
const UPLOAD_SESSION_TTL_MS = 15 * 60_000;

/** OneDrive's error answer: `{error: {code, message}}`. */
const driveError = (res: ServerResponse, status: number, code: string, message: string) =>
  json(res, status, { error: { code, message } });

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A request the Bot Connector refuses, answered with its ErrorResponse shape `{error: {code, message}}`. */
class ConnectorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConnectorError(400, 'BadSyntax', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConnectorError(400, 'BadSyntax', 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

const member = (u: TeamsMember) => ({
  id: u.id,
  name: u.name,
  aadObjectId: u.aadObjectId,
  ...(u.email ? { email: u.email } : {}),
  ...(u.userPrincipalName ? { userPrincipalName: u.userPrincipalName } : {}),
  tenantId: u.tenantId,
  userRole: 'user',
});

interface CardAction {
  type: string;
  title?: string;
  verb?: string;
  data?: Record<string, unknown>;
  card?: { actions?: CardAction[]; body?: unknown[] };
}

/**
 * Every Action.Execute in a card, as Teams shows them: the card's actions, ActionSets in its body
 * (inside containers and columns too), and ShowCard sub-cards, in reading order.
 */
export function executeActions(card: unknown): CardAction[] {
  const out: CardAction[] = [];
  const walkActions = (actions: CardAction[] | undefined) => {
    for (const a of actions ?? []) {
      if (a.type === 'Action.Execute') out.push(a);
      if (a.type === 'Action.ShowCard') walkCard(a.card);
    }
  };
  const walkElements = (elements: unknown[] | undefined) => {
    for (const e of elements ?? []) {
      const el = e as { type?: string; actions?: CardAction[]; items?: unknown[]; columns?: { items?: unknown[] }[] };
      if (el.type === 'ActionSet') walkActions(el.actions);
      walkElements(el.items);
      for (const c of el.columns ?? []) walkElements(c.items);
    }
  };
  const walkCard = (c: { actions?: CardAction[]; body?: unknown[] } | undefined) => {
    walkElements(c?.body);
    walkActions(c?.actions);
  };
  walkCard(card as { actions?: CardAction[]; body?: unknown[] } | undefined);
  return out;
}

export class TeamsConnector {
  readonly world: TeamsWorld;
  private server: Server | undefined;
  private botUrl: string | undefined;
  private authorization: string | undefined;
  private readonly apps = new Map<string, BotRegistration>();
  /** Tokens the loopback token endpoint issued, by app id (never the tokens). */
  readonly tokensIssued = new Map<string, number>();
  url = '';

  constructor(options: TeamsConnectorOptions = {}) {
    this.world = options.world ?? new TeamsWorld();
    this.botUrl = options.botUrl;
    this.authorization = options.authorization;
    for (const app of options.apps ?? []) this.registerApp(app);
  }

  /** Registers (or replaces) a bot's app registration for the token endpoint. */
  registerApp(app: BotRegistration): void {
    this.apps.set(app.appId.toLowerCase(), { ...app });
  }

  /** The authority to give as botbuilder's ToChannelFromBotLoginUrl: `<url>/<tenant>`. */
  loginUrl(tenant = 'botframework.com'): string {
    return `${this.url}/${tenant}`;
  }

  setBotUrl(url: string): void {
    this.botUrl = url;
  }

  setAuthorization(value: string | undefined): void {
    this.authorization = value;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) =>
        error instanceof ConnectorError
          ? json(res, error.status, { error: { code: error.code, message: error.message } })
          : json(res, 500, { error: { code: 'ServiceError', message: String(error) } }),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const { port: bound } = this.server.address() as AddressInfo;
    this.url = `http://${host}:${bound}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ routing

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === '_admin') return this.admin(req, res, parts.slice(1));
    if (parts[0] === '_upload' && parts[1] && parts.length === 2) return this.upload(req, res, parts[1]);
    if (parts[0] === '_files' && parts[1] && req.method === 'GET') {
      const file = this.world.files.find((f) => f.uniqueId === parts[1]);
      if (!file) return driveError(res, 404, 'itemNotFound', 'The file does not exist.');
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-length': String(file.size) });
      return void res.end(file.bytes);
    }
    if (parts.length === 4 && parts[1] === 'oauth2' && parts[2] === 'v2.0' && parts[3] === 'token') {
      return this.token(req, res, parts[0]!);
    }
    // The bot's calls may come under a path prefix (e.g. serviceUrl …/teams/): find "v3".
    const v3 = parts.indexOf('v3');
    if (v3 >= 0 && parts[v3 + 1] === 'conversations') return this.connector(req, res, parts.slice(v3 + 2));
    json(res, 404, { error: { code: 'NotFound', message: url.pathname } });
  }

  /**
   * Microsoft Entra's token endpoint (`POST /<tenant>/oauth2/v2.0/token`), client credentials only,
   * with Entra's answers: a wrong secret is 401 invalid_client AADSTS7000215, an app unknown in the
   * tenant 400 unauthorized_client AADSTS700016.
   */
  private async token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    if (req.method !== 'POST') return json(res, 405, { error: 'invalid_request' });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = parseForm(Buffer.concat(chunks).toString('utf8'));
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : undefined);
    if (field('grant_type') !== 'client_credentials') {
      return entraError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = field('client_id') ?? '';
    const app = this.apps.get(clientId.toLowerCase());
    const home = app?.tenantId ?? 'botframework.com';
    if (!app || home.toLowerCase() !== tenant.toLowerCase()) {
      return entraError(
        res,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    if (field('client_secret') !== app.password) {
      return entraError(
        res,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.appId}'.`,
      );
    }
    if (field('scope') !== BOT_FRAMEWORK_SCOPE) {
      return entraError(
        res,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${field('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    this.tokensIssued.set(app.appId, (this.tokensIssued.get(app.appId) ?? 0) + 1);
    json(res, 200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: randomBytes(48).toString('base64url'),
    });
  }

  /** The Bot Connector API, as the bot calls it. */
  private async connector(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const method = req.method ?? 'GET';
    const path = `/v3/conversations/${parts.join('/')}`;
    const log = (status: number) => this.world.calls.push({ at: new Date().toISOString(), method, path, status });
    const fault = this.world.takeFault(method);
    if (fault) {
      log(fault.status);
      if (fault.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(fault.retryAfterSeconds));
      return json(res, fault.status, { error: { code: 'Injected', message: `injected ${fault.status}` } });
    }
    const reply = (status: number, body: unknown) => {
      log(status);
      json(res, status, body);
    };
    const [conversationId, sub, subId] = parts;

    if (!conversationId && method === 'POST') return reply(...this.createConversation(await readBody(req)));
    if (!conversationId) return reply(405, { error: { code: 'MethodNotAllowed' } });
    const conv = this.world.conversations.get(conversationId);

    if (sub === 'members' || sub === 'pagedmembers') {
      const members = this.world.membersOf(conversationId);
      if (!members) return reply(404, { error: { code: 'ConversationNotFound', message: conversationId } });
      if (sub === 'pagedmembers') return reply(200, { members: members.map(member) });
      if (!subId) return reply(200, members.map(member));
      const found = members.find((m) => m.id === subId || m.aadObjectId === subId);
      return found ? reply(200, member(found)) : reply(404, { error: { code: 'MemberNotFound', message: subId } });
    }

    if (sub !== 'activities') return reply(404, { error: { code: 'NotFound', message: path } });
    if (!conv) return reply(404, { error: { code: 'ConversationNotFound', message: conversationId } });
    if (!conv.botInstalled)
      return reply(403, { error: { code: 'BotNotInConversationRoster', message: conversationId } });
    const body = await readBody(req);
    if ((method === 'POST' || method === 'PUT') && typeof body.type !== 'string') {
      return reply(400, { error: { code: 'BadArgument', message: 'The activity has no type.' } });
    }

    if ((method === 'POST' || method === 'PUT') && Array.isArray(body.attachments)) {
      const refused = this.consentCardProblem(conv, body.attachments as unknown[]);
      if (refused) return reply(400, { error: { code: 'BadArgument', message: refused } });
    }
    if (method === 'POST') {
      // A reply to an activity of this conversation goes into its thread; otherwise it is a new post
      // (botbuilder sets replyToId to a random id on proactive sends; Teams ignores unknown ones).
      const parent = subId ? this.world.activity(conversationId, subId) : undefined;
      const stored = this.store(conv, body, parent?.id);
      return reply(201, { id: stored.id });
    }
    if (method === 'PUT' && subId) {
      const existing = this.world.activity(conversationId, subId);
      if (!existing) return reply(404, { error: { code: 'ActivityNotFound', message: subId } });
      existing.text = typeof body.text === 'string' ? body.text : existing.text;
      existing.attachments = (body.attachments as StoredActivity['attachments']) ?? existing.attachments;
      existing.updatedAt = new Date().toISOString();
      existing.updates += 1;
      // Teams shows the updated base card until each listed viewer's card refreshes again.
      existing.userViews = {};
      return reply(200, { id: existing.id });
    }
    if (method === 'DELETE' && subId) {
      const i = this.world.activities.findIndex((a) => a.conversationId === conversationId && a.id === subId);
      if (i < 0) return reply(404, { error: { code: 'ActivityNotFound', message: subId } });
      this.world.activities.splice(i, 1);
      return reply(200, {});
    }
    return reply(405, { error: { code: 'MethodNotAllowed' } });
  }

  private createConversation(body: Record<string, unknown>): [number, unknown] {
    const members = (body.members as ChannelAccountJson[] | undefined) ?? [];
    const target = members[0] ? this.world.findUser(members[0].id) : undefined;
    if (body.isGroup || members.length !== 1 || !target) {
      return [400, { error: { code: 'BadArgument', message: 'keyless only opens 1:1 chats with a known user' } }];
    }
    const chat = this.world.personalChat(target.aadObjectId);
    chat.botInstalled = true;
    return [201, { id: chat.id }];
  }

  private store(conv: TeamsConversation, body: Record<string, unknown>, replyToId?: string): StoredActivity {
    const { type, text, attachments, from, id: _id, conversation: _c, recipient: _r, replyToId: _p, ...extra } = body;
    const stored: StoredActivity = {
      id: this.world.nextId('act-'),
      conversationId: conv.id,
      type: typeof type === 'string' ? type : 'message',
      from: (from as ChannelAccountJson | undefined) ?? this.world.bot,
      ...(replyToId ? { replyToId } : {}),
      ...(typeof text === 'string' ? { text } : {}),
      ...(Array.isArray(attachments) ? { attachments: attachments as StoredActivity['attachments'] } : {}),
      ...(Object.keys(extra).length ? { extra } : {}),
      createdAt: new Date().toISOString(),
      updates: 0,
      userViews: {},
    };
    this.world.activities.push(stored);
    return stored;
  }

  /**
   * Files through the Teams bot APIs exist in personal chats only ("Send and receive files using
   * bot"); a FileConsentCard names the file and its size and carries both contexts.
   */
  private consentCardProblem(conv: TeamsConversation, attachments: unknown[]): string | undefined {
    for (const raw of attachments) {
      const a = raw as { contentType?: unknown; name?: unknown; content?: Record<string, unknown> };
      if (a.contentType !== FILE_CONSENT_CARD) continue;
      if (conv.conversationType !== 'personal') return 'File consent cards are supported in personal chats only.';
      const size = a.content?.sizeInBytes;
      if (typeof a.name !== 'string' || a.name === '') return 'A file consent card needs the file name.';
      if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0)
        return 'A file consent card needs sizeInBytes, a positive integer.';
      if (a.content?.acceptContext === undefined || a.content?.declineContext === undefined)
        return 'A file consent card needs acceptContext and declineContext.';
    }
    return undefined;
  }

  /**
   * The upload URL of a session (OneDrive's "upload bytes to the upload session"), strictly: PUT
   * only, no Authorization header (401), Content-Length equal to the body, `Content-Range: bytes
   * first-last/total` with the total the consent card announced and the same on every range, ranges
   * in order (one already received: 416), each but the last a multiple of 320 KiB. 202 with
   * nextExpectedRanges until the last byte; then 201 with the item. GET answers the session's state,
   * DELETE cancels it.
   */
  private async upload(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const bytes = await readRaw(req);
    const session = this.world.uploads.get(id);
    const method = req.method ?? 'GET';
    this.world.calls.push({ at: new Date().toISOString(), method, path: '/_upload', status: 0 });
    const call = this.world.calls[this.world.calls.length - 1]!;
    const fail = (status: number, code: string, message: string) => {
      call.status = status;
      driveError(res, status, code, message);
    };
    if (!session || session.done || session.expiresAt < Date.now())
      return fail(404, 'itemNotFound', 'The upload session does not exist or has expired.');
    const state = () => ({
      expirationDateTime: new Date(session.expiresAt).toISOString(),
      nextExpectedRanges: [`${session.receivedBytes}-`],
    });
    if (method === 'GET') {
      call.status = 200;
      return json(res, 200, state());
    }
    if (method === 'DELETE') {
      this.world.uploads.delete(id);
      call.status = 204;
      res.statusCode = 204;
      return void res.end();
    }
    if (method !== 'PUT') return fail(405, 'invalidRequest', 'The upload URL takes PUT.');
    if (req.headers.authorization)
      return fail(401, 'unauthenticated', 'The upload URL takes no Authorization header: it is pre-authenticated.');
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!range) return fail(400, 'invalidRequest', 'Content-Range is missing or not "bytes <first>-<last>/<total>".');
    const [first, last, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (last < first || last >= total) return fail(400, 'invalidRange', 'The range does not lie within the file.');
    const declared = req.headers['content-length'];
    if (declared === undefined || Number(declared) !== bytes.length)
      return fail(400, 'invalidRequest', 'Content-Length is missing or differs from the body.');
    if (bytes.length !== last - first + 1)
      return fail(400, 'invalidRequest', 'The body is not as long as its Content-Range says.');
    if (total !== (session.total ?? session.announced))
      return fail(
        400,
        'invalidRequest',
        session.total === undefined
          ? `The file is ${total} bytes; the consent card announced ${session.announced}.`
          : 'The total size differs from the earlier ranges.',
      );
    if (bytes.length >= MAX_FRAGMENT) return fail(413, 'invalidRequest', 'A byte range must be under 60 MiB.');
    if (first < session.receivedBytes) return fail(416, 'invalidRange', 'This range was already received.');
    if (first > session.receivedBytes) return fail(400, 'invalidRange', 'Byte ranges must be uploaded in order.');
    if (last !== total - 1 && bytes.length % FRAGMENT_UNIT !== 0)
      return fail(400, 'invalidRange', 'Every byte range but the last must be a multiple of 320 KiB.');
    session.total = total;
    session.received.push(bytes);
    session.receivedBytes += bytes.length;
    if (session.receivedBytes < total) {
      call.status = 202;
      return json(res, 202, state());
    }
    session.done = true;
    const file = {
      uniqueId: session.uniqueId,
      owner: session.owner,
      name: session.name,
      size: total,
      bytes: Buffer.concat(session.received),
      createdAt: new Date().toISOString(),
    };
    this.world.files.push(file);
    call.status = 201;
    json(res, 201, { id: file.uniqueId, name: file.name, size: file.size, file: {}, webUrl: this.contentUrl(session) });
  }

  private contentUrl(session: Pick<UploadSession, 'uniqueId' | 'name'>): string {
    return `${this.url}/_files/${session.uniqueId}/${encodeURIComponent(session.name)}`;
  }

  // ------------------------------------------------------------------ acting as people

  private baseActivity(user: TeamsMember, conv: TeamsConversation): Record<string, unknown> {
    return {
      channelId: 'msteams',
      serviceUrl: this.url,
      timestamp: new Date().toISOString(),
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: this.world.bot,
      conversation: {
        id: conv.id,
        conversationType: conv.conversationType,
        tenantId: conv.tenantId,
        isGroup: conv.conversationType !== 'personal',
        ...(conv.name ? { name: conv.name } : {}),
      },
      channelData: {
        tenant: { id: conv.tenantId },
        ...(conv.teamId ? { team: { id: conv.teamId }, channel: { id: conv.id } } : {}),
      },
      ...(user.timeZone ? { localTimezone: user.timeZone } : {}),
      locale: 'en-US',
    };
  }

  private person(as: string): TeamsMember {
    const user = this.world.findUser(as);
    if (!user) throw new Error(`no Teams user ${as} in the loopback roster`);
    return user;
  }

  private conversation(id: string): TeamsConversation {
    const conv = this.world.conversations.get(id);
    if (!conv) throw new Error(`no conversation ${id}`);
    return conv;
  }

  async postToBot(activity: Record<string, unknown>): Promise<BotAnswer> {
    if (!this.botUrl) throw new Error('the bot URL is not set');
    const response = await fetch(this.botUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.authorization ? { authorization: this.authorization } : {}),
      },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body };
  }

  /** Installs the bot: in a person's 1:1 chat (no conversation id) or in a team channel. */
  async install(as: string, conversationId?: string): Promise<BotAnswer> {
    const user = this.person(as);
    const conv = conversationId ? this.conversation(conversationId) : this.world.personalChat(user.aadObjectId);
    conv.botInstalled = true;
    return this.postToBot({
      ...this.baseActivity(user, conv),
      id: this.world.nextId('in-'),
      type: 'conversationUpdate',
      membersAdded: [this.world.bot],
    });
  }

  /** A person writes to the bot (in their 1:1 chat unless a conversation is named). */
  async say(as: string, text: string, conversationId?: string): Promise<BotAnswer> {
    const user = this.person(as);
    const conv = conversationId ? this.conversation(conversationId) : this.world.personalChat(user.aadObjectId);
    const stored = this.store(conv, {
      type: 'message',
      text,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    });
    return this.postToBot({ ...this.baseActivity(user, conv), id: stored.id, type: 'message', text });
  }

  /** The card a person sees on an activity: their own refreshed view, else the posted card. */
  cardSeenBy(as: string, activityId: string): Record<string, unknown> | undefined {
    const user = this.person(as);
    const activity = this.world.findActivity(activityId);
    if (!activity) return undefined;
    const own = activity.userViews[user.aadObjectId];
    return (own ?? activity.attachments?.[0]?.content) as Record<string, unknown> | undefined;
  }

  /** Sends an `adaptiveCard/action` invoke as a person, exactly as given (for refusal tests). */
  async invokeRaw(as: string, activityId: string, value: unknown): Promise<BotAnswer> {
    const user = this.person(as);
    const activity = this.world.findActivity(activityId);
    const conv = this.conversation(activity?.conversationId ?? this.world.personalChat(user.aadObjectId).id);
    const answer = await this.postToBot({
      ...this.baseActivity(user, conv),
      id: this.world.nextId('in-'),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: activityId,
      value,
    });
    // What Teams does with the answer: the returned card replaces the card for this person only.
    const body = answer.body as { statusCode?: number; type?: string; value?: unknown } | undefined;
    if (
      activity &&
      answer.status === 200 &&
      body?.statusCode === 200 &&
      body.type === 'application/vnd.microsoft.card.adaptive'
    ) {
      activity.userViews[user.aadObjectId] = body.value;
    }
    return answer;
  }

  /**
   * Clicks the Action.Execute titled `title` on the card this person sees, with input values merged
   * into its data (as Teams does).
   */
  async click(
    as: string,
    activityId: string,
    title: string,
    inputs: Record<string, string> = {},
    /** When a card holds several buttons of this title (a home card), the one whose data has these values. */
    where: Record<string, unknown> = {},
  ): Promise<BotAnswer> {
    const card = this.cardSeenBy(as, activityId);
    const action = executeActions(card).find(
      (a) => a.title === title && Object.entries(where).every(([k, v]) => a.data?.[k] === v),
    );
    if (!action) {
      const titles = executeActions(card).map((a) => a.title);
      throw new Error(`no "${title}" button on ${activityId} for ${as} (there are: ${titles.join(', ') || 'none'})`);
    }
    return this.invokeRaw(as, activityId, {
      action: { type: 'Action.Execute', id: '', verb: action.verb, data: { ...action.data, ...inputs } },
      trigger: 'manual',
    });
  }

  /**
   * A person answers a FileConsentCard in their 1:1 chat, as Teams does: Allow opens an upload
   * session in their OneDrive (an unguessable upload URL, the announced size) and sends the bot a
   * `fileConsent/invoke` with the accept context and the upload info; Decline sends the decline
   * context. Only the person of that 1:1 chat can answer its card.
   */
  async answerFileConsent(as: string, activityId: string, action: 'accept' | 'decline'): Promise<BotAnswer> {
    const user = this.person(as);
    const activity = this.world.findActivity(activityId);
    const card = activity?.attachments?.find((a) => a.contentType === FILE_CONSENT_CARD) as
      | { name?: string; content?: { sizeInBytes?: number; acceptContext?: unknown; declineContext?: unknown } }
      | undefined;
    if (!activity || !card) throw new Error(`no file consent card on ${activityId}`);
    const conv = this.conversation(activity.conversationId);
    if (conv.conversationType !== 'personal' || !conv.members.includes(user.aadObjectId)) {
      throw new Error(`${as} cannot answer a file offer in ${conv.id}`);
    }
    if (action === 'decline') {
      return this.fileConsentRaw(as, activityId, {
        type: 'fileUpload',
        action: 'decline',
        context: card.content?.declineContext,
      });
    }
    const name = card.name ?? 'file';
    const session: UploadSession = {
      id: randomBytes(18).toString('base64url'),
      owner: user.aadObjectId,
      name,
      uniqueId: randomUUID().toUpperCase(),
      announced: card.content?.sizeInBytes ?? 0,
      received: [],
      receivedBytes: 0,
      expiresAt: Date.now() + UPLOAD_SESSION_TTL_MS,
      done: false,
    };
    this.world.uploads.set(session.id, session);
    return this.fileConsentRaw(as, activityId, {
      type: 'fileUpload',
      action: 'accept',
      context: card.content?.acceptContext,
      uploadInfo: {
        contentUrl: this.contentUrl(session),
        name,
        uploadUrl: `${this.url}/_upload/${session.id}`,
        uniqueId: session.uniqueId,
        fileType: name.includes('.') ? name.split('.').pop()! : '',
        etag: '1',
      },
    });
  }

  /** Sends a `fileConsent/invoke` as a person, exactly as given (for refusal tests), in the card's chat or their 1:1 chat. */
  async fileConsentRaw(as: string, activityId: string | undefined, value: unknown): Promise<BotAnswer> {
    const user = this.person(as);
    const activity = activityId ? this.world.findActivity(activityId) : undefined;
    const conv = this.conversation(activity?.conversationId ?? this.world.personalChat(user.aadObjectId).id);
    return this.postToBot({
      ...this.baseActivity(user, conv),
      id: this.world.nextId('in-'),
      type: 'invoke',
      name: 'fileConsent/invoke',
      ...(activityId ? { replyToId: activityId } : {}),
      value,
    });
  }

  /**
   * What Teams sends as a person types in a dynamic type-ahead (`choices.data` of type Data.Query):
   * an `application/search` invoke with the typed text, the dataset and the page asked for.
   */
  async search(
    as: string,
    activityId: string,
    query: { dataset: string; queryText: string; skip?: number; top?: number },
  ): Promise<BotAnswer> {
    const user = this.person(as);
    const activity = this.world.findActivity(activityId);
    const conv = this.conversation(activity?.conversationId ?? this.world.personalChat(user.aadObjectId).id);
    return this.postToBot({
      ...this.baseActivity(user, conv),
      id: this.world.nextId('in-'),
      type: 'invoke',
      name: 'application/search',
      replyToId: activityId,
      value: {
        kind: 'search',
        queryText: query.queryText,
        queryOptions: { skip: query.skip ?? 0, top: query.top ?? 15 },
        dataset: query.dataset,
      },
    });
  }

  /**
   * Teams' automatic refresh: when the card lists this person in `refresh.userIds` (or lists nobody
   * and the conversation has at most 60 members), their client asks the bot for their view.
   * Resolves to undefined when Teams would not refresh for them.
   */
  async refresh(as: string, activityId: string): Promise<BotAnswer | undefined> {
    const user = this.person(as);
    const activity = this.world.findActivity(activityId);
    const card = activity?.attachments?.[0]?.content as
      { refresh?: { action?: CardAction; userIds?: string[] } } | undefined;
    const refresh = card?.refresh;
    if (!activity || !refresh?.action) return undefined;
    const members = this.world.membersOf(activity.conversationId) ?? [];
    const listed = refresh.userIds?.length ? refresh.userIds.includes(user.id) : members.length <= 60;
    if (!listed) return undefined;
    return this.invokeRaw(as, activityId, {
      action: { type: 'Action.Execute', id: '', verb: refresh.action.verb, data: refresh.action.data ?? {} },
      trigger: 'automatic',
    });
  }

  // ------------------------------------------------------------------ admin API

  private async admin(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const method = req.method ?? 'GET';
    const [what] = parts;
    try {
      if (method === 'GET' && what === 'state') return json(res, 200, this.world.toJSON());
      if (method !== 'POST') return json(res, 405, { error: 'POST' });
      const body = await readBody(req);
      const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
      switch (what) {
        case 'users':
          return json(res, 200, this.world.addUser(body as unknown as TeamsMember));
        case 'conversations':
          return json(res, 200, this.world.addConversation(body as unknown as TeamsConversation));
        case 'install':
          return json(res, 200, await this.install(str('as') ?? '', str('conversationId')));
        case 'message':
          return json(res, 200, await this.say(str('as') ?? '', str('text') ?? '', str('conversationId')));
        case 'click':
          return json(
            res,
            200,
            await this.click(
              str('as') ?? '',
              str('activityId') ?? '',
              str('title') ?? '',
              (body.inputs ?? {}) as Record<string, string>,
            ),
          );
        case 'invoke':
          return json(res, 200, await this.invokeRaw(str('as') ?? '', str('activityId') ?? '', body.value));
        case 'file-consent': {
          const action = str('action') === 'decline' ? 'decline' : 'accept';
          return json(res, 200, await this.answerFileConsent(str('as') ?? '', str('activityId') ?? '', action));
        }
        case 'refresh':
          return json(res, 200, (await this.refresh(str('as') ?? '', str('activityId') ?? '')) ?? { refreshed: false });
        case 'faults':
          this.world.faults.push({
            status: Number(body.status),
            remaining: Number(body.count ?? 1),
            ...(str('method') ? { method: str('method')! } : {}),
            ...(body.retryAfterSeconds !== undefined ? { retryAfterSeconds: Number(body.retryAfterSeconds) } : {}),
          });
          return json(res, 200, { faults: this.world.faults });
        default:
          return json(res, 404, { error: `unknown admin route ${what ?? ''}` });
      }
    } catch (error) {
      return json(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

export async function startTeamsConnector(
  options: TeamsConnectorOptions & { port?: number } = {},
): Promise<TeamsConnector> {
  const connector = new TeamsConnector(options);
  await connector.start(options.port ?? 0);
  return connector;
}
