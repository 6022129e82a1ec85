import { ErrorCodes, KeylessError } from './errors';
import type { AccountId, AssignmentKey, PermissionSetArn, PrincipalId } from './ids';

declare const brand: unique symbol;
/** An identity store group id: a UUID, optionally prefixed by the store's 10-hex-digit id. */
export type GroupId = string & { readonly [brand]: 'GroupId' };

// https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateGroupMembership.html
const GROUP_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;

export function isGroupId(value: string): value is GroupId {
  return GROUP_ID.test(value);
}

export function parseGroupId(value: string): GroupId {
  if (!isGroupId(value)) {
    throw new KeylessError(ErrorCodes.InvalidInput, `"${value}" is not an Identity Center group id.`);
  }
  return value;
}

/** An Identity Center group, by id and display name. */
export interface GroupRef {
  id: GroupId;
  name: string;
}

/** One user's membership of one group: what a group grant creates and removes. */
export interface MembershipKey {
  principalId: PrincipalId;
  groupId: GroupId;
}

/** How a person names a group in a request: `group:db-admins`. */
export const GROUP_PREFIX = 'group:';

/** The group name in `group:<name>` (trimmed), or undefined when the text names no group. */
export function groupNameFromText(text: string): string | undefined {
  const t = text.trim();
  if (!t.toLowerCase().startsWith(GROUP_PREFIX)) return undefined;
  const name = t.slice(GROUP_PREFIX.length).trim();
  return name.length > 0 ? name : undefined;
}

/**
 * A grant or request whose target is a group membership carries `group`. Its account fields are
 * then filled for display and for the one-active-grant slot, never for AWS calls:
 * `accountId` holds the group id, `accountName` reads "group <name>", `permissionSetArn` is empty
 * and `permissionSetName` reads "membership". Every path that talks to AWS, cuts sessions or
 * reconciles assignments looks at `group` first (`isGroupTarget`).
 */
export const GROUP_MEMBERSHIP_LABEL = 'membership';

export function groupTargetFields(group: GroupRef): {
  accountId: AccountId;
  accountName: string;
  permissionSetArn: PermissionSetArn;
  permissionSetName: string;
} {
  return {
    accountId: group.id as string as AccountId,
    accountName: `group ${group.name}`,
    permissionSetArn: '' as PermissionSetArn,
    permissionSetName: GROUP_MEMBERSHIP_LABEL,
  };
}

export function isGroupTarget(x: { group?: GroupRef | undefined }): x is { group: GroupRef } {
  return x.group !== undefined;
}

/**
 * The one-active-grant slot of a membership, as an AssignmentKey (the store keys slots by it):
 * `<principal>#<group id>#` can never equal an account triple (an account id is 12 digits, a group
 * id is a UUID; the permission set part is empty).
 */
export function membershipSlot(key: MembershipKey): AssignmentKey {
  return {
    principalId: key.principalId,
    accountId: key.groupId as string as AccountId,
    permissionSetArn: '' as PermissionSetArn,
  };
}

export function membershipKeyString(key: MembershipKey): string {
  return `${key.principalId}#group#${key.groupId}`;
}
