import { DynamoAlertStore } from '../../adapters/dynamodb';
import { dynaliteTables } from '../support/dynalite';
import { leaderLeaseContract } from './leader-lease.contract';

const freshTable = dynaliteTables();

leaderLeaseContract('DynamoDB on dynalite', async () => ({ lease: new DynamoAlertStore(await freshTable()) }));
