import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { startDynamoDbLocal } from '../support/dynamodb-local';
import { membershipContract } from './membership.contract';

let dynamo: { endpoint: string; stop: () => Promise<void> };
let client: DynamoDBClient;

// One DynamoDB Local per file (about 2 s to start); it needs Java and fails, never skips, without it.
beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  client = localDynamoClient(dynamo.endpoint);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

// A fresh table for every case; DynamoDB Local updates its indexes with the write, so no settling.
membershipContract('DynamoDB on DynamoDB Local', async () => {
  const tableName = uniqueTableName();
  await ensureTable(client, tableName);
  return { membership: new DynamoGrantStore({ client, tableName }) };
});
