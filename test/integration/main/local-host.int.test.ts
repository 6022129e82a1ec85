import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../../adapters/main/config';
import { startPlayground } from '../../../adapters/main/playground';
import { ErrorCodes, silentLogger } from '../../../src';

const ROOT = join(__dirname, '..', '..', '..');

/** Runs `keyless start` as `npm start` does and waits for it to end (or gives up after `ms`). */
function runCli(env: NodeJS.ProcessEnv, ms = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'adapters/main/cli.ts'), 'start'], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keyless start did not stop within ${ms} ms:\n${stdout}\n${stderr}`));
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('local mode stays local', () => {
  test('`KEYLESS_HOST=0.0.0.0 npm start` in local mode refuses to start, with a clear error and a non-zero exit', async () => {
    const { code, stdout, stderr } = await runCli({
      KEYLESS_MODE: 'local',
      KEYLESS_HOST: '0.0.0.0',
      KEYLESS_PORT: '0',
      SLACK_BOT_TOKEN: '',
      MICROSOFT_APP_ID: '',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/loopback address only, and KEYLESS_HOST=0\.0\.0\.0 is not one/);
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(stdout).not.toMatch(/is running at/);
  }, 90_000);

  test('startPlayground refuses before starting anything', async () => {
    const config = loadConfig({ KEYLESS_HOST: '0.0.0.0', KEYLESS_PORT: '0' });
    await expect(startPlayground(config, { logger: silentLogger, ephemeral: true })).rejects.toMatchObject({
      code: ErrorCodes.ConfigInvalid,
    });
  });
});
