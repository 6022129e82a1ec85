import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EnvelopeLink, EnvelopeType, DeliveryOptions } from './client';
import { WorkspaceError } from './workspace';

/**
 * Socket Mode, as Slack speaks it (https://docs.slack.dev/apis/events-api/using-socket-mode):
 * `apps.connections.open` (app-level token) hands out a one-time WebSocket URL; on connect the
 * workspace sends `hello`; deliveries go out as envelopes
 * `{envelope_id, type: slash_commands | interactive | events_api, payload, accepts_response_payload,
 * retry_attempt?, retry_reason?}` and the app acks each with `{envelope_id, payload?}`; pings are
 * answered with pongs; `disconnect()` sends `{type: 'disconnect', reason}` and closes, as Slack does
 * when it refreshes a connection.
 *
 * Loaded only when the workspace is given an app token (`ws` is a development dependency).
 */
export interface SocketModeConnection {
  id: string;
  openedAt: number;
  /** When `hello` was sent. */
  helloAt?: number;
  closedAt?: number;
  closeCode?: number;
  /** Who started the close: the app (a close frame from it) or the workspace. */
  closedBy?: 'app' | 'workspace';
}

export interface SocketModeOptions {
  appId: string;
  /** How long an envelope waits for its ack. Default 3000 ms (Slack's 3 s). */
  ackTimeoutMs?: number;
}

/** One-time URLs are good for this long, as Slack's. */
const TICKET_TTL_MS = 30_000;

interface Pending {
  type: EnvelopeType;
  socket: WebSocket;
  started: number;
  timer: NodeJS.Timeout;
  resolve(answer: { payload: unknown; ms: number }): void;
  reject(error: Error): void;
}

export class SocketModeServer implements EnvelopeLink {
  private readonly wss = new WebSocketServer({ noServer: true, clientTracking: false });
  private readonly tickets = new Map<string, number>();
  private readonly open = new Map<WebSocket, SocketModeConnection>();
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<() => void>();
  private readonly closingByWorkspace = new Set<WebSocket>();
  /** Every connection made, oldest first. */
  readonly connections: SocketModeConnection[] = [];
  /** Every envelope sent and the ack it got (`undefined` while waiting, `null` when it got none). */
  readonly envelopes: { envelope_id: string; type: EnvelopeType; retry_attempt?: number; ack?: unknown }[] = [];
  /** A slow Slack, for tests: how long apps.connections.open takes to answer, and `hello` to come. */
  readonly delays = { connectionsOpenMs: 0, helloMs: 0 };
  /** A broken Slack, for tests: every connection is closed right after its `hello`. */
  closeAfterHello = false;

  constructor(private readonly options: SocketModeOptions) {}

  /** apps.connections.open: a WebSocket URL on the workspace's own server, good for one connection. */
  issueUrl(baseUrl: string): string {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.set(ticket, Date.now());
    return `${baseUrl.replace(/^http/, 'ws')}/socket-mode/${ticket}`;
  }

  /** The HTTP server's `upgrade` event. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const match = /^\/socket-mode\/([0-9a-f]+)$/.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const issued = match ? this.tickets.get(match[1]!) : undefined;
    if (!match || issued === undefined || Date.now() - issued > TICKET_TTL_MS) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.tickets.delete(match[1]!);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const connection: SocketModeConnection = { id: randomUUID(), openedAt: Date.now() };
    this.connections.push(connection);
    this.open.set(ws, connection);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('error', () => undefined);
    ws.on('close', (code: number) => {
      connection.closedAt = Date.now();
      connection.closeCode = code;
      connection.closedBy = this.closingByWorkspace.delete(ws) ? 'workspace' : 'app';
      this.open.delete(ws);
      for (const [id, p] of this.pending) {
        if (p.socket !== ws) continue;
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new WorkspaceError(`the connection closed before envelope ${id} (${p.type}) was acked`));
      }
      this.notify();
    });
    const hello = () => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: this.open.size,
          debug_info: { host: 'applink-loopback', build_number: 1, approximate_connection_time: 3600 },
          connection_info: { app_id: this.options.appId },
        }),
      );
      connection.helloAt = Date.now();
      this.notify();
      if (this.closeAfterHello) {
        this.closingByWorkspace.add(ws);
        ws.close(1011, 'loopback: closed after hello');
      }
    };
    if (this.delays.helloMs > 0) setTimeout(hello, this.delays.helloMs);
    else hello();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data)) as typeof message;
    } catch {
      return;
    }
    if (typeof message.envelope_id !== 'string') return;
    const p = this.pending.get(message.envelope_id);
    if (!p) return;
    this.pending.delete(message.envelope_id);
    clearTimeout(p.timer);
    const payload = message.payload ?? {};
    const record = this.envelopes.find((e) => e.envelope_id === message.envelope_id);
    if (record) record.ack = payload;
    p.resolve({ payload, ms: performance.now() - p.started });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** The connections open now. */
  get openConnections(): SocketModeConnection[] {
    return [...this.open.values()];
  }

  /** Resolves with the first connection opened after the first `since` ones, once it has had hello. */
  waitForConnection(options: { since?: number; timeoutMs?: number } = {}): Promise<SocketModeConnection> {
    const since = options.since ?? 0;
    const found = () => this.connections.slice(since).find((c) => c.helloAt !== undefined && c.closedAt === undefined);
    return new Promise((resolve, reject) => {
      const check = () => {
        const c = found();
        if (!c) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(c);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new WorkspaceError(`no Socket Mode connection within ${options.timeoutMs ?? 10_000} ms`));
      }, options.timeoutMs ?? 10_000);
      this.waiters.add(check);
      check();
    });
  }

  /** Sends one envelope on the newest open connection and waits for its ack. */
  deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options: DeliveryOptions = {},
  ): Promise<{ payload: unknown; ms: number }> {
    const socket = [...this.open.keys()].at(-1);
    if (!socket) return Promise.reject(new WorkspaceError('the app has no Socket Mode connection open'));
    const envelope_id = randomUUID();
    const acceptsResponse =
      type === 'slash_commands' ||
      (type === 'interactive' && (payload.type === 'view_submission' || payload.type === 'block_suggestion'));
    const retries =
      type === 'events_api' || options.retryAttempt !== undefined
        ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' }
        : {};
    const timeoutMs = this.options.ackTimeoutMs ?? 3000;
    this.envelopes.push({ envelope_id, type, ...retries });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope_id);
        const record = this.envelopes.find((e) => e.envelope_id === envelope_id);
        if (record) record.ack = null;
        reject(new WorkspaceError(`no ack for envelope ${envelope_id} (${type}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelope_id, { type, socket, started: performance.now(), timer, resolve, reject });
      socket.send(
        JSON.stringify({ envelope_id, type, payload, accepts_response_payload: acceptsResponse, ...retries }),
      );
    });
  }

  /**
   * What Slack does to refresh a connection: `{type: 'disconnect', reason}`, then it closes the
   * socket. Resolves when every connection open before is closed.
   */
  async disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested'): Promise<void> {
    const sockets = [...this.open.keys()];
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            this.closingByWorkspace.add(ws);
            ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-loopback' } }));
            ws.close(1000, reason);
          }),
      ),
    );
  }

  /** Ends every connection at once and refuses new ones (the workspace stops). */
  async close(): Promise<void> {
    this.tickets.clear();
    for (const ws of this.open.keys()) {
      this.closingByWorkspace.add(ws);
      ws.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
