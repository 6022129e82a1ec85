/**
 * The keyless command line: `start` (the default; the local playground when no chat credentials are
 * configured). Problems are printed as readable messages, never as stack traces.
 */
import { isKeylessError } from '../../src';
import { loadConfig } from './config';
import { startKeyless } from './compose';
import { startPlayground } from './playground';

async function start(): Promise<void> {
  const config = loadConfig();
  const running =
    config.mode === 'local'
      ? await startPlayground(config)
      : await startKeyless(config).then((keyless) => ({ keyless, stop: () => keyless.stop() }));
  console.log(`keyless (${config.mode}) is running at ${running.keyless.url}`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing work in flight, then stopping…`);
    running
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => fail(error));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function fail(error: unknown): never {
  if (isKeylessError(error)) {
    console.error(error.toUserText());
  } else {
    console.error(`keyless failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}

const commands: Record<string, () => Promise<void>> = { start };

const name = process.argv[2] ?? 'start';
const command = commands[name];
if (!command) {
  console.error(`unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
command().catch(fail);
