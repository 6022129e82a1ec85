import { ErrorCodes, KeylessError } from './errors';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A 12-digit AWS account id. */
export type AccountId = Brand<string, 'AccountId'>;
/** arn:aws:sso:::permissionSet/ssoins-…/ps-… */
export type PermissionSetArn = Brand<string, 'PermissionSetArn'>;
/** arn:aws:sso:::instance/ssoins-… */
export type InstanceArn = Brand<string, 'InstanceArn'>;
/** An Identity Center (identity store) user id. */
export type PrincipalId = Brand<string, 'PrincipalId'>;
export type RequestId = Brand<string, 'RequestId'>;
export type GrantId = Brand<string, 'GrantId'>;

const ACCOUNT_ID = /^\d{12}$/;
// https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PermissionSet.html
const PERMISSION_SET_ARN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::permissionSet\/(sso)?ins-[a-zA-Z0-9-.]{16}\/ps-[a-zA-Z0-9-./]{16}$/;
const INSTANCE_ARN = /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/;
// Identity store user ids: a UUID, optionally prefixed by the store's 10-hex-digit id.
const PRINCIPAL_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
const ENTITY_ID = /^[A-Za-z0-9_-]{6,64}$/;

export function isAccountId(value: string): value is AccountId {
  return ACCOUNT_ID.test(value);
}

export function parseAccountId(value: string): AccountId {
  const trimmed = value.trim();
  if (!isAccountId(trimmed)) {
    throw new KeylessError(ErrorCodes.InvalidAccountId, `"${trimmed}" is not an AWS account id.`, {
      hint: 'An account id has exactly 12 digits, for example 111122223333.',
    });
  }
  return trimmed;
}

export function isPermissionSetArn(value: string): value is PermissionSetArn {
  return PERMISSION_SET_ARN.test(value);
}

export function parsePermissionSetArn(value: string): PermissionSetArn {
  if (!isPermissionSetArn(value)) {
    throw new KeylessError(ErrorCodes.InvalidPermissionSetArn, `"${value}" is not a permission set ARN.`, {
      hint: 'A permission set ARN looks like arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef.',
    });
  }
  return value;
}

export function parseInstanceArn(value: string): InstanceArn {
  if (!INSTANCE_ARN.test(value)) {
    throw new KeylessError(ErrorCodes.InvalidInstanceArn, `"${value}" is not an Identity Center instance ARN.`, {
      hint: 'An instance ARN looks like arn:aws:sso:::instance/ssoins-1234567890abcdef.',
    });
  }
  return value as InstanceArn;
}

export function parsePrincipalId(value: string): PrincipalId {
  if (!PRINCIPAL_ID.test(value)) {
    throw new KeylessError(ErrorCodes.InvalidInput, `"${value}" is not an Identity Center user id.`);
  }
  return value as PrincipalId;
}

function parseEntityId<T extends string>(kind: string, value: string): T {
  if (!ENTITY_ID.test(value)) {
    throw new KeylessError(ErrorCodes.InvalidInput, `"${value}" is not a valid ${kind} id.`);
  }
  return value as T;
}

export const parseRequestId = (value: string): RequestId => parseEntityId<RequestId>('request', value);
export const parseGrantId = (value: string): GrantId => parseEntityId<GrantId>('grant', value);

/** The triple that Identity Center assigns: one active grant at most per triple. */
export interface AssignmentKey {
  principalId: PrincipalId;
  accountId: AccountId;
  permissionSetArn: PermissionSetArn;
}

export function assignmentKeyString(key: AssignmentKey): string {
  return `${key.principalId}#${key.accountId}#${key.permissionSetArn}`;
}

export function sameAssignment(a: AssignmentKey, b: AssignmentKey): boolean {
  return a.principalId === b.principalId && a.accountId === b.accountId && a.permissionSetArn === b.permissionSetArn;
}
