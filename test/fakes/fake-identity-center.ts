import {
  ErrorCodes,
  KeylessError,
  assignmentKeyString,
  normalizeEmail,
  type Account,
  type AssignmentKey,
  type IdentityCenter,
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
}

/**
 * Identity Center in memory, with what makes the real one hard: confirmation that takes time
 * (`confirm` decides when), failures on demand, and counts of every call.
 */
export class FakeIdentityCenter implements IdentityCenter {
  readonly assignments = new Map<string, AssignmentKey>();
  readonly assignCalls: AssignmentKey[] = [];
  readonly unassignCalls: AssignmentKey[] = [];
  /** Awaited before each call confirms; replace to add delay or to hold a call open. */
  confirm: (op: 'assign' | 'unassign', key: AssignmentKey) => Promise<void> = () => Promise.resolve();
  private failures: { op: 'assign' | 'unassign'; error: KeylessError }[] = [];

  constructor(private readonly seed: FakeIdentityCenterSeed) {}

  /** The next call of `op` fails with this error (once). */
  failNext(op: 'assign' | 'unassign', error: KeylessError): void {
    this.failures.push({ op, error });
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
    return structuredClone(p);
  }

  async listGroupMembers(groupName: string): Promise<Principal[]> {
    return this.seed.principals.filter((p) => p.groups.includes(groupName)).map((p) => structuredClone(p));
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

  private takeFailure(op: 'assign' | 'unassign'): void {
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
