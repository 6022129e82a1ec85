import { DynamoGrantStore } from '../../adapters/dynamodb';
import { dynaliteTables } from '../support/dynalite';
import { sessionCutStoreContract } from './session-cut-store.contract';

const freshTable = dynaliteTables();

sessionCutStoreContract('DynamoDB on dynalite', async () => new DynamoGrantStore(await freshTable()));
