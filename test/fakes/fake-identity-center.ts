import {
  ErrorCodes,
  KeylessError,
  assignmentKeyString,
  normalizeEmail,
  type Account,
  type AssignmentKey,
  type GroupId,
  type GroupRef,
  type IdentityCenter,
  type MembershipKey,
  type PermissionSet,
  type PermissionSetArn,
  type Principal,
  type PrincipalId,
  type VerifiedIdentity,
} from '../../src';

export interface FakeIdentityCenterSeed {
  principals: Principal[];
  /** External ids (for example Entra ID object ids) → principal id, as SCIM provisioning records them. */
  externalIds?: Record<string, string>;
  accounts: Account[];
  permissionSets: PermissionSet[];
  /** Groups with no member yet (every group a principal names exists too). */
  groups?: string[];
}

export type FakeOp = 'assign' | 'unassign' | 'add_member' | 'remove_member';

/** A stable group id for a group name in the fake (a UUID, as the identity store gives). */
export function fakeGroupId(index: number): GroupId {
  return `9067ab00-0000-4000-8000-${String(index).padStart(12, '0')}` as GroupId;
}

/**
 * Identity Center in memory, with what makes the real one hard: confirmation that takes time
 * (`confirm` decides when), failures on demand, and counts of every call.
 */
export class FakeIdentityCenter implements IdentityCenter {
  readonly assignments = new Map<string, AssignmentKey>();
  readonly assignCalls: AssignmentKey[] = [];
  readonly unassignCalls: AssignmentKey[] = [];
  readonly addMemberCalls: MembershipKey[] = [];
  readonly removeMemberCalls: MembershipKey[] = [];
  /** Awaited before each call confirms; replace to add delay or to hold a call open. */
  confirm: (op: 'assign' | 'unassign', key: AssignmentKey) => Promise<void> = () => Promise.resolve();
  /** Awaited before a membership change is made (the group calls' `confirm`). */
  confirmMember: (op: 'add_member' | 'remove_member', key: MembershipKey) => Promise<void> = () => Promise.resolve();
  private failures: { op: FakeOp; error: KeylessError }[] = [];
  /** The identity store's groups, by name, and who is in each (the seed's principals' groups first). */
  readonly groups = new Map<string, GroupRef>();
  readonly members = new Map<GroupId, Set<string>>();

  constructor(private readonly seed: FakeIdentityCenterSeed) {
    const names = new Set([...seed.principals.flatMap((p) => p.groups), ...(seed.groups ?? [])]);
    [...names].sort().forEach((name, i) => {
      const ref = { id: fakeGroupId(i + 1), name };
      this.groups.set(name, ref);
      this.members.set(
        ref.id,
        new Set(seed.principals.filter((p) => p.groups.includes(name)).map((p) => p.principalId)),
      );
    });
  }

  /** The next call of `op` fails with this error (once). */
  failNext(op: FakeOp, error: KeylessError): void {
    this.failures.push({ op, error });
  }

  /** A principal as the identity store sees them now: their groups follow the memberships. */
  private current(p: Principal): Principal {
    const groups = [...this.groups.values()]
      .filter((g) => this.members.get(g.id)?.has(p.principalId))
      .map((g) => g.name)
      .sort();
    return { ...structuredClone(p), groups };
  }

  /** The external id first, then the normalised email (the rule of the real adapter). */
  async resolvePrincipal(who: string | VerifiedIdentity): Promise<Principal> {
    const { email, externalId } = typeof who === 'string' ? { email: who, externalId: undefined } : who;
    const byExternal = externalId ? this.seed.externalIds?.[externalId] : undefined;
    const p =
      (byExternal ? this.seed.principals.find((x) => x.principalId === byExternal) : undefined) ??
      (email ? this.seed.principals.find((x) => normalizeEmail(x.email) === normalizeEmail(email)) : undefined);
    if (!p) {
      throw new KeylessError(
        ErrorCodes.PrincipalNotFound,
        `Nobody with the email ${email ?? '(none)'} exists in IAM Identity Center.`,
      );
    }
    return this.current(p);
  }

  async listGroupMembers(groupName: string): Promise<Principal[]> {
    const g = this.groups.get(groupName);
    if (!g) return [];
    const ids = this.members.get(g.id)!;
    return this.seed.principals.filter((p) => ids.has(p.principalId)).map((p) => this.current(p));
  }

