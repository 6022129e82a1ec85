/**
 * The production factories build clients from the region alone; AWS_ENDPOINT_URL alone points
 * them at the emulator. This file sets process.env before creating any client (jest isolates
 * each test file in its own module registry and environment).
 */
import type { PermissionSetArn, PrincipalId, AccountId } from '../../../src';
import { createAwsIdentityCenter } from '../../../adapters/aws/identity-center';
import { createAwsSts } from '../../../adapters/aws/sts/sts';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { DEMO_IDENTITY_STORE_ID, DEMO_INSTANCE_ARN } from './emulator-harness';

describe('AWS_ENDPOINT_URL with no explicit endpoint', () => {
  let emulator: RunningAwsEmulator;
  const saved = { ...process.env };

  beforeAll(async () => {
    emulator = await startAwsEmulator({ seed: loadDemoSeed(), port: 0, faults: { provisioningDelayMs: 20 } });
    process.env.AWS_ENDPOINT_URL = emulator.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEMULATOR';
    process.env.AWS_SECRET_ACCESS_KEY = 'emulator-secret';
    delete process.env.AWS_PROFILE;
  });

  afterAll(async () => {
    process.env = saved;
    await emulator.stop();
  });

  it('sends the production adapter to the emulator and assigns through the SDK unchanged', async () => {
    const ic = createAwsIdentityCenter({
      region: 'us-east-1',
      instanceArn: DEMO_INSTANCE_ARN,
      identityStoreId: DEMO_IDENTITY_STORE_ID,
    });
    const rita = await ic.resolvePrincipal('rita@example.com');
    await ic.assign({
      principalId: rita.principalId as PrincipalId,
      accountId: '111111111111' as AccountId,
      permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-000000000000000a' as PermissionSetArn,
    });
    expect(emulator.state.assignments()).toHaveLength(1);
    expect(emulator.log.counts()).toEqual(
      expect.objectContaining({
        'identitystore:GetUserId': 1,
        'sso-admin:CreateAccountAssignment': 1,
        'organizations:ListRoots': 1,
      }),
    );
  });

  it('sends STS to the emulator too', async () => {
    const identity = await createAwsSts('us-east-1').callerIdentity();
    expect(identity.account).toBe('100000000001');
  });
});
