/**
 * The HTTPS alternative to the queue: an EventBridge API destination posts each event here with a
 * connection that sends a shared secret in a header (API key authorization). The secret is compared
 * in constant time; the answer is 2xx once the event is stored (EventBridge retries 5xx and 429 for
 * up to 24 hours, so a failure is answered 503 and retried), and 400 for a malformed event (which
 * retrying cannot fix; it is logged and counted).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { silentLogger, type IngestOutcome, type Logger } from '../../../src';

export const DEFAULT_SECRET_HEADER = 'x-keyless-eventbridge-secret';
export const EVENTBRIDGE_PATH = '/alerts/eventbridge';
const MAX_BODY_BYTES = 256 * 1024;

/** Constant-time equality of two strings of any length (both are hashed to the same size first). */
export function secretsMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface EventBridgeEndpointOptions {
  secret: string;
  header?: string;
  logger?: Logger;
}

/** A `(req, res)` handler for the composition root's HTTP server. */
export function eventBridgeHandler(
  handle: (body: string) => Promise<IngestOutcome>,
  options: EventBridgeEndpointOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const header = (options.header ?? DEFAULT_SECRET_HEADER).toLowerCase();
  const logger = options.logger ?? silentLogger;
  if (options.secret.length < 16) throw new Error('The EventBridge shared secret must be at least 16 characters.');
  return async (req, res) => {
    if (req.method !== 'POST') return answer(res, 405, { message: 'POST only' });
    const given = req.headers[header];
    if (typeof given !== 'string' || !secretsMatch(given, options.secret)) {
      logger.warn(
        { code: 'EVENTBRIDGE_UNAUTHORIZED', remote: req.socket.remoteAddress },
        'refused an EventBridge delivery',
      );
      return answer(res, 401, { message: 'unauthorized' });
    }
    const body = await readBody(req);
    if (body === undefined) return answer(res, 413, { message: 'too large' });
    try {
      const result = await handle(body);
      if (result.outcome === 'malformed')
        return answer(res, 400, { outcome: 'malformed', problems: result.problems.slice(0, 5) });
      return answer(res, 200, { outcome: result.outcome });
    } catch (error) {
      logger.error({ err: error }, 'EventBridge delivery failed; EventBridge will retry');
      return answer(res, 503, { message: 'try again' });
    }
  };
}
