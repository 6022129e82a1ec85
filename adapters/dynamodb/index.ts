import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoGrantStore } from './dynamo-grant-store';

export { DynamoGrantStore, type DynamoGrantStoreOptions } from './dynamo-grant-store';
export { DEFAULT_RETENTION_DAYS, GSI_NAME, TTL_ATTRIBUTE } from './items';
export { checkTable, describeDifferences, ensureTable, tableDefinition, ttlStatus } from './table';

export const DEFAULT_TABLE_NAME = 'keyless';

/**
 * The production store: a client with no endpoint or credentials in code, so that the SDK's
 * standard configuration applies (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_DYNAMODB, roles).
 */
export function createDynamoGrantStore(options: { tableName?: string; retentionDays?: number } = {}): {
  store: DynamoGrantStore;
  client: DynamoDBClient;
} {
  const client = new DynamoDBClient({});
  const store = new DynamoGrantStore({
    client,
    tableName: options.tableName ?? DEFAULT_TABLE_NAME,
    ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
  });
  return { store, client };
}
export { DynamoAlertStore, type DynamoAlertStoreOptions } from './dynamo-alert-store';
export {
  AUDIT_PENDING_INDEX,
  DynamoAuditIndex,
  auditArchiveObjects,
  auditEntryKey,
  auditEntryWrites,
  type AuditPassOptions,
  type AuditPassResult,
} from './audit-index';
