import type { IncomingMessage, ServerResponse } from 'node:http';

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
