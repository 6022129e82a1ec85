import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LOCK_FILE, lockDataFolder } from '../../../../adapters/local/data-folder-lock';
import { startEmbeddedDynamo } from '../../../../adapters/local/embedded-dynamodb';
import { ErrorCodes, isKeylessError } from '../../../../src';

const ROOT = resolve(__dirname, '../../../..');
const folder = () => mkdtempSync(join(tmpdir(), 'keyless-data-'));

function refusalOf(work: () => unknown): { message: string; hint: string | undefined } {
  try {
    work();
  } catch (error) {
    if (!isKeylessError(error, ErrorCodes.ConfigInvalid)) throw error;
    return { message: error.message, hint: error.hint };
  }
  throw new Error('expected the lock to be refused');
}

/** Another process that takes the lock and keeps it until killed. */
async function holderProcess(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `require(${JSON.stringify(join(ROOT, 'adapters/local/data-folder-lock.ts'))}).lockDataFolder(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('locked') && done());
    child.once('exit', (code) => fail(new Error(`holder exited early (${code})`)));
  });
  return child;
}

describe('the data folder lock', () => {
  it('refuses a second start on the same folder, naming the folder and the PID holding it', async () => {
    const dir = folder();
    const child = await holderProcess(dir);
    try {
      const refusal = refusalOf(() => lockDataFolder(dir));
      expect(refusal.message).toContain(`The data folder ${dir} is in use by another keyless (PID ${child.pid}`);
      expect(refusal.hint).toContain('KEYLESS_DATA_DIR');
    } finally {
      child.kill('SIGKILL');
      await new Promise((done) => child.once('exit', done));
    }
    // Killed: its lock is stale and does not block the next start.
    const lock = lockDataFolder(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 30_000);

  it('refuses a second start in the same process, and allows it once the first is released', () => {
    const dir = folder();
    const first = lockDataFolder(dir);
    expect(refusalOf(() => lockDataFolder(dir)).message).toContain(`(PID ${process.pid}`);
    first.release();
    lockDataFolder(dir).release();
  });

  it('takes over a lock left by a process that is gone, or an unreadable one', () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 999_999_999, host: 'h', startedAt: 'x' }));
    lockDataFolder(dir, { pid: 1234, host: 'h', isAlive: () => false }).release();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    lockDataFolder(dir).release();
  });

  it('refuses a live holder on another host (the folder is shared): it cannot be checked from here', () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 42, host: 'other-host', startedAt: 'x' }));
    expect(refusalOf(() => lockDataFolder(dir, { pid: 1234, host: 'h', isAlive: () => false })).message).toContain(
      'PID 42 on other-host',
    );
  });

  it('is taken by the embedded DynamoDB on its folder, and released when it stops', async () => {
    const dir = folder();
    const dynamo = await startEmbeddedDynamo({ path: join(dir, 'dynamodb'), lock: dir });
    await expect(startEmbeddedDynamo({ path: join(dir, 'dynamodb'), lock: dir })).rejects.toThrow(
      `The data folder ${dir} is in use`,
    );
    await dynamo.stop();
    const again = await startEmbeddedDynamo({ path: join(dir, 'dynamodb'), lock: dir });
    await again.stop();
  });
});
