import {
  grantCreated,
  requestCreated,
  systemActor,
  type AccessRequest,
  type Account,
  type AccountId,
  type ChatUser,
  type Grant,
  type GrantId,
  type PermissionSet,
  type PermissionSetArn,
  type Principal,
  type PrincipalId,
  type RequestId,
} from '../../src';

export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
export const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
export const IDENTITY_STORE_ID = 'd-1234567890';

export const psArn = (suffix: string): PermissionSetArn =>
  `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-${suffix.padStart(16, '0')}` as PermissionSetArn;

export const ADMIN = psArn('a');
export const READONLY = psArn('b');

let counter = 0;
const seq = () => String(++counter).padStart(6, '0');

export function aChatUser(over: Partial<ChatUser> = {}): ChatUser {
  return {
    platform: 'slack',
    id: 'U0REQUEST',
    displayName: 'Rita Requester',
    email: 'rita@example.com',
    timeZone: 'Europe/Paris',
    ...over,
  };
}

export function aPrincipal(over: Partial<Principal> = {}): Principal {
  return {
    principalId: '90670000-0000-0000-0000-000000000001',
    userName: 'rita',
    email: 'rita@example.com',
    displayName: 'Rita Requester',
    groups: ['engineers'],
    ...over,
  };
}

export function anAccount(over: Partial<Account> = {}): Account {
  return {
    id: '111111111111' as AccountId,
    name: 'prod',
    ouPath: ['r-ab12', 'ou-ab12-11111111'],
    ouNames: ['Root', 'Production'],
    tags: { env: 'prod' },
    ...over,
  };
}

export function aPermissionSet(over: Partial<PermissionSet> = {}): PermissionSet {
  return { arn: ADMIN, name: 'AdministratorAccess', sessionDurationSeconds: 3600, ...over };
}

export function aRequest(over: Partial<Omit<AccessRequest, 'version' | 'history'>> = {}): AccessRequest {
  const base: Omit<AccessRequest, 'version' | 'history'> = {
    id: `req${seq()}` as RequestId,
    status: 'pending',
    kind: 'grant',
    requester: aChatUser(),
    principalId: aPrincipal().principalId as PrincipalId,
    principalName: 'rita',
    accountId: '111111111111' as AccountId,
    accountName: 'prod',
    permissionSetArn: ADMIN,
    permissionSetName: 'AdministratorAccess',
    durationSeconds: 3600,
    reason: 'incident 42',
    rule: 'prod-admin',
    approvers: { groups: ['sre-leads'], emails: [], count: 2 },
    approvalsRequired: 2,
    selfApproval: false,
    approvals: [],
    createdAt: T0,
    decideBy: T0 + 24 * 3600_000,
    ...over,
  };
  return requestCreated(base, systemActor('test')).next;
}

export function aGrant(over: Partial<Omit<Grant, 'version' | 'history'>> = {}): Grant {
  const base: Parameters<typeof grantCreated>[0] = {
    id: `grt${seq()}` as GrantId,
    status: 'provisioning',
    requestId: `req${seq()}` as RequestId,
    requester: aChatUser(),
    principalId: aPrincipal().principalId as PrincipalId,
    principalName: 'rita',
    accountId: '111111111111' as AccountId,
    accountName: 'prod',
    permissionSetArn: ADMIN,
    permissionSetName: 'AdministratorAccess',
    rule: 'prod-admin',
    breakGlass: false,
    durationSeconds: 3600,
    createdAt: T0,
    deprovisionAttempts: 0,
    ...over,
  };
  return grantCreated(base, systemActor('test')).next;
}
