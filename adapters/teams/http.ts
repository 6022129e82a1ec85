import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Activity } from 'botbuilder';
import { z } from 'zod';

/**
 * CloudAdapter.process wants Express-like objects with a parsed body. These are the smallest ones
 * that satisfy it over node's own request and response.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a JSON object body, refusing more than `limitBytes` (413) and anything but an object (400).
 * Past the limit the rest is read and dropped, so that the sender gets the 413 rather than a reset
 * (up to 16 times the limit; beyond that the connection is cut).
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw new HttpError(413, `Body larger than ${limitBytes} bytes.`);
  const chunks = await new Promise<Buffer[] | undefined>((resolve, reject) => {
    const kept: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size <= limitBytes) kept.push(buf);
      else if (size > limitBytes * 16) req.destroy();
    });
    req.on('end', () => resolve(size > limitBytes ? undefined : kept));
    req.on('close', () => resolve(undefined)); // cut off (or gone) before the end
    req.on('error', reject);
  });
  if (!chunks) throw new HttpError(413, `Body larger than ${limitBytes} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'Body is not JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'Body is not a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

export interface ExpressLikeRequest {
  method: string | undefined;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface ExpressLikeResponse {
  socket: unknown;
  status(code: number): ExpressLikeResponse;
  header(name: string, value: unknown): ExpressLikeResponse;
  send(body?: unknown): ExpressLikeResponse;
  end(): ExpressLikeResponse;
}

export function expressRequest(req: IncomingMessage, body: Record<string, unknown>): ExpressLikeRequest {
  return { method: req.method, headers: req.headers, body };
}

export function expressResponse(res: ServerResponse): ExpressLikeResponse {
  const self: ExpressLikeResponse = {
    socket: res.socket,
    status(code) {
      res.statusCode = code;
      return self;
    },
    header(name, value) {
      if (!res.headersSent) res.setHeader(name, String(value));
      return self;
    },
    send(body) {
      if (res.writableEnded || body === undefined || body === null) return self;
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        if (!res.headersSent && !res.hasHeader('content-type'))
          res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.write(body);
      } else {
        if (!res.headersSent) res.setHeader('content-type', 'application/json; charset=utf-8');
        res.write(JSON.stringify(body));
      }
      return self;
    },
    end() {
      if (!res.writableEnded) res.end();
      return self;
    },
  };
  return self;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded) return;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** The smallest shape of a Bot Framework activity that keyless (and the SDK) can work with. */
const activityShape = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(256).optional(),
    channelId: z.string().max(64).optional(),
    serviceUrl: z.string().max(2048).optional(),
    conversation: z
      .object({ id: z.string().min(1).max(1024) })
      .passthrough()
      .optional(),
    from: z
      .object({ id: z.string().max(1024) })
      .passthrough()
      .optional(),
    recipient: z
      .object({ id: z.string().max(1024) })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** A JSON object that is not an activity (`{}`, a missing type, a conversation without id) is a 400. */
export function activityOf(body: Record<string, unknown>): Activity {
  const parsed = activityShape.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new HttpError(
      400,
      `Not a Bot Framework activity (${first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'invalid'}).`,
    );
  }
  return parsed.data as unknown as Activity;
}

/** 127.0.0.0/8, ::1 and the IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

export type TokenFailureReason =
  | 'missing_token'
  | 'malformed_token'
  | 'unknown_key'
  | 'bad_algorithm'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'not_endorsed'
  | 'service_url_mismatch'
  | 'keys_unavailable'
  | 'rejected';

/**
 * What went wrong with a Bot Framework token, as a fixed word (the SDK's messages can carry key
 * material or claims, so none of them is logged), and the HTTP answer: 401, or 503 when the signing
 * keys themselves could not be fetched (the sender is not at fault; Bot Service retries).
 */
export function tokenFailureOf(
  error: unknown,
  authorization: string | undefined,
): { status: 401 | 503; reason: TokenFailureReason } {
  const name = error instanceof Error ? error.name : '';
  const m = (error instanceof Error ? error.message : '').toLowerCase();
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  const unauthorized = (reason: TokenFailureReason) => ({ status: 401 as const, reason });
  if (
    /failed to load (openid config|keys)/.test(m) ||
    name === 'FetchError' ||
    (typeof statusCode === 'number' && statusCode >= 500)
  )
    return { status: 503, reason: 'keys_unavailable' };
  if (!authorization) return unauthorized('missing_token');
  if (!isBearerJwt(authorization)) return unauthorized('malformed_token');
  if (name === 'TokenExpiredError' || m.includes('expired')) return unauthorized('expired');
  if (name === 'NotBeforeError') return unauthorized('not_yet_valid');
  if (m.includes('signing key could not be retrieved')) return unauthorized('unknown_key');
  if (m.includes('algorithm') || m.includes('signature is required')) return unauthorized('bad_algorithm');
  if (m.includes('invalid signature')) return unauthorized('bad_signature');
  if (m.includes('audience') || m.includes('invalid appid')) return unauthorized('wrong_audience');
  // The SDK answers "no valid identity" when the issuer is not one it trusts (checked before the key).
  if (m.includes('issuer') || m.includes('no valid identity')) return unauthorized('wrong_issuer');
  if (m.includes('endorsement')) return unauthorized('not_endorsed');
  if (m.includes('serviceurl')) return unauthorized('service_url_mismatch');
  return unauthorized('rejected');
}

/** `Bearer <header>.<payload>.<signature>` with a JSON header and payload (the signature may be empty: alg none). */
function isBearerJwt(authorization: string): boolean {
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/.exec(authorization);
  if (!match) return false;
  try {
    const header: unknown = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(match[2]!, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof payload === 'object' && payload !== null;
  } catch {
    return false;
  }
}
