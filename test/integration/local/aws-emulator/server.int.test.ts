import {
  loadDemoSeed,
  startAwsEmulator,
  AwsEmulatorAdminClient,
  type RunningAwsEmulator,
} from '../../../../adapters/local/aws-emulator';

describe('the local AWS emulator server', () => {
  let emulator: RunningAwsEmulator;
  beforeEach(async () => {
    emulator = await startAwsEmulator({ seed: loadDemoSeed(), port: 0 });
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('rejects an unknown JSON operation the way AWS does', async () => {
    const res = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'SWBExternalService.CreatePermissionSet',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(expect.objectContaining({ __type: 'UnknownOperationException' }));
    expect(emulator.log.count('CreatePermissionSet', 'UnknownOperationException')).toBe(1);
  });

  it('rejects an unknown Query action with InvalidAction in an XML ErrorResponse', async () => {
    const res = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: 'Action=GetFederationToken&Version=2011-06-15',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).toContain('<Type>Sender</Type>');
  });

  it('configures faults, shows state and resets through the admin API', async () => {
    const admin = new AwsEmulatorAdminClient(emulator.url);
    const faults = await admin.faults({ provisioningDelayMs: 500, conflictNext: { count: 2 }, deny: ['GetUserId'] });
    expect(faults).toEqual(
      expect.objectContaining({
        provisioningDelayMs: 500,
        conflictNext: { CreateAccountAssignment: 2 },
        accessDenied: ['GetUserId'],
      }),
    );
    expect((await admin.state()).assignments).toEqual([]);
    await admin.reset();
    expect(emulator.faults.snapshot().accessDenied).toEqual([]);
    expect((await admin.health()).ok).toBe(true);
  });
});
