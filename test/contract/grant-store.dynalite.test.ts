import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { startDynalite } from '../support/dynalite';
import { grantStoreContract } from './grant-store.contract';

let dynamo: { endpoint: string; stop: () => Promise<void> };
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = localDynamoClient(dynamo.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

// A fresh table for every case; dynalite's index is updated with the write, so no settling.
grantStoreContract('DynamoDB on dynalite', async () => {
  const tableName = uniqueTableName();
  await ensureTable(client, tableName);
  return { store: new DynamoGrantStore({ client, tableName }) };
});
