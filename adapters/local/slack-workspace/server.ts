import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WorkspaceClient } from './client';
import { DEMO_CHANNELS, DEMO_USERS } from './demo-users';
import type { SocketModeServer } from './socket-mode';
import {
  APP_LEVEL_METHODS,
  DEFAULT_BOT_SCOPES,
  METHODS,
  MissingScopeError,
  SCOPE_NEEDED,
  SlackRateLimiter,
  parseArgs,
  type Handler,
  type RateLimits,
} from './web-api';
import { SlackWorkspaceState, WorkspaceError, type WorkspaceUser, type WorkspaceUserGroup } from './workspace';

export interface SlackWorkspaceOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  signingSecret: string;
  botToken: string;
  /**
   * An app-level token (xapp-…): the workspace then speaks Socket Mode (apps.connections.open takes
   * this token and hands out a WebSocket URL on this server). Without it there is no Socket Mode.
   */
  appToken?: string;
  /** How long a Socket Mode envelope waits for its ack. Default 3000 ms, as Slack. */
  socketAckTimeoutMs?: number;
  /** Where the bot listens (POST /slack/events); can be set later with `client.botUrl`. */
  botUrl?: string;
  users?: WorkspaceUser[];
  channels?: { id: string; name: string }[];
  rateLimits?: RateLimits;
  /** The bot scopes granted at install; default DEFAULT_BOT_SCOPES (what the app manifest asks). */
  scopes?: string[];
  /** User groups (subteams) of the workspace; none by default. */
  userGroups?: WorkspaceUserGroup[];
}

export interface RunningSlackWorkspace {
  /** Base URL, for example http://127.0.0.1:4001 */
  url: string;
  /** What to give the bot as its Web API root (`slackApiUrl`). */
  apiUrl: string;
  state: SlackWorkspaceState;
  client: WorkspaceClient;
  limiter: SlackRateLimiter;
  /** The Socket Mode side, when started with an app token. */
  socketMode?: SocketModeServer;
  stop(): Promise<void>;
}

/**
 * A Slack workspace on 127.0.0.1: the Web API under /api/<method>, response URLs under
 * /response/<id>, upload URLs under /upload/v1/<file id>/<secret>, Socket Mode WebSockets under /socket-mode/<one-time id> (with an app token), and
 * a JSON admin API under /admin for tests and the playground:
 *
 *   GET  /admin/state                       everything (users, channels, messages, ephemerals, modals, homes)
 *   GET  /admin/channels/:id/messages       a channel's messages, oldest first
 *   GET  /admin/users/:id                   a person's DM, ephemerals, open modals and Home
 *   GET  /admin/calls                       the Web API calls received
 *   GET  /admin/files/:id                   an uploaded file's bytes (the posture chart)
 *   POST /admin/users                       add or replace a person {id, name, realName, displayName, email?, tz}
 *   POST /admin/channels                    add a channel {id, name}
 *   POST /admin/usergroups                  add or replace a user group {id, handle, name, users, disabled?}
 *   POST /admin/act/command                 {user, text, channel?}
 *   POST /admin/act/click                   {user, actionId, value?, channel+ts | viewId}
 *   POST /admin/act/type                    {user, blockId, actionId, value}
 *   POST /admin/act/pick                    {user, blockId, actionId, value}
 *   POST /admin/act/pick-external           {user, blockId, actionId, query, value}
 *   POST /admin/act/choose                  {user, blockId, actionId, value}   radio buttons
 *   POST /admin/act/date                    {user, blockId, actionId, value}   a datepicker's day
 *   POST /admin/act/time                    {user, blockId, actionId, value}   a timepicker's HH:mm
 *   POST /admin/act/options                 {user, blockId, actionId, query}
 *   POST /admin/act/submit                  {user}
 *   POST /admin/act/home                    {user}
 */
