import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src';

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
