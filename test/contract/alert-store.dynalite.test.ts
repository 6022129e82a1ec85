import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAlertStore, ensureTable } from '../../adapters/dynamodb';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { startDynalite } from '../support/dynalite';
import { alertStoreContract } from './alert-store.contract';

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

alertStoreContract('DynamoDB on dynalite', async () => {
  const tableName = uniqueTableName();
  await ensureTable(client, tableName);
  return { store: new DynamoAlertStore({ client, tableName }) };
});
