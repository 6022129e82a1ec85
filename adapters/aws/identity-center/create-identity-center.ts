/**
 * The production factory: SDK clients built from `region` alone, so the SDK's standard
 * configuration applies (AWS_PROFILE, credentials chain, AWS_ENDPOINT_URL and the per-service
 * AWS_ENDPOINT_URL_SSO_ADMIN / _IDENTITYSTORE / _ORGANIZATIONS). `maxAttempts: 1` because keyless
 * retries itself under its pace: an SDK retry would bypass the pace and spend the shared TPS.
 */
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { AwsIdentityCenter, type AwsIdentityCenterOptions } from './identity-center.adapter';

export interface CreateAwsIdentityCenterOptions extends AwsIdentityCenterOptions {
  /** Identity Center's home region. */
  region: string;
  /** Organizations' region: its one endpoint per partition (organizationsRegionFor). */
  organizationsRegion?: string;
  /** false when Organizations access is not granted (then `staticAccounts` lists the accounts). */
  useOrganizations?: boolean;
}

export function createAwsIdentityCenter(options: CreateAwsIdentityCenterOptions): AwsIdentityCenter {
  const config = { region: options.region, maxAttempts: 1 };
  return new AwsIdentityCenter(
    {
      ssoAdmin: new SSOAdminClient(config),
      identityStore: new IdentitystoreClient(config),
      ...(options.useOrganizations === false
        ? {}
        : {
            organizations: new OrganizationsClient({
              ...config,
              region: options.organizationsRegion ?? organizationsRegionFor(options.region),
            }),
          }),
    },
    options,
  );
}

/**
 * AWS Organizations has one endpoint per partition: "specify the us-east-1 region for all API calls
 * made from the commercial Regions outside of China", cn-northwest-1 from the China Regions
 * (Organizations API reference, "Endpoint to call"), us-gov-west-1 in GovCloud.
 */
export function organizationsRegionFor(region: string): string {
  if (region.startsWith('cn-')) return 'cn-northwest-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}
