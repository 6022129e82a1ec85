import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoGrantStore, ensureTable } from '../../../adapters/dynamodb';
import {
  systemActor,
  transitionGrant,
  transitionRequest,
  type AccessRequest,
  type Grant,
  type GrantEvent,
  type RequestEvent,
} from '../../../src';
import { aGrant, aRequest, T0 } from '../../builders';
import { localDynamoClient, uniqueTableName } from '../../support/dynamodb-client';
import { startDynalite } from '../../support/dynalite';

const DAY_S = 24 * 3600;
const actor = systemActor('test');

let dynamo: { endpoint: string; stop: () => Promise<void> };
let client: DynamoDBClient;
let tableName: string;
let store: DynamoGrantStore;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = localDynamoClient(dynamo.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

beforeEach(async () => {
  tableName = uniqueTableName();
  await ensureTable(client, tableName);
  store = new DynamoGrantStore({ client, tableName, retentionDays: 30, now: () => T0 });
});

async function rawItem(pk: string, sk: string) {
  const out = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }),
  );
  return out.Item;
}

const ttlOf = async (pk: string, sk = 'META') => {
  const value = (await rawItem(pk, sk))?.['ttl']?.N;
  return value === undefined ? undefined : Number(value);
};

function step(r: AccessRequest, event: RequestEvent): AccessRequest {
  const t = transitionRequest(r, event);
  if (!t) throw new Error(`${event.type} was a no-op`);
  return t.next;
}

function grantStep(g: Grant, event: GrantEvent): Grant {
  const t = transitionGrant(g, event);
  if (!t) throw new Error(`${event.type} was a no-op`);
  return t.next;
}

describe('TTL on DynamoDB items', () => {
  it('gives a request a ttl only once it is closed: decision time plus the retention', async () => {
    const pending = aRequest();
    await store.createRequest(pending);
    expect(await ttlOf(`REQ#${pending.id}`)).toBeUndefined();

    const denied = step(pending, { type: 'deny', actor, at: T0 + 90_000, reason: 'not today' });
    await store.saveRequest(denied, pending.version);
    expect(await ttlOf(`REQ#${pending.id}`)).toBe((T0 + 90_000) / 1000 + 30 * DAY_S);
  });

  it('gives a grant a ttl only once it has ended, and takes it out of the index', async () => {
    let grant = aGrant();
    await store.createGrant(grant);
    const events: GrantEvent[] = [
      { type: 'assignment_confirmed', actor, at: T0 + 1000 },
      { type: 'revoke_requested', actor, at: T0 + 2000, reason: 'done' },
    ];
    for (const event of events) {
      const next = grantStep(grant, event);
      await store.saveGrant(next, grant.version);
      grant = next;
      expect(await ttlOf(`GRANT#${grant.id}`)).toBeUndefined();
      expect((await rawItem(`GRANT#${grant.id}`, 'META'))?.['gsi1pk']?.S).toBe(`GRANT#${grant.status}`);
    }

    const revoked = grantStep(grant, { type: 'unassignment_confirmed', actor, at: T0 + 3000 });
    await store.saveGrant(revoked, grant.version);
    expect(revoked.status).toBe('revoked');
    expect(await ttlOf(`GRANT#${grant.id}`)).toBe((T0 + 3000) / 1000 + 30 * DAY_S);
    expect((await rawItem(`GRANT#${grant.id}`, 'META'))?.['gsi1pk']).toBeUndefined();
  });

  it('gives a failed grant a ttl from its failure', async () => {
    const grant = aGrant();
    await store.createGrant(grant);
    const failed = grantStep(grant, { type: 'assignment_failed', actor, at: T0 + 500, code: 'X', message: 'quota' });
    await store.saveGrant(failed, grant.version);
    expect(await ttlOf(`GRANT#${grant.id}`)).toBe(Math.ceil((T0 + 500) / 1000) + 30 * DAY_S);
  });

  it('defaults the retention to 400 days', async () => {
    const defaults = new DynamoGrantStore({ client, tableName });
    const request = aRequest({ status: 'cancelled', decidedAt: T0 });
    await defaults.createRequest(request);
    expect(await ttlOf(`REQ#${request.id}`)).toBe(T0 / 1000 + 400 * DAY_S);
  });

  it('gives a remembered key a ttl at its expiry', async () => {
    await store.rememberOnce('slack#evt-ttl', T0, 60);
    expect(await ttlOf('IDEMP#slack#evt-ttl', 'IDEMP')).toBe(T0 / 1000 + 60);
  });
});

describe('rememberOnce and lazy TTL deletion', () => {
  // DynamoDB deletes expired items "typically within two days": until then they are still read.
  async function leaveExpiredItem(key: string, expiresAtMs: number) {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: `IDEMP#${key}` },
          sk: { S: 'IDEMP' },
          expiresAtMs: { N: String(expiresAtMs) },
          ttl: { N: String(Math.ceil(expiresAtMs / 1000)) },
        },
      }),
    );
  }

  it('lets a key through again once it expired, even though its item is still there', async () => {
    await leaveExpiredItem('slack#evt-old', T0 - 3600_000);
    expect(await rememberTwice('slack#evt-old')).toEqual([true, false]);
    expect((await rawItem('IDEMP#slack#evt-old', 'IDEMP'))?.['expiresAtMs']?.N).toBe(String(T0 + 60_000));
  });

  it('still refuses a key whose item has not expired', async () => {
    await leaveExpiredItem('slack#evt-live', T0 + 1);
    expect(await store.rememberOnce('slack#evt-live', T0, 60)).toBe(false);
    expect(await store.rememberOnce('slack#evt-live', T0 + 1, 60)).toBe(true);
  });

  async function rememberTwice(key: string) {
    return [await store.rememberOnce(key, T0, 60), await store.rememberOnce(key, T0 + 1, 60)];
  }
});
