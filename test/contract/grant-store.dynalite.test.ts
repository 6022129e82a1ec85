import { DynamoGrantStore } from '../../adapters/dynamodb';
import { dynaliteTables } from '../support/dynalite';
import { grantStoreContract } from './grant-store.contract';

const freshTable = dynaliteTables();

// A fresh table for every case; dynalite's index is updated with the write, so no settling.
grantStoreContract('DynamoDB on dynalite', async () => ({ store: new DynamoGrantStore(await freshTable()) }));
