import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { ErrorCodes, KeylessError, silentLogger, type Logger } from '../../src';
import { awsErrorName, translateError } from './errors';
import { GSI_NAME, TTL_ATTRIBUTE } from './items';
import { AUDIT_PENDING_INDEX, AUDIT_PENDING_PK, AUDIT_PENDING_SK } from './audit-index';

/**
 * The keyless table: the single source of truth for its keys and index. `manifest/aws/table.yml`
 * declares the same (a test holds them together) plus what only matters in AWS: TTL,
 * point-in-time recovery, encryption with a KMS key, deletion protection.
 */
export function tableDefinition(tableName: string): CreateTableCommandInput & {
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
} {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: AUDIT_PENDING_PK, AttributeType: 'S' },
      { AttributeName: AUDIT_PENDING_SK, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI_NAME,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        // Lists return whole records, read from the index.
        Projection: { ProjectionType: 'ALL' },
      },
      {
        // Sparse: only items written since the audit pump last indexed them (audit-index.ts).
        IndexName: AUDIT_PENDING_INDEX,
        KeySchema: [
          { AttributeName: AUDIT_PENDING_PK, KeyType: 'HASH' },
          { AttributeName: AUDIT_PENDING_SK, KeyType: 'RANGE' },
        ],
        // The pump reads the records' events from the index, with no read of the table.
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

type KeyShape = { name: string; type: string | undefined }[];

function keyShape(schema: KeySchemaElement[] | undefined, attributes: AttributeDefinition[] | undefined): KeyShape {
  const order = ['HASH', 'RANGE'];
  return [...(schema ?? [])]
    .sort((a, b) => order.indexOf(a.KeyType ?? '') - order.indexOf(b.KeyType ?? ''))
    .map((k) => ({
      name: k.AttributeName ?? '?',
      type: attributes?.find((a) => a.AttributeName === k.AttributeName)?.AttributeType,
    }));
}

const showKey = (shape: KeyShape): string =>
  shape.length === 0
    ? 'none'
    : shape.map((k, i) => `${i === 0 ? 'HASH' : 'RANGE'} ${k.name} (${k.type ?? '?'})`).join(', ');
const sameKey = (a: KeyShape, b: KeyShape): boolean =>
  a.length === b.length && a.every((k, i) => k.name === b[i]?.name && k.type === b[i]?.type);

/**
 * How an existing table differs from `tableDefinition` in what keyless relies on: the table's key
 * schema, and the `byStatusExpiry` index (keys and projection). Other indexes, billing mode and
 * settings are the operator's business and are not compared.
 */
export function describeDifferences(expected: ReturnType<typeof tableDefinition>, actual: TableDescription): string[] {
  const differences: string[] = [];
  const wantKey = keyShape(expected.KeySchema, expected.AttributeDefinitions);
  const haveKey = keyShape(actual.KeySchema, actual.AttributeDefinitions);
  if (!sameKey(wantKey, haveKey)) {
    differences.push(`key schema is ${showKey(haveKey)}; keyless needs ${showKey(wantKey)}`);
  }
  for (const want of expected.GlobalSecondaryIndexes ?? []) {
    const have = actual.GlobalSecondaryIndexes?.find((i) => i.IndexName === want.IndexName);
    if (!have) {
      differences.push(`global secondary index ${want.IndexName} is missing`);
      continue;
    }
    const wantIndexKey = keyShape(want.KeySchema, expected.AttributeDefinitions);
    const haveIndexKey = keyShape(have.KeySchema, actual.AttributeDefinitions);
    if (!sameKey(wantIndexKey, haveIndexKey)) {
      differences.push(
        `index ${want.IndexName} has key ${showKey(haveIndexKey)}; keyless needs ${showKey(wantIndexKey)}`,
      );
    }
    const wantProjection = want.Projection?.ProjectionType;
    const haveProjection = have.Projection?.ProjectionType;
    if (wantProjection !== haveProjection) {
      differences.push(
        `index ${want.IndexName} projects ${haveProjection ?? 'nothing'}; keyless needs ${wantProjection}`,
      );
    }
  }
  return differences;
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
    throw translateError(error, 'DescribeTable', tableName);
  }
}

