import { ErrorCodes, KeylessError } from '../../src';

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/** The SDK error's name (its DynamoDB error code), read by name so that two SDK copies still match. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** A failed ConditionExpression: the item was not in the state the write expected. */
export function isConditionFailed(error: unknown): boolean {
  return awsErrorName(error) === 'ConditionalCheckFailedException';
}

/**
 * Translates an SDK error at the adapter boundary: throttling → THROTTLED, anything else →
 * UNAVAILABLE, the cause kept. `details` carry the operation and the table, never the item (items
 * hold reasons typed by people).
 */
export function translateError(error: unknown, operation: string, tableName: string): KeylessError {
  if (error instanceof KeylessError) return error;
  const name = awsErrorName(error) ?? 'UnknownError';
  const details = { operation, table: tableName, awsError: name };
  if (THROTTLING.has(name)) {
    return new KeylessError(ErrorCodes.Throttled, 'The keyless table is busy right now; try again in a moment.', {
      details,
      cause: error,
    });
  }
  return new KeylessError(ErrorCodes.Unavailable, `The keyless table could not be reached (${operation}: ${name}).`, {
    details,
    cause: error,
  });
}

export function versionConflict(what: string, operation: string, tableName: string, cause: unknown): KeylessError {
  return new KeylessError(ErrorCodes.VersionConflict, `${what} changed meanwhile; try again.`, {
    details: { operation, table: tableName },
    cause,
  });
}
