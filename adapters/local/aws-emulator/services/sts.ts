/**
 * STS (Query protocol, form POST, XML answers): who keyless runs as, and roles in member accounts.
 * Shapes: https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html
 */
import { randomBytes } from 'node:crypto';
import { AwsError, xml, type QueryService } from '../protocol';
import { roleIdOf, sessionArn } from './portal';
import { recordSession, sessionOf } from './sessions';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

export const stsService: QueryService = {
  name: 'sts',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  throttleCode: 'Throttling',
  operations: {
    GetCallerIdentity(_params, ctx) {
      // Temporary credentials answer with their own session; anything else is the seed's caller.
      const session = sessionOf(ctx.accessKeyId);
      if (session) {
        return (
          xml('Arn', sessionArn(session)) +
          xml('UserId', `${roleIdOf(session)}:${session.sessionName}`) +
          xml('Account', session.accountId)
        );
      }
      const c = ctx.world.caller;
      return xml('Arn', c.arn) + xml('UserId', c.userId) + xml('Account', c.account);
    },
    AssumeRole(params, ctx) {
      const roleArn = params.get('RoleArn') ?? '';
      const sessionName = params.get('RoleSessionName') ?? '';
      const match = ROLE_ARN.exec(roleArn);
      if (!match) throw new AwsError('ValidationError', `${roleArn} is invalid`);
      if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw new AwsError('ValidationError', 'RoleSessionName is invalid');
      const [, accountId, roleName] = match as unknown as [string, string, string];
      const externalId = params.get('ExternalId') ?? undefined;
      if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
        throw new AwsError('ValidationError', 'ExternalId is invalid');
      }
      // AWS answers a missing role, a trust policy that does not name the caller and an unmet
      // sts:ExternalId condition alike: AccessDenied, naming neither which nor why.
      const role = ctx.world.accounts.has(accountId) ? ctx.world.role(accountId, roleName) : undefined;
      // A role's own ExternalId (seed roles), else the one every member role requires (seed memberRoles).
      const required = (role && 'externalId' in role ? role.externalId : undefined) ?? ctx.world.memberRoleExternalId;
      const trusted = role !== undefined && (required === undefined || required === externalId);
      if (!trusted) {
        throw new AwsError(
          'AccessDenied',
          `User: ${ctx.world.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          403,
        );
      }
      const duration = Number(params.get('DurationSeconds') ?? 3600);
      const expiration = new Date(ctx.now() + duration * 1000).toISOString();
      const roleId = `AROA${randomBytes(8).toString('hex').toUpperCase()}`;
      const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
      // IAM in the member account reads which account and role a later call acts in from the key.
      recordSession(accessKeyId, {
        accountId,
        roleName,
        sessionName,
        issuedAt: ctx.now(),
        roleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
        ...(externalId ? { externalId } : {}),
      });
      return (
        '<Credentials>' +
        xml('AccessKeyId', accessKeyId) +
        xml('SecretAccessKey', randomBytes(20).toString('base64')) +
        xml('SessionToken', randomBytes(32).toString('base64')) +
        xml('Expiration', expiration) +
        '</Credentials>' +
        '<AssumedRoleUser>' +
        xml('AssumedRoleId', `${roleId}:${sessionName}`) +
        xml('Arn', `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`) +
        '</AssumedRoleUser>'
      );
    },
  },
};