function mismatch(tableName: string, differences: string[]): KeylessError {
  return new KeylessError(
    ErrorCodes.ConfigInvalid,
    `DynamoDB table ${tableName} does not have the shape keyless needs:\n${differences.map((d) => `  - ${d}`).join('\n')}`,
    {
      hint: 'Point keyless at another table (KEYLESS_TABLE), or recreate this one from manifest/aws/table.yml or `npm run table -- create`.',
      details: { table: tableName, differences },
    },
  );
}

/**
 * Checks that the table exists with keyless' keys and index; throws a CONFIG_INVALID error that
 * lists every difference otherwise. Reads only.
 */
export async function checkTable(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  const actual = await describe(client, tableName);
  if (!actual) {
    throw new KeylessError(ErrorCodes.ConfigInvalid, `DynamoDB table ${tableName} does not exist.`, {
      hint: 'Create it with `npm run table -- create --table <name>` or deploy manifest/aws/table.yml.',
      details: { table: tableName },
    });
  }
  const differences = describeDifferences(tableDefinition(tableName), actual);
  if (differences.length > 0) throw mismatch(tableName, differences);
  return actual;
}

/**
 * Creates the table (with its index) when it is missing, waits until it is active and enables TTL
 * on `ttl`; when it exists, checks it (see `checkTable`) and enables TTL if it is off. dynalite has
 * no TTL API: that step only warns.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  logger: Logger = silentLogger,
): Promise<'created' | 'exists'> {
  const actual = await describe(client, tableName);
  if (actual) {
    const differences = describeDifferences(tableDefinition(tableName), actual);
    if (differences.length > 0) throw mismatch(tableName, differences);
    await enableTtl(client, tableName, logger);
    return 'exists';
  }
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error) {
    // Another replica created it meanwhile: check it like an existing table.
    if (awsErrorName(error) !== 'ResourceInUseException') throw translateError(error, 'CreateTable', tableName);
  }
  // The waiter polls every 20 s by default (facts.md).
  await waitUntilTableExists({ client, minDelay: 1, maxDelay: 1, maxWaitTime: 120 }, { TableName: tableName });
  await checkTable(client, tableName);
  await enableTtl(client, tableName, logger);
  logger.info({ table: tableName }, 'Created the DynamoDB table');
  return 'created';
}

/** TTL status of the table's `ttl` attribute, or `unsupported` where the endpoint has no TTL API. */
export async function ttlStatus(client: DynamoDBClient, tableName: string): Promise<string> {
  try {
    const out = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const description = out.TimeToLiveDescription;
    if (description?.AttributeName && description.AttributeName !== TTL_ATTRIBUTE) {
      return `${description.TimeToLiveStatus ?? 'DISABLED'} on ${description.AttributeName}`;
    }
    return description?.TimeToLiveStatus ?? 'DISABLED';
  } catch (error) {
    if (isUnsupported(error)) return 'unsupported';
    throw translateError(error, 'DescribeTimeToLive', tableName);
  }
}

const isUnsupported = (error: unknown): boolean =>
  ['UnknownOperationException', 'UnrecognizedClientException', 'NotImplemented'].includes(awsErrorName(error) ?? '');

async function enableTtl(client: DynamoDBClient, tableName: string, logger: Logger): Promise<void> {
  try {
    const status = await ttlStatus(client, tableName);
    if (status === 'ENABLED' || status === 'ENABLING') return;
    if (status === 'unsupported') throw Object.assign(new Error('no TTL API'), { name: 'UnknownOperationException' });
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // TTL is clean-up only: keyless works without it, so a failure here warns and goes on.
    const code = awsErrorName(error) ?? 'unknown';
    logger.warn(
      { table: tableName, code, ...(isUnsupported(error) ? {} : { err: error }) },
      isUnsupported(error)
        ? 'This DynamoDB endpoint has no TTL API (as with dynalite): closed records will not be cleaned up'
        : 'Could not enable TTL on the DynamoDB table: closed records will not be cleaned up',
    );
  }
}
