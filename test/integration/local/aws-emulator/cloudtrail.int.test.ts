/**
 * The emulator's CloudTrail answers DescribeTrails and GetTrailStatus as AWS does (JSON 1.1, both
 * spellings of the target prefix, regional trails and shadow trails, TrailNotFoundException), so
 * `keyless doctor` reads the organization trail through the SDK unchanged.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../../adapters/local/aws-emulator';

const MANAGEMENT = '100000000001';
const ARN = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/organization-trail`;

describe('the emulator’s CloudTrail', () => {
  let emulator: RunningAwsEmulator;
  const clients: CloudTrailClient[] = [];
  const client = (region = 'us-east-1') => {
    const c = new CloudTrailClient({
      endpoint: emulator.url,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    emulator = await startAwsEmulator({ seed: loadDemoSeed(), port: 0 });
  });
  afterEach(() => emulator.reset());
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await emulator.stop();
  });

  it('describes the demo organization’s trail: an organization trail, multi-Region, logging', async () => {
    const { trailList } = await client().send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    expect(trailList).toEqual([
      expect.objectContaining({
        Name: 'organization-trail',
        TrailARN: ARN,
        HomeRegion: 'us-east-1',
        IsOrganizationTrail: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
      }),
    ]);
    await expect(client().send(new GetTrailStatusCommand({ Name: 'organization-trail' }))).resolves.toMatchObject({
      IsLogging: true,
      StartLoggingTime: expect.any(Date),
    });
    emulator.state.world.trails[0]!.logging = false;
    await expect(client().send(new GetTrailStatusCommand({ Name: ARN }))).resolves.toMatchObject({
      IsLogging: false,
      StopLoggingTime: expect.any(Date),
    });
  });

  it('shows a multi-Region trail in other Regions as a shadow trail, whose status is asked by ARN only', async () => {
    const euWest = client('eu-west-1');
    await expect(euWest.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).resolves.toMatchObject({
      trailList: [expect.objectContaining({ TrailARN: ARN, HomeRegion: 'us-east-1' })],
    });
    await expect(euWest.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).resolves.toMatchObject({
      trailList: [],
    });
    await expect(euWest.send(new GetTrailStatusCommand({ Name: ARN }))).resolves.toMatchObject({ IsLogging: true });
    await expect(euWest.send(new GetTrailStatusCommand({ Name: 'organization-trail' }))).rejects.toBeInstanceOf(
      TrailNotFoundException,
    );

    emulator.state.world.trails[0]!.isMultiRegionTrail = false;
    await expect(euWest.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).resolves.toMatchObject({
      trailList: [],
    });
    await expect(euWest.send(new GetTrailStatusCommand({ Name: ARN }))).rejects.toBeInstanceOf(TrailNotFoundException);
  });

  it('answers TrailNotFoundException for an unknown name or ARN, naming the trail', async () => {
    for (const name of ['no-such-trail', `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/no-such-trail`]) {
      await expect(client().send(new GetTrailStatusCommand({ Name: name }))).rejects.toMatchObject({
        name: 'TrailNotFoundException',
        $metadata: { httpStatusCode: 400 },
        message: `Unknown trail: arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/no-such-trail for the user: ${MANAGEMENT}`,
      });
    }
  });

  it('describes only the named trails, by name or ARN', async () => {
    const named = (trailNameList: string[]) => client().send(new DescribeTrailsCommand({ trailNameList }));
    await expect(named(['organization-trail'])).resolves.toMatchObject({ trailList: [{ Name: 'organization-trail' }] });
    await expect(named([ARN])).resolves.toMatchObject({ trailList: [{ TrailARN: ARN }] });
    await expect(named(['other-trail'])).resolves.toEqual(expect.objectContaining({ trailList: [] }));
  });

  it('accepts the fully qualified target prefix other clients send', async () => {
    const res = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails',
      },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ trailList: [{ Name: 'organization-trail', IsOrganizationTrail: true }] });
    expect(emulator.log.count('DescribeTrails', 'ok')).toBe(1);
  });
});