  async findGroup(name: string): Promise<GroupRef | undefined> {
    const g = this.groups.get(name);
    return g ? { ...g } : undefined;
  }

  private membersOf(key: MembershipKey): Set<string> {
    const set = this.members.get(key.groupId);
    if (!set)
      throw new KeylessError(ErrorCodes.UnknownGroup, `The group ${key.groupId} is not in IAM Identity Center.`);
    if (!this.seed.principals.some((p) => p.principalId === key.principalId)) {
      throw new KeylessError(
        ErrorCodes.PrincipalNotFound,
        `The user ${key.principalId} is not in IAM Identity Center.`,
      );
    }
    return set;
  }

  async addGroupMember(key: MembershipKey): Promise<void> {
    this.addMemberCalls.push(key);
    const set = this.membersOf(key);
    await this.confirmMember('add_member', key);
    this.takeFailure('add_member');
    set.add(key.principalId);
  }

  async removeGroupMember(key: MembershipKey): Promise<void> {
    this.removeMemberCalls.push(key);
    const set = this.membersOf(key);
    await this.confirmMember('remove_member', key);
    this.takeFailure('remove_member');
    set.delete(key.principalId);
  }

  async listGroupMemberIds(groupId: GroupId): Promise<PrincipalId[]> {
    return [...(this.members.get(groupId) ?? [])].sort() as PrincipalId[];
  }

  /** Whether the user is a member of the group now. */
  isMember(key: MembershipKey): boolean {
    return this.members.get(key.groupId)?.has(key.principalId) === true;
  }

  /** Adds a membership behind keyless's back (drift). */
  plantMember(key: MembershipKey): void {
    this.membersOf(key).add(key.principalId);
  }

  group(name: string): GroupRef {
    const g = this.groups.get(name);
    if (!g) throw new Error(`no group ${name}`);
    return g;
  }

  async listAccounts(): Promise<Account[]> {
    return structuredClone(this.seed.accounts);
  }

  async listPermissionSets(): Promise<PermissionSet[]> {
    return structuredClone(this.seed.permissionSets);
  }

  private check(key: AssignmentKey): void {
    if (!this.seed.accounts.some((a) => a.id === key.accountId)) {
      throw new KeylessError(ErrorCodes.UnknownAccount, `Account ${key.accountId} is not in the organization.`);
    }
    if (!this.seed.permissionSets.some((p) => p.arn === key.permissionSetArn)) {
      throw new KeylessError(ErrorCodes.UnknownPermissionSet, `Permission set ${key.permissionSetArn} does not exist.`);
    }
  }

  private takeFailure(op: FakeOp): void {
    const i = this.failures.findIndex((f) => f.op === op);
    if (i >= 0) {
      const [failure] = this.failures.splice(i, 1);
      throw failure!.error;
    }
  }

  async assign(key: AssignmentKey): Promise<void> {
    this.assignCalls.push(key);
    this.check(key);
    await this.confirm('assign', key);
    this.takeFailure('assign');
    this.assignments.set(assignmentKeyString(key), { ...key });
  }

  async unassign(key: AssignmentKey): Promise<void> {
    this.unassignCalls.push(key);
    this.check(key);
    await this.confirm('unassign', key);
    this.takeFailure('unassign');
    this.assignments.delete(assignmentKeyString(key));
  }

  async listAssignments(permissionSetArns: readonly PermissionSetArn[]): Promise<AssignmentKey[]> {
    return [...this.assignments.values()].filter((a) => permissionSetArns.includes(a.permissionSetArn));
  }

  readonly hasAssignmentCalls: AssignmentKey[] = [];

  async hasAssignment(key: AssignmentKey): Promise<boolean> {
    this.hasAssignmentCalls.push(key);
    return this.has(key);
  }

  has(key: AssignmentKey): boolean {
    return this.assignments.has(assignmentKeyString(key));
  }

  /** Adds an assignment behind keyless's back (drift). */
  plant(key: AssignmentKey): void {
    this.assignments.set(assignmentKeyString(key), { ...key });
  }

  principalId(email: string): PrincipalId {
    const p = this.seed.principals.find((x) => x.email === email);
    if (!p) throw new Error(`no principal ${email}`);
    return p.principalId as PrincipalId;
  }
}
