/**
 * The emulator's CloudTrail event history: every call made with a session it issued is recorded as
 * a management event (Region, role, session name, error code), and LookupEvents answers as AWS does,
 * limits and errors included; keyless's CloudTrail adapter reads it through the audit role, page by
 * page, within CloudTrail's rate.
 */
import {
  CloudTrailClient,
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsActivityTrail } from '../../../../adapters/aws/cloudtrail';
import { AwsSts } from '../../../../adapters/aws/sts/sts';
import {
  loadDemoSeed,
  startAwsEmulator,
  trailHistoryOf,
  type RunningAwsEmulator,
} from '../../../../adapters/local/aws-emulator';

const PROD = '111111111111';
const EXTERNAL_ID = 'keyless-playground';
const READONLY_ROLE = 'AWSReservedSSO_ReadOnlyAccess_0123456789abcdef';
const ADMIN_ROLE = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('the emulator’s CloudTrail event history', () => {
  let emulator: RunningAwsEmulator;
  const destroy: { destroy(): void }[] = [];
  const base = () => ({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const track = <T extends { destroy(): void }>(c: T): T => (destroy.push(c), c);

  /** A role session in PROD named like an Identity Center user's (session name = user name). */
  async function session(roleName: string, sessionName: string) {
    const sts = track(new STSClient(base()));
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${PROD}:role/${roleName}`,
        RoleSessionName: sessionName,
        ExternalId: EXTERNAL_ID,
      }),
    );
    const c = out.Credentials!;
    return track(
      new IAMClient({
        ...base(),
        credentials: {
          accessKeyId: c.AccessKeyId!,
          secretAccessKey: c.SecretAccessKey!,
          sessionToken: c.SessionToken!,
        },
      }),
    );
  }

  beforeAll(async () => {
    emulator = await startAwsEmulator({ seed: loadDemoSeed(), port: 0 });
  });
  afterAll(async () => {
    for (const c of destroy) c.destroy();
    await emulator.stop();
  });

  it('records the calls of sessions and answers LookupEvents newest first, with AWS’s limits and errors', async () => {
    const iam = await session(READONLY_ROLE, 'rita');
    await iam.send(new ListAccessKeysCommand({ UserName: 'dana' }));
    await expect(
      iam.send(new DeleteAccessKeyCommand({ UserName: 'dana', AccessKeyId: 'AKIANOSUCHKEY0000000' })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    const events = trailHistoryOf(emulator.state.world).events.filter((e) => e.username === 'rita');
    expect(events.map((e) => [e.eventName, e.region, e.readOnly, e.errorCode, e.roleName])).toEqual([
      ['ListAccessKeys', 'us-east-1', true, undefined, READONLY_ROLE],
      ['DeleteAccessKey', 'us-east-1', false, 'NoSuchEntity', READONLY_ROLE],
    ]);

    // Read in the member account through a session there (the audit role).
    const audit = await session('keyless-scanner', 'keyless-activity');
    const creds = await audit.config.credentials();
    const trail = track(new CloudTrailClient({ ...base(), credentials: creds }));
    const byRita = [{ AttributeKey: 'Username' as const, AttributeValue: 'rita' }];
    const answer = await trail.send(new LookupEventsCommand({ LookupAttributes: byRita }));
    expect(answer.Events!.map((e) => e.EventName)).toEqual(['DeleteAccessKey', 'ListAccessKeys']);
    const record = JSON.parse(answer.Events![0]!.CloudTrailEvent!) as Record<string, unknown>;
    expect(record).toMatchObject({
      errorCode: 'NoSuchEntity',
      awsRegion: 'us-east-1',
      userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: { userName: READONLY_ROLE } } },
    });
    // Another Region has none of them (IAM records in us-east-1).
    await sleep(600);
    const other = track(new CloudTrailClient({ ...base(), region: 'eu-west-1', credentials: creds }));
    expect((await other.send(new LookupEventsCommand({ LookupAttributes: byRita }))).Events).toEqual([]);

    await sleep(1100);
    await expect(trail.send(new LookupEventsCommand({ MaxResults: 51 }))).rejects.toBeInstanceOf(
      InvalidMaxResultsException,
    );
    await sleep(600);
    await expect(
      trail.send(
        new LookupEventsCommand({
          LookupAttributes: [...byRita, { AttributeKey: 'EventName', AttributeValue: 'ListAccessKeys' }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidLookupAttributesException);
    await sleep(600);
    await expect(
      trail.send(new LookupEventsCommand({ StartTime: new Date(2_000_000), EndTime: new Date(1_000_000) })),
    ).rejects.toBeInstanceOf(InvalidTimeRangeException);
    await sleep(600);
    await expect(trail.send(new LookupEventsCommand({ NextToken: 'bm90LWEtdG9rZW4' }))).rejects.toBeInstanceOf(
      InvalidNextTokenException,
    );
    // More than 2 lookups in a second in one account and Region: throttled.
    await sleep(1100);
    const burst = await Promise.allSettled([1, 2, 3].map(() => trail.send(new LookupEventsCommand({}))));
    expect(burst.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual([
      'ThrottlingException',
    ]);
  });

  it('reads every page through the adapter, keeps only the grant’s role, stops at its limit and says so, and hides what is not delivered yet', async () => {
    const readonly = await session(READONLY_ROLE, 'olga');
    const admin = await session(ADMIN_ROLE, 'olga');
    for (let i = 0; i < 60; i++) await readonly.send(new ListAccessKeysCommand({ UserName: 'dana' }));
    const made = await readonly.send(new CreateAccessKeyCommand({ UserName: 'dana' }));
    await readonly.send(new DeleteAccessKeyCommand({ UserName: 'dana', AccessKeyId: made.AccessKey!.AccessKeyId! }));
    await admin.send(new ListAccessKeysCommand({ UserName: 'dana' }));

    const stsClient = track(new STSClient(base()));
    const adapter = new AwsActivityTrail(new AwsSts(stsClient), {
      auditRoleName: 'keyless-scanner',
      externalId: EXTERNAL_ID,
      regions: ['us-east-1', 'eu-west-1'],
      client: { endpoint: emulator.url, maxAttempts: 1 },
    });
    const query = {
      accountId: PROD,
      username: 'olga',
      roleNamePrefix: 'AWSReservedSSO_ReadOnlyAccess_',
      from: Date.now() - 60_000,
      to: Date.now() + 60_000,
    };
    await sleep(1100);
    const all = await adapter.lookup({ ...query, maxEvents: 5000 });
    expect(all.unavailable).toEqual([]);
    expect(all.truncated).toBe(false);
    expect(all.events).toHaveLength(62);
    expect(
      all.events
        .filter((e) => e.readOnly === false)
        .map((e) => e.eventName)
        .sort(),
    ).toEqual(['CreateAccessKey', 'DeleteAccessKey']);

    const cut = await adapter.lookup({ ...query, maxEvents: 50 });
    expect(cut.truncated).toBe(true);
    expect(cut.events.length).toBeLessThanOrEqual(50);
    expect(cut.unavailable).toEqual([{ region: 'eu-west-1', message: 'not read: the lookup stopped after 50 events' }]);

    trailHistoryOf(emulator.state.world).deliveryDelayMs = 10 * 60_000;
    await readonly.send(new ListAccessKeysCommand({ UserName: 'legacy-backup' }));
    const early = await adapter.lookup({ ...query, maxEvents: 5000 });
    expect(early.events).toHaveLength(62);
    adapter.destroy();
  });
});
