import { DynamoAlertStore } from '../../adapters/dynamodb';
import { dynaliteTables } from '../support/dynalite';
import { alertStoreContract } from './alert-store.contract';

const freshTable = dynaliteTables();

alertStoreContract('DynamoDB on dynalite', async () => ({ store: new DynamoAlertStore(await freshTable()) }));
