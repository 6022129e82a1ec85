/**
 * Temporary credentials STS issued in this process, by access key id: which account and role a later
 * call signed with them acts in. IAM in member accounts reads its account from here. Key ids are
 * random, so one registry serves every emulator of the process.
 */
export interface EmuSession {
  accountId: string;
  roleName: string;
  sessionName: string;
  externalId?: string;
  /** When STS issued the credentials (aws:TokenIssueTime), epoch ms. */
  issuedAt?: number;
  /** When the credentials stop working, epoch ms (access portal sessions). */
  expiresAt?: number;
  /** Access portal sessions: the Identity Center user (identitystore:UserId) and the permission set. */
  identityStoreUserId?: string;
  permissionSetArn?: string;
  /** The role's ARN (aws:PrincipalArn), e.g. arn:aws:iam::…:role/aws-reserved/sso.amazonaws.com/…/AWSReservedSSO_… */
  roleArn?: string;
}

const sessions = new Map<string, EmuSession>();
const MAX = 100_000;

export function recordSession(accessKeyId: string, session: EmuSession): void {
  if (sessions.size >= MAX) sessions.delete(sessions.keys().next().value!);
  sessions.set(accessKeyId, session);
}

export function sessionOf(accessKeyId: string | undefined): EmuSession | undefined {
  return accessKeyId === undefined ? undefined : sessions.get(accessKeyId);
}
