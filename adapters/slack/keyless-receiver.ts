import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { GrantStore, Logger } from '../../src';
import type { AckFirstGate } from './ack-first';
import { DeliveryDedupe } from './delivery-dedupe';
import { INVALID_BUTTON_TEXT } from './listeners/actions/interaction';
import { verifySignature } from './verify-signature';

export { deliveryIdOf } from './delivery-dedupe';

export interface KeylessReceiverOptions {
  signingSecret: string;
  logger: Logger;
  store: Pick<GrantStore, 'rememberOnce'>;
  /** Accepted clock difference, both directions. Default 300 s. */
  timestampSkewSeconds?: number;
  /** Largest body accepted. Default 1 MiB (Slack payloads are far smaller). */
  bodyLimitBytes?: number;
  /** How long a delivery id is remembered. Default 1 hour. */
  dedupeTtlSeconds?: number;
  /** Told when a request arrives and when it is answered, so that acks go first. */
  gate?: Pick<AckFirstGate, 'arrived' | 'answered' | 'run'>;
}

/**
 * Bolt's Receiver, owned by keyless: the lead's HTTP server routes POST /slack/events to `handle`.
 * It reads the raw body, checks the signature (old *and* future timestamps, constant-time compare),
 * drops Slack retries of deliveries already handled (`DeliveryDedupe`, with x-slack-retry-num
 * marking a retry), and hands the payload to Bolt with an `ack` that writes the HTTP answer at once;
 * listeners do their slow work after acking.
 */
export class KeylessReceiver implements Receiver {
  private app: App | undefined;
  private readonly dedupe: DeliveryDedupe;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Rejections by reason (for tests and metrics). */
  readonly rejected = new Map<string, number>();

  constructor(private readonly options: KeylessReceiverOptions) {
    this.dedupe = new DeliveryDedupe(options);
  }

  /** Deliveries dropped as duplicates. */
  get deduped(): number {
    return this.dedupe.deduped;
  }

  init(app: App): void {
    this.app = app;
  }

  // The lead's server owns the socket: nothing to listen on here.
  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.idle();
  }

  /** Resolves when every listener started so far has finished its after-ack work. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const gate = this.options.gate;
    if (gate) {
      gate.arrived();
      let told = false;
      const tell = () => {
        if (!told) {
          told = true;
          gate.answered();
        }
      };
      res.once('finish', tell);
      res.once('close', tell);
    }
    const work = this.process(req, res);
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  private reject(res: ServerResponse, status: number, reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    this.options.logger.warn({ platform: 'slack', code: reason, status }, 'slack request rejected');
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(reason);
  }

  /** Tells the clicker of a button nobody handles that it is not valid (never logging the payload). */
  private async answerUnknownButton(body: Record<string, unknown>): Promise<void> {
    const user = (body.user as { id?: unknown } | undefined)?.id;
    this.options.logger.warn(
      { platform: 'slack', actor: typeof user === 'string' ? `slack:${user}` : undefined, code: 'INVALID_BUTTON' },
      'button keyless does not know; nothing done',
    );
    const url = body.response_url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return;
    try {
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: INVALID_BUTTON_TEXT }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (error) {
      this.options.logger.warn({ err: error, platform: 'slack' }, 'private reply not delivered');
    }
  }

  private async process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return this.reject(res, 405, 'method_not_allowed');
    let raw: Buffer;
    try {
      raw = await readBody(req, this.options.bodyLimitBytes ?? 1024 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLarge) return this.reject(res, 413, 'body_too_large');
      return void res.destroy();
    }
    const verdict = verifySignature({
      signingSecret: this.options.signingSecret,
      rawBody: raw,
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
      nowSeconds: Math.floor(Date.now() / 1000),
      skewSeconds: this.options.timestampSkewSeconds ?? 300,
    });
    if (!verdict.ok) return this.reject(res, 401, verdict.reason);

    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, header(req, 'content-type'));
    } catch {
      return this.reject(res, 400, 'unparseable_body');
    }
    if (body.ssl_check === '1') return void res.writeHead(200).end();
    // Every Slack delivery names what it is: a slash command, or an event or interaction `type`.
    if (typeof body.type !== 'string' && typeof body.command !== 'string')
      return this.reject(res, 400, 'unrecognised_payload');
    if (body.type === 'url_verification') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ challenge: body.challenge }));
    }

    const retryHeader = header(req, 'x-slack-retry-num');
    const retryNum = retryHeader !== undefined ? Number.parseInt(retryHeader, 10) : undefined;
    if (!(await this.dedupe.admit(body, retryNum !== undefined, retryNum))) return void res.writeHead(200).end();

    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      if (response === undefined || response === '') {
        res.writeHead(200);
        res.end();
      } else if (typeof response === 'string') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(response);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(response));
      }
    };
    const event: ReceiverEvent = {
      body,
      ack,
      ...(retryNum !== undefined ? { retryNum } : {}),
      ...(header(req, 'x-slack-retry-reason') ? { retryReason: header(req, 'x-slack-retry-reason')! } : {}),
    };
    try {
      if (!this.app) throw new Error('receiver used before Bolt initialised it');
      await this.app.processEvent(event);
      if (!acked) {
        acked = true;
        if (body.type === 'block_actions') {
          // A button keyless never made (its action_id changed): acknowledged, and the clicker told.
          res.writeHead(200);
          res.end();
          await this.answerUnknownButton(body);
        } else {
          // No listener answered (an event keyless does not handle): say so without an error page.
          res.writeHead(404);
          res.end();
        }
      }
    } catch (error) {
      this.options.logger.error({ err: error, platform: 'slack' }, 'slack listener failed');
      if (!acked) {
        acked = true;
        res.writeHead(500);
        res.end();
      }
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A body over the limit: answered 413 once the sender has finished (the rest is read and dropped). */
class BodyTooLarge extends Error {}

/**
 * Reads the body, keeping at most `limit` bytes. Past the limit the rest is still read (and
 * dropped) so that the 413 reaches the sender instead of a connection reset; a sender that goes on
 * past `limit * 16` is cut off.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * 16) req.destroy();
    });
    req.on('end', () =>
      size > limit || declared > limit ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

/** Slash commands and interactions are form-encoded (interactions as one JSON `payload`); events are JSON. */
export function parseBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const form = parseQuery(text);
    if (typeof form.payload === 'string') return objectOf(JSON.parse(form.payload));
    return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  }
  return objectOf(JSON.parse(text));
}

function objectOf(parsed: unknown): Record<string, unknown> {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
  return parsed as Record<string, unknown>;
}
