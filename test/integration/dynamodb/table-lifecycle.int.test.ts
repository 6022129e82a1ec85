import {
  CreateTableCommand,
  DescribeTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { checkTable, ensureTable, tableDefinition, ttlStatus } from '../../../adapters/dynamodb';
import { ErrorCodes, isKeylessError, silentLogger, type Logger } from '../../../src';
import { localDynamoClient, uniqueTableName } from '../../support/dynamodb-client';
import { startDynalite } from '../../support/dynalite';
import { startDynamoDbLocal } from '../../support/dynamodb-local';

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (_fields, message) => warnings.push(message), child: () => silentLogger, warnings };
}

const backends = [
  { name: 'dynalite', start: startDynalite, ttl: 'DISABLED' },
  { name: 'DynamoDB Local', start: startDynamoDbLocal, ttl: 'ENABLED' },
];

describe.each(backends)('table lifecycle on $name', ({ start, ttl }) => {
  let dynamo: { endpoint: string; stop: () => Promise<void> };
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await start();
    client = localDynamoClient(dynamo.endpoint);
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });

  it('creates a missing table with its keys and the byStatusExpiry index', async () => {
    const name = uniqueTableName();
    expect(await ensureTable(client, name)).toBe('created');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual(tableDefinition(name).KeySchema);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['byAuditPending', 'byStatusExpiry']);
    await expect(checkTable(client, name)).resolves.toBeDefined();
  });

  it(`turns TTL on where the endpoint has it (${ttl} here), and only warns where it has not`, async () => {
    const name = uniqueTableName();
    const logger = recordingLogger();
    await ensureTable(client, name, logger);
    expect(await ttlStatus(client, name)).toBe(ttl);
    expect(logger.warnings).toHaveLength(ttl === 'ENABLED' ? 0 : 1);
  });

  it('accepts an existing table that matches, again and again', async () => {
    const name = uniqueTableName();
    await ensureTable(client, name);
    expect(await ensureTable(client, name)).toBe('exists');
    expect(await ensureTable(client, name)).toBe('exists');
  });

  it('refuses a table with other keys, naming each difference', async () => {
    const name = uniqueTableName();
    const other: CreateTableCommandInput = {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatusExpiry',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    };
    await client.send(new CreateTableCommand(other));

    const error = await failure(ensureTable(client, name));
    expect(isKeylessError(error, ErrorCodes.ConfigInvalid)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`DynamoDB table ${name} does not have the shape keyless needs`);
    expect(message).toContain('key schema is HASH id (S); keyless needs HASH pk (S), RANGE sk (S)');
    expect(message).toContain('index byStatusExpiry has key HASH gsi1pk (S), RANGE gsi1sk (N)');
    expect(message).toContain('index byStatusExpiry projects KEYS_ONLY; keyless needs ALL');
    expect(isKeylessError(await failure(checkTable(client, name)), ErrorCodes.ConfigInvalid)).toBe(true);
  });

  it('refuses a table without the index', async () => {
    const name = uniqueTableName();
    const { GlobalSecondaryIndexes: _index, ...withoutIndex } = tableDefinition(name);
    const definition = {
      ...withoutIndex,
      AttributeDefinitions: withoutIndex.AttributeDefinitions.filter(
        (a) => a.AttributeName === 'pk' || a.AttributeName === 'sk',
      ),
    };
    await client.send(new CreateTableCommand(definition));
    const error = await failure(ensureTable(client, name));
    expect((error as Error).message).toContain('global secondary index byStatusExpiry is missing');
    // A table of an earlier keyless, without the audit's index, is named as such too.
    expect((error as Error).message).toContain('global secondary index byAuditPending is missing');
  });

  it('says how to create a table that check does not find', async () => {
    const error = await failure(checkTable(client, uniqueTableName()));
    expect(isKeylessError(error, ErrorCodes.ConfigInvalid)).toBe(true);
    expect((error as Error).message).toMatch(/does not exist/);
    expect(isKeylessError(error) && error.hint).toMatch(/npm run table -- create/);
  });
});
