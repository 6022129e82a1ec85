/**
 * What the emulator's services share: the AWS error, the handler shapes for the JSON 1.1 and
 * Query protocols, input helpers and pagination.
 */
import type { Faults } from './faults';
import type { EmulatorWorld } from './world';

/** An error answered the way AWS answers it (code, message, HTTP status, extra fields). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export interface ServiceContext {
  world: EmulatorWorld;
  faults: Faults;
  now: () => number;
  /** The access key id the request was signed with (SigV4 credential scope), when it was signed. */
  accessKeyId?: string;
  /** The request's Host header, for URLs that point back at the emulator (SQS queue URLs). */
  host?: string;
  /** The Region of the SigV4 credential scope, when the request was signed. */
  region?: string;
}

export type JsonInput = Record<string, unknown>;
export type JsonHandler = (input: JsonInput, ctx: ServiceContext) => unknown;

export interface JsonService {
  /** The name used in logs and the IAM action prefix map, e.g. `sso-admin`. */
  name: string;
  /** The `X-Amz-Target` prefix, e.g. `SWBExternalService`. */
  targetPrefix: string;
  /** Other spellings of the prefix AWS accepts (the fully qualified one and the short one of the Smithy model). */
  targetPrefixAliases?: string[];
  /** The error code this service answers when it throttles. */
  throttleCode: string;
  /** Whether the shared Identity Center TPS limit applies to it. */
  identityCenterLimit: boolean;
  operations: Record<string, JsonHandler>;
}

/** A Query handler returns the inner XML of `<OpResult>`. */
export type QueryHandler = (params: URLSearchParams, ctx: ServiceContext) => string;

export interface QueryService {
  /** The SigV4 signing name in the credential scope, e.g. `sts`. */
  name: string;
  xmlns: string;
  throttleCode: string;
  operations: Record<string, QueryHandler>;
}

export function requireString(input: JsonInput, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(input: JsonInput, field: string): string | undefined {
  const value = input[field];
  return typeof value === 'string' ? value : undefined;
}

export function requireObject(input: JsonInput, field: string): JsonInput {
  const value = input[field];
  if (typeof value !== 'object' || value === null) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value as JsonInput;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** Pages `items` with `MaxResults`/`NextToken` (an opaque offset, as AWS's tokens are opaque). */
export function paginate<T>(
  items: readonly T[],
  input: JsonInput,
  defaultMax: number,
): { page: T[]; NextToken?: string } {
  const max = typeof input.MaxResults === 'number' && input.MaxResults > 0 ? input.MaxResults : defaultMax;
  let start = 0;
  if (typeof input.NextToken === 'string') {
    const decoded = Number(
      Buffer.from(input.NextToken, 'base64url')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (!Number.isInteger(decoded) || decoded < 0)
      throw new AwsError('ValidationException', 'The NextToken is invalid.');
    start = decoded;
  }
  const page = items.slice(start, start + max);
  const next = start + max;
  return next < items.length ? { page, NextToken: Buffer.from(`offset:${next}`).toString('base64url') } : { page };
}

export const epochSeconds = (ms: number): number => ms / 1000;

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<Name>value</Name>`, escaped. */
export const xml = (name: string, value: string | number): string => `<${name}>${xmlEscape(String(value))}</${name}>`;
