/**
 * Table lifecycle from the command line:
 *   npm run table -- create [--table keyless]   creates the table where it is missing, checks it otherwise
 *   npm run table -- check  [--table keyless]   checks an existing table's keys, index and TTL
 * The table name comes from --table, else KEYLESS_TABLE, else `keyless`. The client follows the
 * SDK's standard configuration (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_DYNAMODB).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isKeylessError, type LogFields, type Logger } from '../../src';
import { DEFAULT_TABLE_NAME } from './index';
import { checkTable, ensureTable, ttlStatus } from './table';

const USAGE = 'usage: npm run table -- <create|check> [--table <name>]';

const consoleLogger: Logger = {
  debug: () => undefined,
  // The commands print their own outcome.
  info: () => undefined,
  warn: (fields: LogFields, message: string) =>
    console.warn(`warning: ${message}${fields.code ? ` (${String(fields.code)})` : ''}`),
  error: (_fields: LogFields, message: string) => console.error(message),
  child: () => consoleLogger,
};

function parseArgs(argv: string[]): { command: string | undefined; table: string } {
  let table = process.env.KEYLESS_TABLE || DEFAULT_TABLE_NAME;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--table') {
      const value = argv[++i];
      if (!value) throw new Error(`--table needs a name\n${USAGE}`);
      table = value;
    } else if (arg.startsWith('--table=')) {
      table = arg.slice('--table='.length);
    } else {
      rest.push(arg);
    }
  }
  return { command: rest[0], table };
}

async function main(argv: string[]): Promise<number> {
  const { command, table } = parseArgs(argv);
  const client = new DynamoDBClient({});
  try {
    if (command === 'create') {
      const outcome = await ensureTable(client, table, consoleLogger);
      console.log(outcome === 'created' ? `Table ${table} created.` : `Table ${table} exists and matches.`);
      return 0;
    }
    if (command === 'check') {
      await checkTable(client, table);
      const ttl = await ttlStatus(client, table);
      console.log(`Table ${table} matches keyless' definition (TTL: ${ttl}).`);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    client.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(isKeylessError(error) ? error.toUserText() : error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
