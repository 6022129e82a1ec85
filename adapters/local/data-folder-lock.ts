import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, KeylessError } from '../../src';

export const LOCK_FILE = 'keyless.lock';

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

/** Lock files this process holds (a second start in the same process is refused too). */
const heldHere = new Set<string>();

export interface DataFolderLock {
  readonly path: string;
  release(): void;
}

/**
 * One keyless per data folder: two processes on the same on-disk DynamoDB would corrupt it (or die
 * later with a LevelDB stack trace). The lock is a file created with O_EXCL holding the owner's PID;
 * a lock whose process is gone (killed, crashed) is stale and taken over, so it never blocks the
 * next start. The lock is released on stop and when the process exits.
 */
export function lockDataFolder(
  dir: string,
  probe: { isAlive(pid: number): boolean; host: string; pid: number } = systemProbe,
): DataFolderLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: probe.pid, host: probe.host, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!heldHere.has(path) && createExclusive(path, me)) {
      heldHere.add(path);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        heldHere.delete(path);
        process.removeListener('exit', release);
        if (readHolder(path)?.pid === me.pid) unlinkQuietly(path);
      };
      process.once('exit', release);
      return { path, release };
    }
    const holder = readHolder(path) ?? (heldHere.has(path) ? me : undefined);
    // Our own PID in a lock we do not hold is a previous life of this PID (a container's PID 1): stale.
    const ours = holder?.pid === me.pid && holder.host === me.host;
    const live = holder && (ours ? heldHere.has(path) : holder.host !== me.host || probe.isAlive(holder.pid));
    if (holder && live) {
      throw new KeylessError(
        ErrorCodes.ConfigInvalid,
        `The data folder ${dir} is in use by another keyless (PID ${holder.pid}${holder.host !== me.host ? ` on ${holder.host}` : ''}, started ${holder.startedAt}).`,
        {
          hint: `Stop that process, or give this one its own folder with KEYLESS_DATA_DIR. If PID ${holder.pid} is not keyless, delete ${path}.`,
          details: { problems: [`KEYLESS_DATA_DIR: ${dir} is in use by PID ${holder.pid}`], pid: holder.pid },
        },
      );
    }
    // Stale (its process is gone), unreadable, or our own: move it aside, then try again. A rename
    // takes the stale file away once, so two starts racing for it cannot both remove a fresh lock.
    try {
      renameSync(path, `${path}.stale-${me.pid}`);
      unlinkQuietly(`${path}.stale-${me.pid}`);
    } catch {
      // Someone else took it over first: the next attempt sees their lock.
    }
  }
  throw new KeylessError(ErrorCodes.ConfigInvalid, `The data folder ${dir} could not be locked (${path}).`, {
    hint: 'Another keyless is starting on the same folder; try again.',
  });
}

function createExclusive(path: string, me: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): Holder | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0) {
      return {
        pid: value.pid,
        host: String(value.host ?? ''),
        startedAt: String(value.startedAt ?? 'at an unknown time'),
      };
    }
  } catch {
    // A lock being written, or garbage: treated as stale.
  }
  return undefined;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

const systemProbe = {
  pid: process.pid,
  host: hostname(),
  isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: the process exists but belongs to someone else.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};
