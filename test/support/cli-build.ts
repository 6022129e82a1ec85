/**
 * The keyless sources transpiled once per test file (esbuild, no bundling: the same module layout as
 * `npm run build`'s dist/, with the YAML assets copied), so that CLI tests run `node dist/…/cli.js`
 * as the package's bin does, without paying for TypeScript compilation in every child process.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'web' ? [] : tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Transpiles src/ and adapters/ into a temporary package root; returns that root. */
export async function buildForTests(): Promise<string> {
  const esbuild = await import('esbuild');
  const out = mkdtempSync(join(tmpdir(), 'keyless-build-'));
  await esbuild.build({
    entryPoints: [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'adapters'))],
    outdir: join(out, 'dist'),
    outbase: ROOT,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // As tsc's CommonJS output does: import() becomes require(), resolved like every other module.
    supported: { 'dynamic-import': false },
    logLevel: 'silent',
  });
  for (const asset of ['adapters/local/aws-emulator/demo-seed.yaml', 'adapters/local/playground/policy.yaml']) {
    cpSync(join(ROOT, asset), join(out, 'dist', asset));
  }
  cpSync(join(ROOT, 'package.json'), join(out, 'package.json'));
  // Packages resolve from the repository's node_modules, as they would from the package's own.
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  return out;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `keyless <args>` (dist/adapters/main/cli.js of `root`) with only `env` (plus PATH, HOME). */
export function runBuiltCli(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((done, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), join(root, 'dist/adapters/main/cli.js'), ...args],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_NO_WARNINGS: '1',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keyless ${args.join(' ')} did not finish:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
