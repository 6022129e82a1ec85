/**
 * What the container image and the npm package hold, without a Docker engine: the Dockerfile's
 * stages, the build context .dockerignore lets COPY see, the production dependency set of the
 * lock file, and `npm pack --dry-run` of a transpiled build.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildForTests } from '../../support/cli-build';

jest.setTimeout(120_000);

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

/** The Dockerfile's stages, with continuation lines joined. */
function stages(): Stage[] {
  const lines = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1]!, ...(from[2] ? { name: from[2] } : {}), lines: [] });
    else out.at(-1)!.lines.push(line);
  }
  return out;
}

/** The repository files the build context holds: .dockerignore's rules, last match wins (Docker's semantics). */
function buildContext(): string[] {
  const rules = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const include = l.startsWith('!');
      const glob = include ? l.slice(1) : l;
      const re = new RegExp(
        `^${glob
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\/?/g, '@@ANY@@')
          .replace(/\*/g, '[^/]*')
          .replace(/@@ANY@@/g, '.*')}(/.*)?$`,
      );
      return { include, re };
    });
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  return files.filter((file) => {
    let kept = true;
    for (const rule of rules) if (rule.re.test(file)) kept = rule.include;
    return kept;
  });
}

describe('the container image', () => {
  const all = stages();
  const final = all.at(-1)!;

  it('is built and runs on Node 22 LTS (the code stays Node 20 compatible: engines)', () => {
    expect(all.map((s) => s.from)).toEqual(all.map(() => expect.stringMatching(/^node:22(-|$)/)));
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node).toBe('>=20');
  });

  it('installs production dependencies only, in a clean stage (npm ci --omit=dev)', () => {
    const nodeModules = final.lines.filter((l) => /^COPY\b.*node_modules/.test(l));
    expect(nodeModules).toHaveLength(1);
    const from = /--from=(\S+)/.exec(nodeModules[0]!)?.[1];
    const deps = all.find((s) => s.name === from)!;
    expect(deps.lines.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(deps.lines.filter((l) => l.startsWith('COPY'))).toEqual([
      expect.stringMatching(/^COPY package\.json package-lock\.json \.\/$/),
    ]);
  });

  it('holds the compiled production path only: no local emulators, no playground, no sources or tests', () => {
    const copies = final.lines.filter((l) => l.startsWith('COPY'));
    expect(copies.map((l) => l.replace(/--chown=\S+\s+/, ''))).toEqual([
      'COPY --from=deps /app/node_modules ./node_modules',
      'COPY --from=build /app/dist ./dist',
      'COPY package.json ./package.json',
    ]);
    const build = all.find((s) => s.name === 'build')!;
    expect(build.lines.join('\n')).toMatch(/rm -rf dist\/adapters\/local dist\/adapters\/main\/playground\.js/);
    expect(final.lines.join('\n')).not.toMatch(/adapters\/local|playground|dynalite|test\//);
  });

  it('installs a font before dropping root, so the posture chart draws its labels', () => {
    const text = final.lines.join('\n');
    expect(text).toMatch(/apt-get install -y --no-install-recommends fonts-dejavu-core/);
    expect(text.indexOf('fonts-dejavu-core')).toBeLessThan(text.indexOf('USER node'));
  });

  it('starts the bot with the CLI, as a non-root user', () => {
    expect(final.lines).toContain('USER node');
    expect(final.lines).toContain('ENTRYPOINT ["node", "dist/adapters/main/cli.js"]');
    expect(final.lines).toContain('CMD ["start"]');
    expect(final.lines.join('\n')).toMatch(/KEYLESS_MODE=production/);
    expect(pkg.bin.keyless).toBe('dist/adapters/main/cli.js');
  });

  it('sends only package files, tsconfig, src/ and adapters/ to the build (no tests, docs or the browser playground)', () => {
    const context = buildContext();
    expect(context).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'src/index.ts', 'adapters/main/cli.ts']),
    );
    const outside = context.filter(
      (f) => !/^(src|adapters)\/|^package(-lock)?\.json$|^tsconfig(\.build)?\.json$/.test(f),
    );
    expect(outside).toEqual([]);
    expect(context.filter((f) => f.startsWith('adapters/local/playground/web/'))).toEqual([]);
    expect(context.some((f) => f.startsWith('test/'))).toBe(false);
  });

  it('leaves dynalite, esbuild and tsx out of the production dependencies', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    for (const dev of ['dynalite', 'esbuild', 'tsx', 'typescript', 'jest', 'classic-level']) {
      expect(pkg.dependencies[dev]).toBeUndefined();
      expect({ dev, devOnly: lock.packages[`node_modules/${dev}`]?.dev }).toEqual({ dev, devOnly: true });
    }
    expect(pkg.devDependencies.dynalite).toBeDefined();
    // npm start (the playground through tsx) keeps working after npm ci, which installs dev dependencies.
    expect(pkg.scripts.start).toBe('tsx adapters/main/cli.ts start');
  });
});

describe('the npm package', () => {
  let files: string[];
  beforeAll(async () => {
    const root = await buildForTests();
    for (const f of ['README.md', 'manifest/policy.schema.json']) cpSync(join(ROOT, f), join(root, f));
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, npm_config_loglevel: 'silent' },
    });
    files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  });

  it('holds the bin and the compiled code', () => {
    expect(files).toContain(pkg.bin.keyless);
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'dist/src/index.js', 'dist/adapters/main/compose.js']),
    );
  });

  it('holds no tests, no sources, no local emulators and no playground', () => {
    expect(files.filter((f) => /^(test|bench|scripts|src|adapters)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/adapters/local/') || f.endsWith('playground.js'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') || f.endsWith('.map'))).toEqual([]);
  });

  it('builds dist/ before packing (prepack)', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
  });
});
