/**
 * What the emulator knows: the seeded organization and directory, the assignments and the
 * asynchronous assignment operations. Operations settle lazily: every read first applies the
 * operations whose completion time has passed, so state is exact to the millisecond without timers.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EmulatorSeed } from './seed';
import { isoDurationSeconds } from './seed';

export interface OrgUnit {
  id: string;
  name: string;
  parentId: string;
}
export interface EmuAccount {
  id: string;
  name: string;
  email: string;
  parentId: string;
  status: 'ACTIVE' | 'SUSPENDED';
  tags: Record<string, string>;
}
export interface EmuUser {
  id: string;
  userName: string;
  email: string;
  displayName: string;
  /** Identifiers issued by an external identity provider (SCIM provisioning records them). */
  externalIds: { issuer: string; id: string }[];
}
export interface EmuGroup {
  id: string;
  name: string;
  description?: string;
}
export interface EmuPermissionSet {
  arn: string;
  name: string;
  description?: string;
  sessionDuration: string;
  createdAt: number;
}
/** A role in member accounts and its trust policy's ExternalId condition. */
export interface EmuRole {
  name: string;
  /** undefined: deployed in every account. */
  accounts?: string[];
  externalId?: string;
}

export interface EmuTrail {
  name: string;
  homeRegion: string;
  s3BucketName: string;
  isOrganizationTrail: boolean;
  isMultiRegionTrail: boolean;
  includeGlobalServiceEvents: boolean;
  /** StartLogging / StopLogging. */
  logging: boolean;
}

export interface EmuAssignment {
  principalId: string;
  principalType: 'USER' | 'GROUP';
  accountId: string;
  permissionSetArn: string;
}

/** An Organizations policy (SCP): keyless's own, or AWS's FullAWSAccess. */
export interface EmuPolicy {
  id: string;
  name: string;
  description: string;
  content: string;
  awsManaged: boolean;
  tags: Record<string, string>;
}

/** The AWS-managed SCP Organizations attaches everywhere when SCPs are enabled. */
export const FULL_AWS_ACCESS: EmuPolicy = {
  id: 'p-FullAWSAccess',
  name: 'FullAWSAccess',
  description: 'Allows access to every operation',
  content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  awsManaged: true,
  tags: {},
};

/** An access portal sign-in (what `aws sso login` leaves in ~/.aws/sso/cache): its token's owner. */
export interface PortalToken {
  userId: string;
  expiresAt: number;
}

export type OperationStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

export interface AssignmentOperation {
  requestId: string;
  kind: 'create' | 'delete';
  assignment: EmuAssignment;
  createdAt: number;
  /** When the operation reaches its final status. */
  completesAt: number;
  outcome: 'SUCCEEDED' | 'FAILED';
  failureReason?: string;
  status: OperationStatus;
  /** Set once settled: the instant the final status was reached (equals `completesAt`). */
  completedAt?: number;
}

/** A user's membership of a group. */
export interface EmuMembership {
  groupId: string;
  userId: string;
}

/** A group membership created or removed through the API (harnesses check who was in a group, and when). */
export interface MembershipChange {
  kind: 'create' | 'delete';
  groupId: string;
  userId: string;
  /** Epoch milliseconds when the emulator made the change. */
  at: number;
}

