/**
 * `tsx bench/support/dynalite-server.ts [--path <dir>] [--port <n>]`: dynalite in its own process
 * (on disk with `--path`), so that a harness can kill the bot without losing the table and so
 * that the store does not share an event loop with what is measured. Prints its URL as the first
 * line on stdout; stops on SIGTERM/SIGINT.
 */
import { startEmbeddedDynamo } from '../../adapters/local/embedded-dynamodb';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const path = option(args, 'path');
  const dynamo = await startEmbeddedDynamo({ ...(path ? { path } : {}), port: Number(option(args, 'port') ?? 0) });
  console.log(dynamo.url);
  const stop = () => {
    dynamo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
