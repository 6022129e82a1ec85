/**
 * `npm run emulator -- [--seed <file>] [--port <n>] [--delay <ms>] [--tps-limit <n>]`:
 * runs the local AWS emulator as its own process, prints its URL, stops on SIGTERM/SIGINT.
 * Point keyless at it with AWS_ENDPOINT_URL=<url>.
 */
import { loadDemoSeed, loadSeedFile, SeedError } from './seed';
import { startAwsEmulator } from './server';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

export async function runEmulatorCli(args: string[]): Promise<void> {
  const seedPath = option(args, 'seed');
  const seed = seedPath ? loadSeedFile(seedPath) : loadDemoSeed();
  const port = Number(option(args, 'port') ?? 4599);
  const delay = Number(option(args, 'delay') ?? 1500);
  const tpsLimit = option(args, 'tps-limit');
  const emulator = await startAwsEmulator({
    seed,
    port,
    faults: { provisioningDelayMs: delay, tpsLimit: tpsLimit === undefined ? null : Number(tpsLimit) },
  });
  console.log(emulator.url);
  console.error(
    `local AWS emulator ready: AWS_ENDPOINT_URL=${emulator.url} (seed ${seedPath ?? 'demo-seed.yaml'}, provisioning ${delay} ms)`,
  );
  const stop = () => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  runEmulatorCli(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof SeedError ? error.message : error);
    process.exit(1);
  });
}
