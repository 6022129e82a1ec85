/**
 * `keyless start` with real (production) configuration loads no local emulator, no playground and no
 * dev dependency: the built CLI runs in a child process with a require hook that records every
 * module it loads, against the AWS emulator and dynalite (in this test process, not in the child).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { ROOT, buildForTests } from '../../support/cli-build';
import { startDynalite } from '../../support/dynalite';
import { playgroundPolicyWithoutOnCall } from '../../support/sample-policy';

jest.setTimeout(180_000);

/** Packages that only dev dependencies need (package-lock's `dev: true`), by their node_modules path. */
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};
/** `debug` (under the AWS SDK and Bolt) tries `require('supports-color')` and does without it: absent in the image. */
const OPTIONAL = new Set(['node_modules/supports-color', 'node_modules/has-flag']);
const devOnly = Object.entries(lock.packages)
  .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev === true && !OPTIONAL.has(path))
  .map(([path]) => `${join(ROOT, path)}/`);

let root: string;
let emulator: RunningAwsEmulator;
let dynamo: { endpoint: string; stop: () => Promise<void> };
const dir = mkdtempSync(join(tmpdir(), 'keyless-prod-path-'));
const hook = join(dir, 'record-modules.cjs');
const loadedFile = join(dir, 'loaded.json');

beforeAll(async () => {
  writeFileSync(
    hook,
    `const fs = require('node:fs');
process.on('exit', () => fs.writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(Object.keys(require.cache))));
`,
  );
  [root, emulator, dynamo] = await Promise.all([
    buildForTests(),
    startAwsEmulator({ seed: loadDemoSeed(), port: 0 }),
    startDynalite(),
  ]);
});
afterAll(async () => {
  await Promise.all([emulator.stop(), dynamo.stop()]);
});

/** What the child loaded that it must not: local code (adapters/local, the playground) or a dev-only package. */
function forbidden(loaded: string[]): string[] {
  return loaded.filter(
    (path) =>
      /[\\/]dist[\\/]adapters[\\/]local[\\/]/.test(path) ||
      /[\\/]dist[\\/]adapters[\\/]main[\\/]playground\.js$/.test(path) ||
      devOnly.some((prefix) => path.startsWith(prefix)),
  );
}

/** Runs the built CLI with the hook until `ready` shows on stdout, stops it with SIGTERM, returns what it loaded. */
async function runUntilReady(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ stdout: string; code: number | null; loaded: string[] }> {
  const child = spawn(process.execPath, ['-r', hook, join(root, 'dist/adapters/main/cli.js'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (ready.test(stdout)) resolve();
    });
    void exited.then((code) => reject(new Error(`keyless ${args.join(' ')} exited (${code}): ${stderr}`)));
  });
  // SIGTERM once ready: keyless stops gracefully (exit code 0), and the hook writes what was loaded.
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGTERM');
  const code = await exited;
  if (!existsSync(loadedFile))
    throw new Error(`keyless ${args.join(' ')} stopped (${code}) without its module list: ${stderr}`);
  const loaded = JSON.parse(readFileSync(loadedFile, 'utf8')) as string[];
  rmSync(loadedFile);
  return { stdout, code, loaded };
}

describe('the production start path', () => {
  it('starts keyless with production configuration without loading local code or dev dependencies', async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, playgroundPolicyWithoutOnCall());
    const { stdout, code, loaded } = await runUntilReady(
      ['start'],
      {
        KEYLESS_MODE: 'production',
        KEYLESS_POLICY: policy,
        KEYLESS_MEMBER_ROLE_EXTERNAL_ID: 'keyless-playground',
        KEYLESS_PORT: '0',
        KEYLESS_HOST: '127.0.0.1',
        KEYLESS_CREATE_TABLE: 'true',
        KEYLESS_TABLE: 'prod-path',
        KEYLESS_LOG_LEVEL: 'warn',
        MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000001',
        MICROSOFT_APP_PASSWORD: 'not-a-real-password',
        MICROSOFT_APP_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        KEYLESS_TEAMS_TENANT_IDS: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIAPRODPATH00000000',
        AWS_SECRET_ACCESS_KEY: 'prod-path',
        AWS_ENDPOINT_URL: emulator.url,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      },
      /is running at/,
    );
    expect(stdout).toMatch(/keyless \(production\) is running at http:\/\/127\.0\.0\.1:\d+/);
    expect(code).toBe(0);
    expect(loaded.some((p) => p.endsWith(join('dist', 'adapters', 'main', 'compose.js')))).toBe(true);
    expect(forbidden(loaded)).toEqual([]);
  });

  it('(the same check sees local code where a command does load it: the emulator)', async () => {
    expect(devOnly.some((p) => p.endsWith('/node_modules/dynalite/'))).toBe(true);
    const { loaded } = await runUntilReady(['emulator', '--port', '0'], {}, /http:\/\/127\.0\.0\.1:\d+/);
    expect(forbidden(loaded).some((p) => /adapters[\\/]local[\\/]aws-emulator/.test(p))).toBe(true);
  });
});
