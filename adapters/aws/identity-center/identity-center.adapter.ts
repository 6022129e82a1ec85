/**
 * The IdentityCenter port on the AWS SDK: assignments (sso-admin), directory (identitystore) and
 * catalog (sso-admin + organizations), sharing one pace for Identity Center's shared limits.
 * There is no emulator-specific path here: the local emulator is reached through the SDK's
 * standard endpoint configuration (AWS_ENDPOINT_URL).
 */
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import {
  parseInstanceArn,
  silentLogger,
  type Account,
  type AssignmentKey,
  type GroupId,
  type GroupRef,
  type IdentityCenter,
  type MembershipKey,
  type Logger,
  type PermissionSet,
  type PermissionSetArn,
  type Principal,
  type PrincipalId,
  type VerifiedIdentity,
} from '../../../src';
import { ConcurrencyLimit, Pace } from '../../shared/pace';
import { AwsCaller, defaultRetry, type RetryOptions } from './aws-caller';
import { SsoAssignments } from './assignments';
import { AwsCatalog, type CatalogOptions } from './catalog';
import { IdentityStoreDirectory, type DirectoryOptions } from './directory';
import { IdentityStoreGroups } from './group-memberships';
import { defaultPolling, type PollingOptions } from './poll-schedule';

export interface IdentityCenterPaceOptions {
  /** Calls per second across sso-admin and identitystore (Identity Center shares about 20 TPS). */
  tps: number;
  /**
   * Token-bucket size. 1 spaces calls evenly, so no one-second window holds more than `tps`
   * calls (a bigger burst allows `burst + tps` in a window, above the shared limit).
   */
  burst: number;
  /** Outstanding CreateAccountAssignment operations (about 10 allowed). */
  maxOutstandingCreates: number;
  maxOutstandingDeletes: number;
  /** Calls per second to AWS Organizations. */
  organizationsTps: number;
}

export const defaultIdentityCenterPace: IdentityCenterPaceOptions = {
  tps: 18,
  burst: 1,
  maxOutstandingCreates: 10,
  maxOutstandingDeletes: 10,
  organizationsTps: 8,
};

export interface AwsIdentityCenterClients {
  ssoAdmin: SSOAdminClient;
  identityStore: IdentitystoreClient;
  /** Absent when keyless may not read AWS Organizations: `staticAccounts` is used instead. */
  organizations?: OrganizationsClient;
}

export interface AwsIdentityCenterOptions {
  instanceArn: string;
  identityStoreId: string;
  pace?: Partial<IdentityCenterPaceOptions>;
  polling?: Partial<PollingOptions>;
  retry?: Partial<RetryOptions>;
  directory?: Partial<Omit<DirectoryOptions, 'identityStoreId'>>;
  catalog?: Partial<Omit<CatalogOptions, 'instanceArn' | 'staticAccounts'>>;
  staticAccounts?: Account[];
  logger?: Logger;
}

export class AwsIdentityCenter implements IdentityCenter {
  readonly pace: Pace;
  readonly paceOptions: IdentityCenterPaceOptions;
  readonly polling: PollingOptions;
  readonly assignments: SsoAssignments;
  readonly directory: IdentityStoreDirectory;
  readonly catalog: AwsCatalog;
  readonly groups: IdentityStoreGroups;

  constructor(clients: AwsIdentityCenterClients, options: AwsIdentityCenterOptions) {
    const instanceArn = parseInstanceArn(options.instanceArn);
    const logger = options.logger ?? silentLogger;
    this.paceOptions = { ...defaultIdentityCenterPace, ...options.pace };
    this.polling = { ...defaultPolling, ...options.polling };
    const retry = { ...defaultRetry, ...options.retry };
    this.pace = new Pace({
      tps: this.paceOptions.tps,
      maxOutstanding: this.paceOptions.maxOutstandingCreates,
      burst: this.paceOptions.burst,
    });
    const icCaller = new AwsCaller(this.pace, retry);
    const orgPace = new Pace({
      tps: this.paceOptions.organizationsTps,
      burst: this.paceOptions.organizationsTps,
      maxOutstanding: 1,
    });
    const orgCaller = new AwsCaller(orgPace, retry);
    this.catalog = new AwsCatalog(
      clients.ssoAdmin,
      clients.organizations,
      icCaller,
      orgCaller,
      {
        ...options.catalog,
        instanceArn,
        ...(options.staticAccounts ? { staticAccounts: options.staticAccounts } : {}),
      },
      logger,
    );
    this.directory = new IdentityStoreDirectory(clients.identityStore, icCaller, {
      ...options.directory,
      identityStoreId: options.identityStoreId,
    });
    this.groups = new IdentityStoreGroups(clients.identityStore, icCaller, options.identityStoreId);
    this.assignments = new SsoAssignments(
      clients.ssoAdmin,
      icCaller,
      { creates: this.pace.outstanding, deletes: new ConcurrencyLimit(this.paceOptions.maxOutstandingDeletes) },
      this.catalog,
      { instanceArn, polling: this.polling },
      logger,
    );
  }

  /** Starts the catalog's background refresh. */
  start(): void {
    this.catalog.start();
  }

  stop(): void {
    this.catalog.stop();
  }

  resolvePrincipal(who: string | VerifiedIdentity): Promise<Principal> {
    return this.directory.resolvePrincipal(who);
  }

  listGroupMembers(groupName: string): Promise<Principal[]> {
    return this.directory.listGroupMembers(groupName);
  }

  listAccounts(): Promise<Account[]> {
    return this.catalog.listAccounts();
  }

  listPermissionSets(): Promise<PermissionSet[]> {
    return this.catalog.listPermissionSets();
  }

  assign(key: AssignmentKey): Promise<void> {
    return this.assignments.assign(key);
  }

  unassign(key: AssignmentKey): Promise<void> {
    return this.assignments.unassign(key);
  }

  listAssignments(permissionSetArns: readonly PermissionSetArn[]): Promise<AssignmentKey[]> {
    return this.assignments.listAssignments(permissionSetArns);
  }

  hasAssignment(key: AssignmentKey): Promise<boolean> {
    return this.assignments.hasAssignment(key);
  }

  findGroup(name: string): Promise<GroupRef | undefined> {
    return this.groups.findGroup(name);
  }

  addGroupMember(key: MembershipKey): Promise<void> {
    return this.groups.addGroupMember(key);
  }

  removeGroupMember(key: MembershipKey): Promise<void> {
    return this.groups.removeGroupMember(key);
  }

  listGroupMemberIds(groupId: GroupId): Promise<PrincipalId[]> {
    return this.groups.listGroupMemberIds(groupId);
  }
}
