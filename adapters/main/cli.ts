/**
 * The keyless command line: `start` (the default; the local playground when no chat credentials are
 * configured). Problems are printed as readable messages, never as stack traces.
 */
import { isKeylessError, silentLogger } from '../../src';
import { loadConfig } from './config';
import { startKeyless } from './compose';
import { exitCode, renderJson, renderText, runDoctor } from './doctor';
import { startPlayground } from './playground';

async function start(): Promise<void> {
  const config = loadConfig();
  const running =
    config.mode === 'local'
      ? await startPlayground(config)
      : await startKeyless(config).then((keyless) => ({ keyless, stop: () => keyless.stop() }));
  if ('url' in running) {
    console.log(`keyless (${config.mode}) is running at ${running.url}`);
    console.log(`  the playground page; keyless itself answers Slack and Teams at ${running.keyless.url}`);
  } else {
    console.log(`keyless (${config.mode}) is running at ${running.keyless.url}`);
  }
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

/**
 * Checks a deployment (in local mode: the playground's own emulators, started for the check).
 * `--json`: one JSON document on stdout, for pipelines. Exit code 1 when any check failed.
 */
async function doctor(): Promise<void> {
  const json = process.argv.includes('--json');
  const config = loadConfig();
  const playground =
    config.mode === 'local'
      ? await startPlayground(
          { ...config, port: 0 },
          // With --json, stdout carries the one JSON document only.
          { quiet: true, ephemeral: true, ...(json ? { logger: silentLogger } : {}) },
        )
      : undefined;
  try {
    const report = await runDoctor(config, playground ? { slackApiUrl: `${playground.slackUrl}/api/` } : {});
    console.log(json ? renderJson(report) : renderText(report));
    process.exitCode = exitCode(report);
  } finally {
    await playground?.stop();
  }
}

const commands: Record<string, () => Promise<void>> = { start, doctor };

const name = process.argv[2] ?? 'start';
const command = commands[name];
if (!command) {
  console.error(`unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
command().catch(fail);
