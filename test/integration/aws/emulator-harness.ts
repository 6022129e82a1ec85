/**
 * The real IdentityCenter adapter on an in-process local AWS emulator, with test-speed polling.
 */
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsIdentityCenter, type AwsIdentityCenterOptions } from '../../../adapters/aws/identity-center';
import {
  loadDemoSeed,
  startAwsEmulator,
  type EmulatorSeed,
  type FaultSettings,
  type RunningAwsEmulator,
} from '../../../adapters/local/aws-emulator';

export const DEMO_INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
export const DEMO_IDENTITY_STORE_ID = 'd-1234567890';

/** SDK client settings for a loopback emulator: explicit endpoint, dummy credentials, no SDK retries. */
export function clientConfig(url: string) {
  return {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' },
    maxAttempts: 1,
  };
}

export interface EmulatedIdentityCenter {
  emulator: RunningAwsEmulator;
  ic: AwsIdentityCenter;
  sts: STSClient;
  stop(): Promise<void>;
}

export async function startEmulatedIdentityCenter(
  options: {
    seed?: EmulatorSeed;
    faults?: Partial<FaultSettings>;
    adapter?: Partial<AwsIdentityCenterOptions>;
    organizations?: boolean;
  } = {},
): Promise<EmulatedIdentityCenter> {
  const emulator = await startAwsEmulator({
    seed: options.seed ?? loadDemoSeed(),
    port: 0,
    faults: { provisioningDelayMs: 30, ...options.faults },
  });
  const config = clientConfig(emulator.url);
  const clients = {
    ssoAdmin: new SSOAdminClient(config),
    identityStore: new IdentitystoreClient(config),
    ...(options.organizations === false ? {} : { organizations: new OrganizationsClient(config) }),
  };
  const ic = new AwsIdentityCenter(clients, {
    instanceArn: DEMO_INSTANCE_ARN,
    identityStoreId: DEMO_IDENTITY_STORE_ID,
    polling: { firstPollMs: 10, nearIntervalMs: 10, coldMaxIntervalMs: 40, maxIntervalMs: 100, deadlineMs: 10_000 },
    retry: { baseDelayMs: 5, maxDelayMs: 40 },
    pace: { tps: 1000, organizationsTps: 1000 },
    ...options.adapter,
  });
  const sts = new STSClient(config);
  return {
    emulator,
    ic,
    sts,
    stop: async () => {
      ic.stop();
      for (const c of [clients.ssoAdmin, clients.identityStore, clients.organizations, sts]) c?.destroy();
      await emulator.stop();
    },
  };
}
