import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoGrantStore } from '../../adapters/dynamodb';
import { aGrant, T0 } from '../builders';
import { localDynamoClient } from '../support/dynamodb-client';
import { dynaliteTables } from '../support/dynalite';
import { membershipContract } from './membership.contract';

const freshTable = dynaliteTables();

membershipContract('DynamoDB on dynalite', async () => ({ membership: new DynamoGrantStore(await freshTable()) }));

/** The commands a client sends, by name, from now on. */
function commandsOf(client: DynamoDBClient, name: string): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name },
  );
  return sent;
}

describe('the calls that keep a replica standing (DynamoDB on dynalite)', () => {
  it('go over connections of their own: heartbeats, the members read and lease renewals', async () => {
    const { client, tableName } = await freshTable();
    const urgentClient = localDynamoClient(await endpointOf(client));
    try {
      const store = new DynamoGrantStore({ client, tableName, urgentClient });
      const grant = aGrant({ status: 'active', activatedAt: T0, expiresAt: T0 + 60_000 });
      await store.createGrant(grant);
      const main = commandsOf(client, 'countMain');
      const urgent = commandsOf(urgentClient, 'countUrgent');
      expect(await store.heartbeat('replica-a@1', T0, 5000)).toBe(true);
      expect((await store.members(T0)).live).toEqual(['replica-a@1']);
      expect(await store.acquireLease(grant.id, 'replica-a@1', T0, T0 + 15_000)).toBe(true);
      expect(await store.acquireLease(grant.id, 'replica-a@1', T0 + 5000, T0 + 20_000, { renewal: true })).toBe(true);
      // A renewal is still a conditional take: another owner's live lease is not renewed away.
      expect(await store.acquireLease(grant.id, 'replica-b@1', T0 + 6000, T0 + 21_000, { renewal: true })).toBe(false);
      expect(main).toEqual(['UpdateItem']);
      expect(urgent).toEqual(['PutItem', 'Query', 'UpdateItem', 'UpdateItem']);
    } finally {
      urgentClient.destroy();
    }
  });
});

async function endpointOf(client: DynamoDBClient): Promise<string> {
  const e = await client.config.endpoint!();
  return `${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ''}${e.path}`;
}