export async function startSlackWorkspace(options: SlackWorkspaceOptions): Promise<RunningSlackWorkspace> {
  const state = new SlackWorkspaceState(options.botToken);
  state.scopes = [...(options.scopes ?? DEFAULT_BOT_SCOPES)];
  for (const u of options.users ?? DEMO_USERS) state.addUser(u);
  for (const c of options.channels ?? DEMO_CHANNELS) state.addChannel(c.id, c.name);
  for (const g of options.userGroups ?? []) state.addUserGroup(g);
  const limiter = new SlackRateLimiter(options.rateLimits);
  let base = '';
  const client = new WorkspaceClient(state, options.botUrl ?? '', options.signingSecret, () => base);
  // Loaded only with an app token: `ws` is a development dependency, and `npm start` never needs it.
  const socketMode = options.appToken
    ? new (await import('./socket-mode')).SocketModeServer({
        appId: state.app.id,
        ...(options.socketAckTimeoutMs !== undefined ? { ackTimeoutMs: options.socketAckTimeoutMs } : {}),
      })
    : undefined;
  client.socketMode = socketMode;

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => send(res, 500, { ok: false, error: String(error) }));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (socketMode) return socketMode.upgrade(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const parts = url.pathname.split('/').filter(Boolean);

    // The upload URL of files.getUploadURLExternal: the file's bytes, raw or as one multipart part.
    if (parts[0] === 'upload' && parts[1] === 'v1' && parts[2] && parts[3] && req.method === 'POST') {
      const body = multipartFile(bytes, req.headers['content-type']) ?? bytes;
      const refused = state.receiveUpload(parts[2], parts[3], body);
      if (refused) return send(res, refused === 'upload_url_not_found' ? 404 : 400, { ok: false, error: refused });
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`OK - ${body.length}`);
    }
    if (parts[0] === 'admin' && parts[1] === 'files' && parts[2] && req.method === 'GET') {
      const f = state.files.get(parts[2]);
      if (!f?.bytes) return send(res, 404, { ok: false, error: 'file_not_found' });
      res.writeHead(200, { 'content-type': f.mimetype ?? 'application/octet-stream' });
      return void res.end(f.bytes);
    }

    if (parts[0] === 'api' && parts[1] && req.method === 'POST') return webApi(parts[1], raw, req, res);
    if (parts[0] === 'response' && parts[1] && req.method === 'POST') {
      try {
        const message = jsonObject(raw);
        // As Slack's response_url (an incoming webhook): a body that is not a JSON object is a 400.
        if (!message) return send(res, 400, { ok: false, error: 'invalid_payload' });
        state.respond(parts[1], message);
        return send(res, 200, { ok: true });
      } catch (error) {
        return send(res, 404, { ok: false, error: error instanceof WorkspaceError ? error.error : String(error) });
      }
    }
    if (parts[0] === 'admin') return admin(parts.slice(1), req.method ?? 'GET', raw, res);
    send(res, 404, { ok: false, error: 'not_found' });
  }

  function webApi(method: string, raw: string, req: IncomingMessage, res: ServerResponse): void {
    let args: ReturnType<typeof parseArgs>;
    try {
      args = parseArgs(raw, req.headers['content-type']);
    } catch {
      // As Slack: the Web API reports errors in the body (HTTP 200), here `invalid_json`.
      state.calls.push({ method, args: {}, at: Date.now(), ok: false, error: 'invalid_json' });
      return send(res, 200, { ok: false, error: 'invalid_json' });
    }
    const auth = req.headers.authorization?.replace(/^Bearer /, '') ?? (args.token as string | undefined);
    // Which kind of token called (never the token itself).
    const tokenType =
      auth === state.botToken ? 'bot' : options.appToken && auth === options.appToken ? 'app' : undefined;
    const log = (ok: boolean, error?: string) =>
      state.calls.push({
        method,
        args,
        at: Date.now(),
        ok,
        ...(tokenType ? { tokenType } : {}),
        ...(error ? { error } : {}),
      });
    if (!tokenType) {
      log(false, 'invalid_auth');
      return send(res, 200, { ok: false, error: 'invalid_auth' });
    }
    const appLevel = APP_LEVEL_METHODS[method];
    if ((tokenType === 'app') !== !!appLevel) {
      // As Slack: apps.connections.open wants an app-level token, the other methods a bot token.
      log(false, 'not_allowed_token_type');
      return send(res, 200, { ok: false, error: 'not_allowed_token_type' });
    }
    const handler: Handler | undefined = appLevel
      ? () => appLevel({ issueUrl: () => socketMode!.issueUrl(base) })
      : METHODS[method];
    if (!handler) {
      log(false, 'unknown_method');
      return send(res, 200, { ok: false, error: 'unknown_method' });
    }
    const retryAfter = limiter.check(method, args, Date.now());
    if (retryAfter !== undefined) {
      log(false, 'ratelimited');
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      return void res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    // A slow apps.connections.open, when a test asks for one.
    const delayMs = appLevel ? (socketMode?.delays.connectionsOpenMs ?? 0) : 0;
    // As Slack: every answer to a bot token names the scopes the token was granted.
    const headers: Record<string, string> = tokenType === 'bot' ? { 'x-oauth-scopes': state.scopes.join(',') } : {};
    const reply = (body: unknown) =>
      delayMs > 0 ? void setTimeout(() => send(res, 200, body, headers), delayMs) : send(res, 200, body, headers);
    try {
      const needed = tokenType === 'bot' ? SCOPE_NEEDED[method]?.(state, args) : undefined;
      if (needed !== undefined && !state.scopes.includes(needed)) throw new MissingScopeError(needed, state.scopes);
      const result = handler(state, args);
      if (typeof result.upload_url === 'string') result.upload_url = `${base}${result.upload_url}`;
      log(true);
      reply({ ok: true, ...result });
    } catch (error) {
      const code = error instanceof WorkspaceError ? error.error : 'internal_error';
      log(false, code);
      reply({
        ok: false,
        error: code,
        ...(error instanceof MissingScopeError ? { needed: error.needed, provided: error.provided.join(',') } : {}),
      });
    }
  }

  async function admin(parts: string[], method: string, raw: string, res: ServerResponse): Promise<void> {
    const parsed = jsonObject(raw);
    if (!parsed) return send(res, 400, { ok: false, error: 'invalid_json' });
    const body = parsed as Record<string, string>;
    const [what, id, sub] = parts;
    try {
      if (method === 'GET' && what === 'state') return send(res, 200, state.snapshot());
      if (method === 'GET' && what === 'calls') return send(res, 200, state.calls);
      if (method === 'GET' && what === 'channels' && id && sub === 'messages')
        return send(res, 200, state.channelMessages(id));
      if (method === 'GET' && what === 'users' && id) {
        const dm = state.openDm(id).id;
        return send(res, 200, {
          user: state.user(id),
          dm: { channel: dm, messages: state.channelMessages(dm) },
          ephemerals: state.ephemeralsOf(id),
          modals: state.openModals(id),
          home: state.home(id) ?? null,
        });
      }
      if (method === 'POST' && what === 'users') return send(res, 200, state.addUser(body as unknown as WorkspaceUser));
      if (method === 'POST' && what === 'usergroups')
        return send(res, 200, state.addUserGroup(body as unknown as WorkspaceUserGroup));
      if (method === 'POST' && what === 'channels' && body.id && body.name) {
        const b = body as unknown as { isPrivate?: boolean; botMember?: boolean };
        return send(
          res,
          200,
          state.addChannel(body.id, body.name, {
            ...(b.isPrivate !== undefined ? { isPrivate: b.isPrivate } : {}),
            ...(b.botMember !== undefined ? { botMember: b.botMember } : {}),
          }),
        );
      }
      if (method === 'POST' && what === 'act' && id) return send(res, 200, await act(id, body));
      send(res, 404, { ok: false, error: 'not_found' });
    } catch (error) {
      send(res, 400, { ok: false, error: error instanceof WorkspaceError ? error.error : String(error) });
    }
  }

  async function act(kind: string, b: Record<string, string>): Promise<unknown> {
    const user = b.user ?? '';
    switch (kind) {
      case 'command':
        return client.command(user, b.text ?? '', b.channel ? { channel: b.channel } : {});
      case 'click':
        return b.viewId
          ? client.clickInView(user, b.viewId, b.actionId ?? '', b.value)
          : client.clickInMessage(user, b.channel ?? '', b.ts ?? '', b.actionId ?? '', b.value);
      case 'type':
        return client.type(user, b.blockId ?? '', b.actionId ?? '', b.value ?? '');
      case 'pick':
        return client.pick(user, b.blockId ?? '', b.actionId ?? '', b.value ?? '');
      case 'choose':
        return client.choose(user, b.blockId ?? '', b.actionId ?? '', b.value ?? '');
      case 'date':
        return client.pickDate(user, b.blockId ?? '', b.actionId ?? '', b.value ?? '');
      case 'time':
        return client.pickTime(user, b.blockId ?? '', b.actionId ?? '', b.value ?? '');
      case 'pick-external':
        return client.pickExternal(user, b.blockId ?? '', b.actionId ?? '', b.query ?? '', b.value ?? '');
      case 'options':
        return client.options(user, b.blockId ?? '', b.actionId ?? '', b.query ?? '');
      case 'submit':
        return client.submit(user);
      case 'home':
        return client.openHome(user);
      default:
        throw new WorkspaceError(`unknown action ${kind}`);
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    apiUrl: `${base}/api/`,
    state,
    client,
    limiter,
    ...(socketMode ? { socketMode } : {}),
    async stop() {
      // Upgraded sockets are no longer the HTTP server's: Socket Mode closes its own.
      await socketMode?.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** `raw` as a JSON object ({} when empty); undefined when it is not JSON or not an object. */
function jsonObject(raw: string): Record<string, unknown> | undefined {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The first part's bytes of a multipart/form-data body; undefined when the body is not multipart. */
function multipartFile(body: Buffer, contentType: string | undefined): Buffer | undefined {
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const start = body.indexOf(delimiter);
  const headersEnd = start < 0 ? -1 : body.indexOf('\r\n\r\n', start);
  const end = headersEnd < 0 ? -1 : body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
  return end < 0 ? Buffer.alloc(0) : body.subarray(headersEnd + 4, end);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body ?? null));
}
