import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';

/** A client for a loopback emulator: fixed region and dummy credentials, fast retries. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    retryStrategy: new ConfiguredRetryStrategy(3, () => 20),
  });
}

let counter = 0;
/** A table name no other test in this process uses. */
export const uniqueTableName = (prefix = 'keyless-test'): string => `${prefix}-${process.pid}-${++counter}`;
