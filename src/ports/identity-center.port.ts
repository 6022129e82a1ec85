import type {
  Account,
  AssignmentKey,
  GroupId,
  GroupRef,
  MembershipKey,
  PermissionSet,
  PermissionSetArn,
  Principal,
  PrincipalId,
  VerifiedIdentity,
} from '../domain';

/**
 * Who a person is in Identity Center. Resolve from what the chat platform verified, never from text
 * a person typed: the identity provider's id first (Teams: the Entra ID object id, the external id
 * SCIM provisioning gives Identity Center users) where the adapter can look it up, else the email
 * in its one normalised form (`normalizeEmail`; a plain string is an email). Throws KeylessError
 * PRINCIPAL_NOT_FOUND when nobody matches. The answer depends on the identity alone, never on what
 * was looked up before.
 */
export interface Directory {
  resolvePrincipal(who: string | VerifiedIdentity): Promise<Principal>;
  /** The members of an Identity Center group (by display name), to reach approvers. Empty when unknown. */
  listGroupMembers(groupName: string): Promise<Principal[]>;
}

/** Accounts and permission sets that may be requested. */
export interface Catalog {
  listAccounts(): Promise<Account[]>;
  listPermissionSets(): Promise<PermissionSet[]>;
}

/**
 * Account assignments. Both calls resolve only once Identity Center confirms (SUCCEEDED) and are
 * idempotent: an assignment that exists counts as assigned, one already gone as unassigned. A
 * FAILED status rejects with KeylessError ASSIGNMENT_FAILED carrying AWS's reason.
 */
export interface Assignments {
  assign(key: AssignmentKey): Promise<void>;
  unassign(key: AssignmentKey): Promise<void>;
  /** User assignments of the given permission sets (all accounts), for reconciliation. */
  listAssignments(permissionSetArns: readonly PermissionSetArn[]): Promise<AssignmentKey[]>;
  /**
   * Whether the user's assignment exists now (ListAccountAssignments of that account and permission
   * set). Asked before a removal that another replica may already have sent, so it is not sent twice.
   */
  hasAssignment(key: AssignmentKey): Promise<boolean>;
}

/**
 * Group memberships in the identity store (group grants). Like assignments, both changes are
 * idempotent: a membership that exists counts as added, one already gone as removed. A group or
 * user that does not exist rejects with KeylessError UNKNOWN_GROUP / PRINCIPAL_NOT_FOUND.
 */
export interface GroupMemberships {
  /** The group with exactly this display name, or undefined. */
  findGroup(name: string): Promise<GroupRef | undefined>;
  addGroupMember(key: MembershipKey): Promise<void>;
  removeGroupMember(key: MembershipKey): Promise<void>;
  /** The users who are members of the group now (for reconciliation). */
  listGroupMemberIds(groupId: GroupId): Promise<PrincipalId[]>;
}

/** Everything the engine needs from IAM Identity Center. */
export interface IdentityCenter extends Directory, Catalog, Assignments, GroupMemberships {}
