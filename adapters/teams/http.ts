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

/** Reads a JSON object body, refusing more than `limitBytes` (413) and anything but an object (400). */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw new HttpError(413, `Body larger than ${limitBytes} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limitBytes) throw new HttpError(413, `Body larger than ${limitBytes} bytes.`);
    chunks.push(buf);
  }
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
  | 'keys_unavailable'
  | 'rejected';

/**
 * What went wrong with a Bot Framework token, as a fixed word (the SDK's messages can carry key
 * material or claims, so none of them is logged), and the HTTP answer: 401, or 503 when the signing
 * keys themselves could not be fetched (the sender is not at fault; Bot Service retries).
 */
export function tokenFailureOf(error: unknown): { status: 401 | 503; reason: TokenFailureReason } {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : '';
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  const m = message.toLowerCase();
  if (
    /failed to load (openid config|keys)/.test(m) ||
    name === 'FetchError' ||
    (typeof statusCode === 'number' && statusCode >= 500)
  )
    return { status: 503, reason: 'keys_unavailable' };
  if (name === 'TokenExpiredError' || m.includes('expired')) return { status: 401, reason: 'expired' };
  if (name === 'NotBeforeError') return { status: 401, reason: 'not_yet_valid' };
  if (m.includes('signing key could not be retrieved')) return { status: 401, reason: 'unknown_key' };
  if (m.includes('algorithm') || m.includes('signature is required')) return { status: 401, reason: 'bad_algorithm' };
  if (m.includes('invalid signature')) return { status: 401, reason: 'bad_signature' };
  if (m.includes('audience')) return { status: 401, reason: 'wrong_audience' };
  if (m.includes('issuer')) return { status: 401, reason: 'wrong_issuer' };
  if (m.includes('endorsement')) return { status: 401, reason: 'not_endorsed' };
  if (m.includes('malformed') || m.includes('invalid token') || m.includes('jwt must') || m.includes('bearer'))
    return { status: 401, reason: 'malformed_token' };
  if (m.includes('unauthorized access') || m.includes('not authorized'))
    return { status: 401, reason: 'missing_token' };
  return { status: 401, reason: 'rejected' };
}
