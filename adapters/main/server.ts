import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { ErrorCodes, KeylessError, type Logger } from '../../src';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  handler: Handler;
}

/**
 * One HTTP server for everything keyless serves: `/slack/events`, `/api/messages`, health, metrics.
 * Unknown paths are 404; a handler that throws answers 500 without detail (logged with its code).
 */
export function createHttpServer(routes: Route[], logger: Logger): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((r) => r.path === path && r.method === req.method);
    if (!route) {
      const known = routes.some((r) => r.path === path);
      res
        .writeHead(known ? 405 : 404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: known ? 'method not allowed' : 'not found' }));
      return;
    }
    Promise.resolve()
      .then(() => route.handler(req, res))
      .catch((error: unknown) => {
        logger.error({ err: error, path }, 'request handler failed');
        if (!res.headersSent)
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}');
        else res.end();
      });
  });
}

export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

export async function close(server: Server): Promise<void> {
  server.closeIdleConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** 127.0.0.0/8, ::1 (bracketed or not) and `localhost`: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isIP(h.slice(7)) === 4 && h.slice(7).startsWith('127.');
  return false;
}

/**
 * Refuses to serve unauthenticated chat (local mode: the Teams connector without a bot token, the
 * playground that speaks as anyone) on an address other machines can reach.
 */
export function assertLocalStaysLocal(host: string, what: string): void {
  if (isLoopbackHost(host)) return;
  throw new KeylessError(
    ErrorCodes.ConfigInvalid,
    `keyless cannot start: ${what} has no chat authentication, so it listens on a loopback address only, and KEYLESS_HOST=${host} is not one.`,
    {
      hint: 'Unset KEYLESS_HOST (local mode listens on 127.0.0.1), or run in production mode with Slack or Teams credentials to serve other machines.',
      details: { host },
    },
  );
}
