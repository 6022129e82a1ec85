/**
 * SDK errors, classified and translated into the KeylessError catalogue at the boundary.
 * The SDK v3 sets `name` to the AWS error code and `$metadata.httpStatusCode` on service errors.
 */
import { ErrorCodes, KeylessError, type ErrorCode } from '../../../src';

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export function awsErrorName(error: unknown): string {
  return (error as SdkErrorLike | undefined)?.name ?? 'Error';
}

function httpStatus(error: unknown): number | undefined {
  return (error as SdkErrorLike | undefined)?.$metadata?.httpStatusCode;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

export function isThrottling(error: unknown): boolean {
  return (
    THROTTLING.has(awsErrorName(error)) ||
    httpStatus(error) === 429 ||
    (error as SdkErrorLike)?.$retryable?.throttling === true
  );
}

export function isConflict(error: unknown): boolean {
  return awsErrorName(error) === 'ConflictException';
}

export function isAccessDenied(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'AWSOrganizationsNotInUseException';
}

export function isNotFound(error: unknown): boolean {
  return awsErrorName(error) === 'ResourceNotFoundException';
}

const NETWORK = new Set([
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'NetworkingError',
]);

/** Server-side or network trouble that a later attempt may not meet. */
export function isTransient(error: unknown): boolean {
  const status = httpStatus(error);
  if (status !== undefined && status >= 500) return true;
  const name = awsErrorName(error);
  const code = (error as { code?: string } | undefined)?.code;
  return (
    NETWORK.has(name) ||
    (code !== undefined && NETWORK.has(code)) ||
    name === 'InternalServerException' ||
    name === 'ServiceUnavailableException'
  );
}

export function isRetryable(error: unknown): boolean {
  return isThrottling(error) || isConflict(error) || isTransient(error);
}

/** What keyless was doing, for the message and the log details. */
export interface CallContext {
  /** IAM action, e.g. `sso:CreateAccountAssignment`. */
  action: string;
  details?: Record<string, unknown>;
}

/** Any SDK error to a KeylessError with a stable code and a message a person can act on. */
export function translateAwsError(error: unknown, context: CallContext): KeylessError {
  if (error instanceof KeylessError) return error;
  const name = awsErrorName(error);
  const awsMessage = (error as SdkErrorLike | undefined)?.message ?? String(error);
  const details = { ...context.details, action: context.action, awsError: name, awsMessage };
  const make = (code: ErrorCode, message: string, hint?: string) =>
    new KeylessError(code, message, { details, cause: error, ...(hint ? { hint } : {}) });
  if (isAccessDenied(error)) {
    return make(
      ErrorCodes.AwsAccessDenied,
      `keyless is not allowed to call ${context.action} in AWS.`,
      'Ask your AWS administrator to attach the policy in manifest/aws/iam-policy.json to the role keyless runs as.',
    );
  }
  if (isThrottling(error)) {
    return make(
      ErrorCodes.Throttled,
      `AWS is rate-limiting keyless (${context.action}). Trying again in a moment should work.`,
    );
  }
  if (isConflict(error)) {
    return make(
      ErrorCodes.Unavailable,
      `Identity Center is busy with another change to this assignment. Try again in a minute.`,
    );
  }
  if (isTransient(error)) {
    return make(ErrorCodes.Unavailable, `AWS did not answer ${context.action} (${name}). Try again in a minute.`);
  }
  return make(ErrorCodes.Unavailable, `AWS refused ${context.action}: ${awsMessage}`);
}
