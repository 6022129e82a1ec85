/**
 * STS: who keyless runs as (logged at start; a failure is a clear boot error), and roles in
 * member accounts for the alert scanners (role name configurable, with ExternalId).
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ErrorCodes, KeylessError, isAccountId, silentLogger, type Logger } from '../../../src';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** What SDK clients accept as `credentials`. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}

export class AwsSts {
  constructor(
    private readonly client: STSClient,
    private readonly options: { partition?: string; durationSeconds?: number; logger?: Logger } = {},
  ) {}

  /** GetCallerIdentity, logged; any failure is a CONFIG_INVALID boot error that says what to check. */
  async callerIdentity(): Promise<CallerIdentity> {
    const logger = this.options.logger ?? silentLogger;
    try {
      const out = await this.client.send(new GetCallerIdentityCommand({}));
      const identity = { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
      logger.info({ accountId: identity.account, arn: identity.arn }, 'AWS credentials found');
      return identity;
    } catch (error) {
      throw new KeylessError(
        ErrorCodes.ConfigInvalid,
        `keyless could not identify itself to AWS (sts:GetCallerIdentity failed: ${errorName(error)}: ${(error as Error).message}).`,
        {
          hint: 'Check the AWS credentials keyless runs with (AWS_PROFILE, AWS_ACCESS_KEY_ID, the instance or task role) and AWS_REGION.',
          cause: error,
        },
      );
    }
  }

  /** Temporary credentials in a member account, for SDK clients of the alert scanners. */
  async assumeRole(
    accountId: string,
    roleName: string,
    externalId: string,
    sessionName: string,
  ): Promise<TemporaryCredentials> {
    if (!isAccountId(accountId))
      throw new KeylessError(ErrorCodes.InvalidAccountId, `"${accountId}" is not an AWS account id.`);
    // The member roles trust keyless only with the ExternalId (member-roles.yml): never assume without it.
    if (!externalId) {
      throw new KeylessError(ErrorCodes.ConfigInvalid, 'No ExternalId to assume member-account roles with.', {
        hint: 'Set KEYLESS_MEMBER_ROLE_EXTERNAL_ID to the ExternalId parameter of member-roles.yml.',
      });
    }
    const roleArn = `arn:${this.options.partition ?? 'aws'}:iam::${accountId}:role/${roleName}`;
    try {
      const out = await this.client.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionName,
          DurationSeconds: this.options.durationSeconds ?? 3600,
          ExternalId: externalId,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new KeylessError(ErrorCodes.Unavailable, `STS returned no credentials for ${roleArn}.`);
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (error) {
      if (error instanceof KeylessError) throw error;
      const name = errorName(error);
      if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        throw new KeylessError(ErrorCodes.AwsAccessDenied, `keyless may not assume ${roleArn}.`, {
          hint: `Deploy the role ${roleName} in account ${accountId} trusting keyless's role, with the configured ExternalId.`,
          details: { accountId, roleName },
          cause: error,
        });
      }
      throw new KeylessError(ErrorCodes.Unavailable, `STS could not assume ${roleArn}: ${(error as Error).message}`, {
        details: { accountId, roleName },
        cause: error,
      });
    }
  }
}

/** Production: region only, so AWS_ENDPOINT_URL(_STS) and the credentials chain apply. */
export function createAwsSts(region: string, logger?: Logger): AwsSts {
  return new AwsSts(new STSClient({ region }), logger ? { logger } : {});
}
