/**
 * `npm run bench -- <scenario> [--key value ...]`: runs one benchmark scenario and prints its
 * figures. The last line printed is always one JSON object (the scenario's result).
 * Benchmarks measure; they are not tests and assert nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export type BenchArgs = Record<string, string>;
export type Scenario = (args: BenchArgs) => Promise<Record<string, unknown>>;

function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (v !== undefined) args[k] = v;
    else if (argv[i + 1] && !argv[i + 1]!.startsWith('--')) args[k] = argv[++i]!;
    else args[k] = 'true';
  }
  return args;
}

async function main(): Promise<void> {
  const dir = join(__dirname, 'scenarios');
  const available = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''));
  const [name, ...rest] = process.argv.slice(2);
  if (!name || !available.includes(name)) {
    console.error(
      `usage: npm run bench -- <scenario> [--key value]\nscenarios: ${available.join(', ') || '(none yet)'}`,
    );
    process.exit(name ? 2 : 0);
  }
  const mod = (await import(join(dir, name))) as { default: Scenario };
  const result = await mod.default(parseArgs(rest));
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
