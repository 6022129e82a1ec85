import { DynamoGrantStore } from '../../adapters/dynamodb';
import { dynaliteTables } from '../support/dynalite';
import { membershipContract } from './membership.contract';

const freshTable = dynaliteTables();

membershipContract('DynamoDB on dynalite', async () => ({ membership: new DynamoGrantStore(await freshTable()) }));
