import { mkdirSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { lockDataFolder } from './data-folder-lock';

export interface EmbeddedDynamoOptions {
  path?: string;
  port?: number;
  /**
   * Answer DescribeTimeToLive and UpdateTimeToLive as DynamoDB does (dynalite has no UpdateTimeToLive,
   * and reports every table DISABLED). Only the setting is kept: items are NOT deleted when they
   * expire. For checks of a deployment's settings (`keyless doctor`), not for expiry.
   */
  ttlSettings?: boolean;
  /** Hold this data folder for this process (data-folder-lock.ts) until `stop`. */
  lock?: string;
}

/**
 * dynalite (an implementation of the DynamoDB API on LevelDB) on 127.0.0.1: the embedded store of
 * the playground (on disk under the data folder) and of fast tests (in memory). With `lock`, the
 * folder is held for this process (data-folder-lock.ts) until `stop`.
 */
export async function startEmbeddedDynamo(
  options: EmbeddedDynamoOptions = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  // The folder lock comes first: a second start on the same files fails here, at once and clearly.
  const lock = options.lock ? lockDataFolder(options.lock) : undefined;
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  if (options.ttlSettings) withTtlSettings(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => server.close(() => resolve())).finally(() => {
        lock?.release();
      }),
  };
}

/** Puts DynamoDB's TTL settings API in front of dynalite's own handler. */
function withTtlSettings(server: ReturnType<typeof dynalite>): void {
  const [inner] = server.listeners('request') as RequestListener[];
  if (!inner) return;
  server.removeAllListeners('request');
  /** table name → the TTL attribute, for tables with TTL on. */
  const enabled = new Map<string, string>();
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const validation = (res: ServerResponse, message: string) =>
    send(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', message });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1];
    if (operation !== 'DescribeTimeToLive' && operation !== 'UpdateTimeToLive') return inner(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        TableName?: string;
        TimeToLiveSpecification?: { AttributeName?: string; Enabled?: boolean };
      };
      const table = input.TableName ?? '';
      if (!table)
        return validation(
          res,
          '1 validation error detected: Value null at tableName failed to satisfy constraint: Member must not be null',
        );
      if (operation === 'DescribeTimeToLive') {
        const attribute = enabled.get(table);
        return send(res, 200, {
          TimeToLiveDescription: attribute
            ? { TimeToLiveStatus: 'ENABLED', AttributeName: attribute }
            : { TimeToLiveStatus: 'DISABLED' },
        });
      }
      const spec = input.TimeToLiveSpecification;
      if (!spec?.AttributeName || spec.Enabled === undefined) {
        return validation(res, 'TimeToLiveSpecification needs AttributeName and Enabled');
      }
      if (spec.Enabled && enabled.has(table)) return validation(res, 'TimeToLive is already enabled');
      if (!spec.Enabled && !enabled.has(table)) return validation(res, 'TimeToLive is already disabled');
      if (spec.Enabled) enabled.set(table, spec.AttributeName);
      else enabled.delete(table);
      send(res, 200, { TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled } });
    });
  });
}
