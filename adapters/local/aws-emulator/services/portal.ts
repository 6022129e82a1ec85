/**
 * The IAM Identity Center access portal (`sso`, REST-JSON, signing name `awsssoportal`): the call
 * `aws sso login` and the portal's "Access keys" make to turn a sign-in into role credentials, and
 * what those credentials are worth afterwards (service control policies, expiry).
 *
 * - GET /federation/credentials?account_id=…&role_name=… with header `x-amz-sso_bearer_token`:
 *   role_name is the permission set's name. A user without an assignment of that permission set in
 *   that account (directly or through a group) gets ForbiddenException "No access", as AWS answers.
 *   https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
 * - The credentials are recorded with the issue time (aws:TokenIssueTime), the Identity Center user id
 *   (identitystore:UserId), the account (aws:PrincipalAccount) and the role ARN (aws:PrincipalArn,
 *   `…:role/aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_<permission set>_<hash>`), and
 *   expire after the permission set's session duration.
 * - Sign-in (the OIDC device flow of `aws sso login`) is not emulated: the admin API hands out an access
 *   token for a user (POST /_emulator/sso/login).
 */
import { createHash, randomBytes } from 'node:crypto';
import { AwsError, type ServiceContext } from '../protocol';
import type { EmulatorWorld } from '../world';
import { evaluateScps } from './scp';
import { recordSession, sessionOf, type EmuSession } from './sessions';

/** How long a portal sign-in lasts (Identity Center's default session: 8 hours). */
export const PORTAL_SIGN_IN_MS = 8 * 3600_000;

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch milliseconds, as the portal answers. */
  expiration: number;
}

/** A sign-in for a user (by user name or id): the access token `aws sso login` would cache. */
export function portalSignIn(
  world: EmulatorWorld,
  user: string,
  now: number,
): { accessToken: string; expiresAt: number; userId: string } {
  const found = world.users.get(user) ?? world.userByName(user);
  if (!found) throw new AwsError('ResourceNotFoundException', `No user ${user} in the identity store.`, 404);
  const accessToken = `aoa${randomBytes(24).toString('base64url')}`;
  const expiresAt = now + PORTAL_SIGN_IN_MS;
  world.portalTokens.set(accessToken, { userId: found.id, expiresAt });
  return { accessToken, expiresAt, userId: found.id };
}

/** GetRoleCredentials: role credentials for the token's user, if the user has the assignment. */
export function getRoleCredentials(
  world: EmulatorWorld,
  input: { accessToken: string | undefined; accountId: string | null; roleName: string | null },
  now: number,
): RoleCredentials {
  if (!input.accountId || !input.roleName || !input.accessToken) {
    throw new AwsError('InvalidRequestException', 'account_id, role_name and the access token are required.');
  }
  const token = world.portalTokens.get(input.accessToken);
  if (!token || token.expiresAt <= now) {
    throw new AwsError('UnauthorizedException', 'Session token not found or invalid', 401);
  }
  const user = world.users.get(token.userId)!;
  const ps = world.permissionSetByName(input.roleName);
  if (!ps || !world.accounts.has(input.accountId) || !world.hasAccess(user.id, input.accountId, ps.arn)) {
    throw new AwsError('ForbiddenException', 'No access', 403);
  }
  const roleName = world.ssoRoleName(ps.arn, input.accountId);
  const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const expiration = now + world.sessionDurationSeconds(ps.arn) * 1000;
  recordSession(accessKeyId, {
    accountId: input.accountId,
    roleName,
    sessionName: user.userName,
    issuedAt: now,
    expiresAt: expiration,
    identityStoreUserId: user.id,
    permissionSetArn: ps.arn,
    roleArn: `arn:aws:iam::${input.accountId}:role/aws-reserved/sso.amazonaws.com/${world.region}/${roleName}`,
  });
  return {
    accessKeyId,
    secretAccessKey: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(32).toString('base64'),
    expiration,
  };
}

/** A session's ARN as STS names it: arn:aws:sts::<account>:assumed-role/<role>/<session>. */
export const sessionArn = (s: EmuSession): string =>
  `arn:aws:sts::${s.accountId}:assumed-role/${s.roleName}/${s.sessionName}`;

/** A stable role id for a session's role (AROA…), as GetCallerIdentity's UserId shows it. */
export const roleIdOf = (s: EmuSession): string =>
  `AROA${createHash('sha256').update(`${s.accountId}#${s.roleName}`).digest('hex').slice(0, 17).toUpperCase()}`;

/** Actions no policy can deny (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html). */
const NEVER_DENIED = new Set(['sts:GetCallerIdentity']);

/**
 * What AWS checks before any call signed with temporary credentials: that they have not expired, and
 * (member accounts, SCPs enabled) that the service control policies on the account's path allow it.
 */
export function authorizeSessionCall(ctx: ServiceContext, action: string): void {
  const session = sessionOf(ctx.accessKeyId);
  if (!session) return;
  const now = ctx.now();
  if (session.expiresAt !== undefined && now >= session.expiresAt) {
    throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 400);
  }
  const world = ctx.world;
  if (NEVER_DENIED.has(action) || !world.scpEnabled || !world.accounts.has(session.accountId)) return;
  // SCPs never apply to the management account.
  if (session.accountId === world.managementAccountId) return;
  const keys: Record<string, string> = {
    'aws:PrincipalAccount': session.accountId,
    'aws:PrincipalArn': session.roleArn ?? `arn:aws:iam::${session.accountId}:role/${session.roleName}`,
    'aws:PrincipalOrgID': world.organizationId,
  };
  if (session.issuedAt !== undefined) keys['aws:TokenIssueTime'] = new Date(session.issuedAt).toISOString();
  if (session.identityStoreUserId !== undefined) keys['identitystore:UserId'] = session.identityStoreUserId;
  const decision = evaluateScps(world.scpLevels(session.accountId), { action, keys });
  if (!decision.allowed) {
    throw new AwsError(
      'AccessDeniedException',
      decision.reason === 'explicit'
        ? `User: ${sessionArn(session)} is not authorized to perform: ${action} with an explicit deny in a service control policy`
        : `User: ${sessionArn(session)} is not authorized to perform: ${action} because no service control policy allows the ${action} action`,
      403,
    );
  }
}
