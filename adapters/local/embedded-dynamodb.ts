import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { lockDataFolder } from './data-folder-lock';

/**
 * dynalite (an implementation of the DynamoDB API on LevelDB) on 127.0.0.1: the embedded store of
 * the playground (on disk under the data folder) and of fast tests (in memory). With `lock`, the
 * folder is held for this process (data-folder-lock.ts) until `stop`.
 */
export async function startEmbeddedDynamo(
  options: { path?: string; port?: number; lock?: string } = {},
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
