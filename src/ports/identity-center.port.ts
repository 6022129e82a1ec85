import type { Account, AssignmentKey, PermissionSet, PermissionSetArn, Principal } from '../domain';

/**
 * Who a person is in Identity Center. Resolve from an email the chat platform verified, never one
 * a person typed. Throws KeylessError PRINCIPAL_NOT_FOUND when nobody has that email.
 */
export interface Directory {
  resolvePrincipal(email: string): Promise<Principal>;
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
}

/** Everything the engine needs from IAM Identity Center. */
export interface IdentityCenter extends Directory, Catalog, Assignments {}
