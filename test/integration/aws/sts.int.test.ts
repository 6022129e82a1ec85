import { isKeylessError, ErrorCodes } from '../../../src';
import { AwsSts } from '../../../adapters/aws/sts/sts';
import { LOCAL_MEMBER_ROLE_EXTERNAL_ID } from '../../../adapters/main/config';
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
      LOCAL_MEMBER_ROLE_EXTERNAL_ID,
      'keyless-scan',
    );
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.sessionToken.length).toBeGreaterThan(10);
    expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now());
  });

  it('says AWS_ACCESS_DENIED when the role cannot be assumed', async () => {
    const error = await new AwsSts(env.sts)
      .assumeRole('999999999999', 'keyless-scanner', LOCAL_MEMBER_ROLE_EXTERNAL_ID, 'keyless-scan')
      .catch((e: unknown) => e);
    expect(isKeylessError(error, ErrorCodes.AwsAccessDenied)).toBe(true);
  });

  it('is refused, as AWS refuses it, when the ExternalId the member roles require is wrong', async () => {
    // The demo organization's roles require the playground's ExternalId (member-roles.yml's condition).
    expect(env.emulator.state.world.memberRoleExternalId).toBe(LOCAL_MEMBER_ROLE_EXTERNAL_ID);
    const error = await new AwsSts(env.sts)
      .assumeRole('111111111111', 'keyless-scanner', 'not-the-external-id', 'keyless-scan')
      .catch((e: unknown) => e);
    expect(isKeylessError(error, ErrorCodes.AwsAccessDenied)).toBe(true);
    expect((error as Error).message).toContain('arn:aws:iam::111111111111:role/keyless-scanner');
  });

  it('never calls AssumeRole without an ExternalId', async () => {
    const before = env.emulator.log.entries().filter((e) => e.operation === 'AssumeRole').length;
    const error = await new AwsSts(env.sts)
      .assumeRole('111111111111', 'keyless-scanner', '', 'keyless-scan')
      .catch((e: unknown) => e);
    expect(isKeylessError(error, ErrorCodes.ConfigInvalid)).toBe(true);
    expect(env.emulator.log.entries().filter((e) => e.operation === 'AssumeRole')).toHaveLength(before);
  });

  it('the emulator answers AccessDenied to an AssumeRole without the required ExternalId', async () => {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const error = await env.sts
      .send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::111111111111:role/keyless-scanner',
          RoleSessionName: 'no-external-id',
        }),
      )
      .catch((e: unknown) => e);
    expect((error as { name: string }).name).toBe('AccessDenied');
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
  });
});
