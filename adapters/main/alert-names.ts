import { DescribeUserCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { AlertNames, Catalog, DriftPerson } from '../../src';

/**
 * Names for the security feed from Identity Center: a user by id (identitystore DescribeUser) and a
 * permission set by ARN (the catalog the engine already reads). A user that does not exist is
 * undefined; any other failure throws, and the alert shows the id and says the name is unknown.
 */
export function identityCenterNames(options: {
  region: string;
  identityStoreId: string;
  catalog: Pick<Catalog, 'listPermissionSets'>;
}): AlertNames & { stop(): void } {
  const client = new IdentitystoreClient({ region: options.region });
  return {
    async person(principalId: string): Promise<DriftPerson | undefined> {
      try {
        const user = await client.send(
          new DescribeUserCommand({ IdentityStoreId: options.identityStoreId, UserId: principalId }),
        );
        const emails = user.Emails ?? [];
        const email = (emails.find((e) => e.Primary) ?? emails[0])?.Value;
        const displayName = user.DisplayName ?? user.Name?.Formatted;
        return {
          userName: user.UserName ?? email ?? principalId,
          ...(email ? { email } : {}),
          ...(displayName ? { displayName } : {}),
        };
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    async permissionSetName(permissionSetArn: string): Promise<string | undefined> {
      return (await options.catalog.listPermissionSets()).find((ps) => ps.arn === permissionSetArn)?.name;
    },
    stop: () => client.destroy(),
  };
}
