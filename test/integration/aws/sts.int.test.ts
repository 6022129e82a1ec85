import { isKeylessError, ErrorCodes } from '../../../src';
import { AwsSts } from '../../../adapters/aws/sts/sts';
import { startEmulatedIdentityCenter, type EmulatedIdentityCenter } from './emulator-harness';

describe('STS on the local AWS emulator', () => {
  let env: EmulatedIdentityCenter;
  beforeEach(async () => {
    env = await startEmulatedIdentityCenter();
  });
  afterEach(async () => {
    await env.stop();
  });

  it('tells who keyless runs as', async () => {
    const identity = await new AwsSts(env.sts).callerIdentity();
    expect(identity).toEqual({
      account: '100000000001',
      arn: 'arn:aws:sts::100000000001:assumed-role/keyless/keyless-bot',
      userId: 'AROADEMOKEYLESS00001:keyless-bot',
    });
  });

  it('turns a GetCallerIdentity failure into a clear boot error', async () => {
    env.emulator.faults.deny('GetCallerIdentity');
    const error = await new AwsSts(env.sts).callerIdentity().catch((e: unknown) => e);
    expect(isKeylessError(error, ErrorCodes.ConfigInvalid)).toBe(true);
    expect((error as Error).message).toContain('sts:GetCallerIdentity failed: AccessDenied');
  });

  it('assumes a role in a member account and returns credentials for SDK clients', async () => {
    const credentials = await new AwsSts(env.sts).assumeRole(
      '111111111111',
      'keyless-scanner',
      'ext-123',
      'keyless-scan',
    );
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.sessionToken.length).toBeGreaterThan(10);
    expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now());
  });

  it('says AWS_ACCESS_DENIED when the role cannot be assumed', async () => {
    const error = await new AwsSts(env.sts)
      .assumeRole('999999999999', 'keyless-scanner', 'ext-123', 'keyless-scan')
      .catch((e: unknown) => e);
    expect(isKeylessError(error, ErrorCodes.AwsAccessDenied)).toBe(true);
  });
});
