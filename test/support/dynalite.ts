import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../adapters/dynamodb';
import { startEmbeddedDynamo } from '../../adapters/local/embedded-dynamodb';
import { localDynamoClient, uniqueTableName } from './dynamodb-client';

/** dynalite in this process, in memory, tables ACTIVE at once (the playground's embedded store). */
export async function startDynalite(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const dynamo = await startEmbeddedDynamo();
  return { endpoint: dynamo.url, stop: dynamo.stop };
}

/**
 * One dynalite for the whole test file (started before all, stopped after all); each call of the
 * returned function creates a fresh keyless table on it.
 */
export function dynaliteTables(): () => Promise<{ client: DynamoDBClient; tableName: string }> {
  let dynamo: { endpoint: string; stop: () => Promise<void> } | undefined;
  let client: DynamoDBClient | undefined;
  beforeAll(async () => {
    dynamo = await startDynalite();
    client = localDynamoClient(dynamo.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });
  return async () => {
    const tableName = uniqueTableName();
    await ensureTable(client!, tableName);
    return { client: client!, tableName };
  };
}