/** A deterministic UUID from a name, so seeds without ids get stable ids. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const assignmentKey = (a: Pick<EmuAssignment, 'principalId' | 'accountId' | 'permissionSetArn'>): string =>
  `${a.principalId}#${a.accountId}#${a.permissionSetArn}`;

export class EmulatorWorld {
  readonly region: string;
  readonly instanceArn: string;
  readonly identityStoreId: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly rootId: string;
  readonly caller: { account: string; arn: string; userId: string };
  /** The ExternalId the member accounts' roles require (seed memberRoles.externalId); undefined: none. */
  readonly memberRoleExternalId: string | undefined;
  readonly ous = new Map<string, OrgUnit>();
  readonly accounts = new Map<string, EmuAccount>();
  readonly users = new Map<string, EmuUser>();
  readonly groups = new Map<string, EmuGroup>();
  /** group id → user ids */
  readonly memberships = new Map<string, Set<string>>();
  /** `<group id>#<user id>` → the MembershipId of that membership (identitystore gives each a new id). */
  readonly membershipIds = new Map<string, string>();
  /** How many memberships were created through the API (each new one gets a new id). */
  membershipSerial = 0;
  /** Every membership created or removed through the API, in order. */
  readonly membershipChanges: MembershipChange[] = [];
  readonly permissionSets = new Map<string, EmuPermissionSet>();
  /** permission set ARN → account ids it is provisioned to */
  readonly provisioned = new Map<string, Set<string>>();
  readonly assignments = new Map<string, EmuAssignment>();
  readonly operations = new Map<string, AssignmentOperation>();
  /** Member-account roles; undefined: every role exists everywhere and trusts the caller. */
  roles: EmuRole[] | undefined;
  /** Organizations policies by id, and the policy ids attached to each root, OU or account. */
  readonly policies = new Map<string, EmuPolicy>();
  readonly attachments = new Map<string, Set<string>>();
  /** Whether the SERVICE_CONTROL_POLICY type is enabled at the root. */
  scpEnabled: boolean;
  /** Access portal sign-ins by access token. */
  readonly portalTokens = new Map<string, PortalToken>();
  /** The management account's CloudTrail trails (tests change them to break the organization trail). */
  trails: EmuTrail[];

  constructor(
    seed: EmulatorSeed,
    private readonly now: () => number = Date.now,
  ) {
    this.region = seed.region;
    this.instanceArn = seed.identityCenter.instanceArn;
    this.identityStoreId = seed.identityCenter.identityStoreId;
    this.organizationId = seed.organization.id;
    this.managementAccountId = seed.organization.managementAccountId;
    this.rootId = seed.organization.rootId;
    this.roles = seed.roles?.map((r) => ({ ...r, ...(r.accounts ? { accounts: [...r.accounts] } : {}) }));
    this.memberRoleExternalId = seed.memberRoles?.externalId;
    this.trails = seed.cloudTrail.trails.map((t) => ({ ...t, homeRegion: t.homeRegion ?? seed.region }));
    this.caller = seed.caller ?? {
      account: seed.organization.managementAccountId,
      arn: `arn:aws:sts::${seed.organization.managementAccountId}:assumed-role/keyless/keyless`,
      userId: 'AROAEMULATORKEYLESS01:keyless',
    };
    for (const ou of seed.organization.ous)
      this.ous.set(ou.id, { id: ou.id, name: ou.name, parentId: ou.parent ?? this.rootId });
    this.scpEnabled = seed.organization.serviceControlPolicies;
    for (const a of seed.accounts) {
      this.accounts.set(a.id, {
        id: a.id,
        name: a.name,
        email: a.email ?? `aws+${a.name}@example.com`,
        parentId: a.ou ?? this.rootId,
        status: a.status,
        tags: { ...a.tags },
      });
    }
    for (const g of seed.groups) {
      const group: EmuGroup = { id: g.id ?? stableUuid(`group:${g.name}`), name: g.name };
      if (g.description !== undefined) group.description = g.description;
      this.groups.set(group.id, group);
      this.memberships.set(group.id, new Set());
    }
    for (const u of seed.users) {
      const user: EmuUser = {
        id: u.id ?? stableUuid(`user:${u.userName}`),
        userName: u.userName,
        email: u.email,
        displayName: u.displayName ?? u.userName,
        externalIds: u.externalIds.map((e) => ({ issuer: e.issuer, id: e.id })),
      };
      this.users.set(user.id, user);
      for (const name of u.groups) this.memberships.get(this.groupByName(name)!.id)!.add(user.id);
    }
    const instanceId = this.instanceArn.split('/')[1]!;
    for (const p of seed.permissionSets) {
      const id = p.id ?? createHash('sha256').update(`ps:${p.name}`).digest('hex').slice(0, 16);
      const ps: EmuPermissionSet = {
        arn: `arn:aws:sso:::permissionSet/${instanceId}/ps-${id}`,
        name: p.name,
        sessionDuration: p.sessionDuration,
        createdAt: Date.UTC(2024, 0, 1),
      };
      if (p.description !== undefined) ps.description = p.description;
      this.permissionSets.set(ps.arn, ps);
      this.provisioned.set(ps.arn, new Set());
    }
    if (this.scpEnabled) this.enableScps();
    for (const a of seed.assignments) {
      const user = this.userByName(a.user)!;
      const ps = this.permissionSetByName(a.permissionSet)!;
      this.applyAssignment({
        principalId: user.id,
        principalType: 'USER',
        accountId: a.account,
        permissionSetArn: ps.arn,
      });
    }
  }

  /**
   * EnablePolicyType SERVICE_CONTROL_POLICY: Organizations attaches FullAWSAccess to the root, every
   * OU and every account.
   */
  enableScps(): void {
    this.scpEnabled = true;
    this.policies.set(FULL_AWS_ACCESS.id, { ...FULL_AWS_ACCESS });
    for (const target of [this.rootId, ...this.ous.keys(), ...this.accounts.keys()]) {
      const set = this.attachments.get(target) ?? new Set<string>();
      set.add(FULL_AWS_ACCESS.id);
      this.attachments.set(target, set);
    }
  }

  /** The SCP documents on an account's path, one list per level: root, OUs from the top, the account. */
  scpLevels(accountId: string): string[][] {
    return [...this.ouPath(accountId), accountId].map((target) =>
      [...(this.attachments.get(target) ?? [])].map((id) => this.policies.get(id)!.content),
    );
  }

  /** Whether a user has an assignment of a permission set in an account, directly or through a group. */
  hasAccess(userId: string, accountId: string, permissionSetArn: string): boolean {
    for (const a of this.assignments.values()) {
      if (a.accountId !== accountId || a.permissionSetArn !== permissionSetArn) continue;
      if (a.principalType === 'USER' && a.principalId === userId) return true;
      if (a.principalType === 'GROUP' && this.memberships.get(a.principalId)?.has(userId)) return true;
    }
    return false;
  }

  /** The name of the role Identity Center provisions for a permission set in an account. */
  ssoRoleName(permissionSetArn: string, accountId: string): string {
    const ps = this.permissionSets.get(permissionSetArn)!;
    const hash = createHash('sha256').update(`${permissionSetArn}#${accountId}`).digest('hex').slice(0, 16);
    return `AWSReservedSSO_${ps.name}_${hash}`;
  }

  /** The role `name` as deployed in `accountId`, if it is. */
  role(accountId: string, name: string): EmuRole | { name: string } | undefined {
    if (!this.roles) return { name };
    return this.roles.find((r) => r.name === name && (!r.accounts || r.accounts.includes(accountId)));
  }

  /** Records a membership change made through the API, at the emulator's now. */
  recordMembershipChange(kind: MembershipChange['kind'], groupId: string, userId: string): void {
    this.membershipChanges.push({ kind, groupId, userId, at: this.now() });
  }

  groupByName(name: string): EmuGroup | undefined {
    for (const g of this.groups.values()) if (g.name === name) return g;
    return undefined;
  }

  userByName(userName: string): EmuUser | undefined {
    const needle = userName.toLowerCase();
    for (const u of this.users.values()) if (u.userName.toLowerCase() === needle) return u;
    return undefined;
  }

  userByEmail(email: string): EmuUser | undefined {
    const needle = email.toLowerCase();
    for (const u of this.users.values()) if (u.email.toLowerCase() === needle) return u;
    return undefined;
  }

  /**
   * identitystore GetUserId's unique-attribute match. Exact, letter case included: AWS does not
   * promise to match `userName` or `emails.value` case-insensitively, so the emulator does not either
   * (keyless must send the form it documents, never rely on the service folding case).
   */
  userByUniqueAttribute(path: 'userName' | 'emails.value', value: string): EmuUser | undefined {
    for (const u of this.users.values()) if ((path === 'userName' ? u.userName : u.email) === value) return u;
    return undefined;
  }

  /** identitystore GetUserId's external-id match: issuer and id, both exact. */
  userByExternalId(issuer: string, id: string): EmuUser | undefined {
    for (const u of this.users.values()) if (u.externalIds.some((e) => e.issuer === issuer && e.id === id)) return u;
    return undefined;
  }

  permissionSetByName(name: string): EmuPermissionSet | undefined {
    for (const p of this.permissionSets.values()) if (p.name === name) return p;
    return undefined;
  }

  sessionDurationSeconds(arn: string): number {
    return isoDurationSeconds(this.permissionSets.get(arn)?.sessionDuration ?? 'PT1H');
  }

  /** OU ids from the root down to the account's parent. */
  ouPath(accountId: string): string[] {
    const path: string[] = [];
    let id = this.accounts.get(accountId)?.parentId;
    while (id !== undefined && id !== this.rootId) {
      path.unshift(id);
      id = this.ous.get(id)?.parentId;
    }
    path.unshift(this.rootId);
    return path;
  }

  /** Applies every operation whose completion time has passed, in completion order. */
  settle(): void {
    const now = this.now();
    const due = [...this.operations.values()]
      .filter((op) => op.status === 'IN_PROGRESS' && op.completesAt <= now)
      .sort((a, b) => a.completesAt - b.completesAt);
    for (const op of due) {
      op.status = op.outcome;
      op.completedAt = op.completesAt;
      if (op.outcome !== 'SUCCEEDED') continue;
      if (op.kind === 'create') this.applyAssignment(op.assignment);
      else this.assignments.delete(assignmentKey(op.assignment));
    }
  }

  startOperation(
    kind: 'create' | 'delete',
    assignment: EmuAssignment,
    delayMs: number,
    failure?: string,
  ): AssignmentOperation {
    const createdAt = this.now();
    const op: AssignmentOperation = {
      requestId: randomUUID(),
      kind,
      assignment,
      createdAt,
      completesAt: createdAt + Math.max(0, delayMs),
      outcome: failure === undefined ? 'SUCCEEDED' : 'FAILED',
      status: 'IN_PROGRESS',
    };
    if (failure !== undefined) op.failureReason = failure;
    this.operations.set(op.requestId, op);
    return op;
  }

  private applyAssignment(a: EmuAssignment): void {
    this.assignments.set(assignmentKey(a), { ...a });
    this.provisioned.get(a.permissionSetArn)?.add(a.accountId);
  }
}
