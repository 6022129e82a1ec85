import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoGrantStore } from '../../../adapters/dynamodb';
import { ErrorCodes, isKeylessError, type KeylessError } from '../../../src';
import { aGrant, aRequest, T0 } from '../../builders';

/** A client whose every call fails with the named DynamoDB error. */
function failingWith(name: string): DynamoDBClient {
  const send = async () => {
    throw Object.assign(new Error(`${name}: the reason Rita typed must never show up`), { name });
  };
  return { send } as unknown as DynamoDBClient;
}

async function failure(work: Promise<unknown>): Promise<KeylessError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isKeylessError(error)) throw new Error(`expected a KeylessError, got ${String(error)}`);
  return error;
}

describe('DynamoDB errors at the store boundary', () => {
  it('turns a failed condition into VERSION_CONFLICT for creates and saves', async () => {
    const store = new DynamoGrantStore({ client: failingWith('ConditionalCheckFailedException'), tableName: 't' });
    const grant = aGrant();
    expect((await failure(store.createGrant(grant))).code).toBe(ErrorCodes.VersionConflict);
    expect((await failure(store.saveGrant({ ...grant, version: 2 }, 1))).code).toBe(ErrorCodes.VersionConflict);
    expect((await failure(store.createRequest(aRequest()))).code).toBe(ErrorCodes.VersionConflict);
  });

  it('turns a failed condition into false for claims, leases and remembered keys', async () => {
    const store = new DynamoGrantStore({ client: failingWith('ConditionalCheckFailedException'), tableName: 't' });
    const g = aGrant();
    expect(await store.claimActiveSlot(g, g.id)).toBe(false);
    expect(await store.acquireLease(g.id, 'replica-a', T0, T0 + 1)).toBe(false);
    expect(await store.rememberOnce('k', T0, 60)).toBe(false);
    await expect(store.releaseLease(g.id, 'replica-a')).resolves.toBeUndefined();
    await expect(store.releaseActiveSlot(g, g.id)).resolves.toBeUndefined();
  });

  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])(
    'turns %s into THROTTLED, keeping the cause',
    async (name) => {
      const store = new DynamoGrantStore({ client: failingWith(name), tableName: 't' });
      const error = await failure(store.getGrant(aGrant().id));
      expect(error.code).toBe(ErrorCodes.Throttled);
      expect(error.retryable).toBe(true);
      expect((error.cause as Error).name).toBe(name);
    },
  );

  it('turns any other SDK error into UNAVAILABLE with the operation, never the item', async () => {
    const store = new DynamoGrantStore({ client: failingWith('ResourceNotFoundException'), tableName: 'keyless' });
    const error = await failure(store.createRequest(aRequest({ reason: 'the reason Rita typed' })));
    expect(error.code).toBe(ErrorCodes.Unavailable);
    expect(error.details).toEqual({ operation: 'create', table: 'keyless', awsError: 'ResourceNotFoundException' });
    expect(error.message).not.toContain('Rita');
  });

  it('answers UNAVAILABLE when DynamoDB cannot be reached', async () => {
    const client = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      const error = await failure(new DynamoGrantStore({ client, tableName: 't' }).listGrants({ status: 'active' }));
      expect(error.code).toBe(ErrorCodes.Unavailable);
    } finally {
      client.destroy();
    }
  });
});
