/**
 * Each AWS client in its own service's region: where keyless runs (AWS_REGION) for DynamoDB, SQS,
 * SSM, S3 and STS; where the Identity Center instance is for sso-admin and identitystore; the
 * partition's one endpoint region for Organizations.
 */
import { createAwsClients } from '../../../../adapters/main/compose';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

async function regions(identityCenterRegion: string): Promise<Record<string, string>> {
  const clients = createAwsClients(identityCenterRegion);
  const out: Record<string, string> = {};
  for (const [name, client] of Object.entries(clients)) {
    out[name] = await client.config.region();
    client.destroy();
  }
  return out;
}

describe('AWS regions', () => {
  it('puts the data services where keyless runs and Identity Center where its instance is', async () => {
    process.env.AWS_REGION = 'eu-central-1';
    expect(await regions('eu-west-1')).toEqual({
      dynamo: 'eu-central-1',
      dynamoUrgent: 'eu-central-1',
      sqs: 'eu-central-1',
      ssm: 'eu-central-1',
      s3: 'eu-central-1',
      sts: 'eu-central-1',
      ssoAdmin: 'eu-west-1',
      identityStore: 'eu-west-1',
      organizations: 'us-east-1',
    });
  });

  it('calls Organizations at its partition’s endpoint region', async () => {
    process.env.AWS_REGION = 'cn-north-1';
    expect((await regions('cn-north-1')).organizations).toBe('cn-northwest-1');
    process.env.AWS_REGION = 'us-gov-east-1';
    expect((await regions('us-gov-east-1')).organizations).toBe('us-gov-west-1');
  });

  it('follows AWS_REGION, not the Identity Center region, for the table and the queue', async () => {
    process.env.AWS_REGION = 'ap-southeast-2';
    const r = await regions('us-east-1');
    expect([r.dynamo, r.sqs]).toEqual(['ap-southeast-2', 'ap-southeast-2']);
  });
});
