/**
 * The security feed's permissions are exactly what its code calls:
 * - the audit role (keyless-scanner) and the remediation role (keyless-key-remediation) in
 *   manifest/aws/member-roles.yml, against the IAM calls each role made in the emulator;
 * - keyless's own role (manifest/aws/iam-policy.json): its queue statement and AssumeRole on the
 *   two roles, against the SQS and STS calls of the consumer and the scanner.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { parse } from 'yaml';
import { STSClient } from '@aws-sdk/client-sts';
import { SqsRootActivityConsumer } from '../../../adapters/alerts/root-activity';
import { AwsActivityTrail } from '../../../adapters/aws/cloudtrail';
import { AwsSts } from '../../../adapters/aws/sts/sts';
import { trailHistoryOf } from '../../../adapters/local/aws-emulator';
import { clientConfig } from './emulator-harness';
import { startSecurityFeedEnv, type SecurityFeedEnv } from '../alerts/security-feed-harness';

const MANIFEST = join(__dirname, '../../../manifest/aws');
const PROD = '111111111111';

interface Statement {
  Action: string[];
  Resource: unknown;
}

function rolePolicy(logicalId: string): { roleName: string; actions: Set<string> } {
  const template = parse(readFileSync(join(MANIFEST, 'member-roles.yml'), 'utf8')) as {
    Resources: Record<
      string,
      { Properties: { RoleName: string; Policies: { PolicyDocument: { Statement: Statement[] } }[] } }
    >;
  };
  const role = template.Resources[logicalId]!.Properties;
  return {
    roleName: role.RoleName,
    actions: new Set(role.Policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => s.Action))),
  };
}

/** The IAM action of an SQS API operation (DeleteMessageBatch is authorized as sqs:DeleteMessage). */
const SQS_ACTION: Record<string, string> = { DeleteMessageBatch: 'DeleteMessage' };
const sorted = (s: Iterable<string>) => [...s].sort();

describe('the security feed least-privilege policies', () => {
  let env: SecurityFeedEnv;
  beforeAll(async () => {
    env = await startSecurityFeedEnv(
      {
        accounts: [
          {
            accountId: PROD,
            users: [
              { name: 'bob', tags: { team: 'data' }, keys: [{ id: 'AKIABOB0000000000001', createdDaysAgo: 120 }] },
            ],
          },
        ],
      },
      { auditRoleName: 'keyless-scanner', remediationRoleName: 'keyless-key-remediation' },
    );
  });
  afterAll(() => env.stop());

  it('gives each member-account role exactly the IAM actions it calls', async () => {
    await env.scanner.readAccount(PROD);
    await env.scanner.listAccessKeys(PROD, 'bob');
    await env.scanner.keyLastUsed(PROD, 'AKIABOB0000000000001');
    await env.scanner.listUserTags(PROD, 'bob');
    await env.scanner.setAccessKeyStatus(PROD, 'bob', 'AKIABOB0000000000001', 'Inactive');
    await env.scanner.deleteAccessKey(PROD, 'bob', 'AKIABOB0000000000001');
    // What an ended grant did: CloudTrail's event history through the audit role.
    const sts = new STSClient(clientConfig(env.emulator.url));
    const trail = new AwsActivityTrail(new AwsSts(sts), {
      auditRoleName: 'keyless-scanner',
      externalId: 'keyless-ext-1',
      regions: ['us-east-1'],
      client: { endpoint: env.emulator.url, maxAttempts: 1 },
    });
    const lookup = await trail.lookup({
      accountId: PROD,
      username: 'rita',
      roleNamePrefix: 'AWSReservedSSO_ReadOnlyAccess_',
      from: Date.now() - 3600_000,
      to: Date.now(),
      maxEvents: 50,
    });
    trail.destroy();
    sts.destroy();
    expect(lookup.unavailable).toEqual([]);
    const calls = env.emulator.state.security.iam.calls;
    // Every call a member role makes is in the emulator's CloudTrail (IAM's own log holds only IAM).
    const trailCalls = trailHistoryOf(env.emulator.state.world).events.filter((e) => e.accountId === PROD);
    for (const logicalId of ['KeylessScannerRole', 'KeylessKeyRemediationRole']) {
      const { roleName, actions } = rolePolicy(logicalId);
      const used = new Set([
        ...calls.filter((c) => c.roleName === roleName).map((c) => `iam:${c.operation}`),
        ...trailCalls
          .filter((e) => e.roleName === roleName)
          .map((e) => `${e.eventSource.replace('.amazonaws.com', '')}:${e.eventName}`),
      ]);
      expect({ role: roleName, actions: sorted(actions) }).toEqual({ role: roleName, actions: sorted(used) });
    }
  });

  it('lets the remediation role change a key status and delete a key, and nothing else: no create, no read', () => {
    expect(sorted(rolePolicy('KeylessKeyRemediationRole').actions)).toEqual([
      'iam:DeleteAccessKey',
      'iam:UpdateAccessKey',
    ]);
  });

  it("gives keyless's own role exactly the queue and AssumeRole actions its consumer and scanner call", async () => {
    env.emulator.log.clear();
    const consumer = new SqsRootActivityConsumer(
      env.sqs,
      async () => {
        throw new Error('fails once, to exercise ChangeMessageVisibility');
      },
      { queueUrl: env.queueUrl, pollers: 1, waitTimeSeconds: 1, retryBaseSeconds: 60 },
    );
    await env.sqs.send(new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: '{}' }));
    consumer.start();
    while (consumer.stats.failed === 0) await new Promise((r) => setTimeout(r, 10));
    const ok = new SqsRootActivityConsumer(env.sqs, async () => ({ outcome: 'heartbeat', eventId: 'x' }), {
      queueUrl: env.queueUrl,
      pollers: 1,
      waitTimeSeconds: 1,
    });
    await consumer.stop();
    // The stopped consumer's long poll (1 s) is still open on the server side: let it end empty.
    await new Promise((r) => setTimeout(r, 1100));
    await env.sqs.send(new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: '{}' }));
    ok.start();
    while (ok.stats.deleted === 0) await new Promise((r) => setTimeout(r, 10));
    await ok.stop();
    env.scanner.stop(); // forget the role sessions: the next call assumes the audit role again
    await env.scanner.readAccount(PROD);
    const sqsCalls = env.emulator.log
      .entries({ service: 'sqs' })
      .filter((e) => e.operation !== 'SendMessage') // the test's own call
      .map((e) => `sqs:${SQS_ACTION[e.operation] ?? e.operation}`);
    const policy = JSON.parse(readFileSync(join(MANIFEST, 'iam-policy.json'), 'utf8')) as {
      Statement: Statement[];
    };
    // The queue and the member-account roles; the rest of the policy is least-privilege.int.test.ts's.
    const allowed = new Set(
      policy.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith('sqs:') || a === 'sts:AssumeRole'),
    );
    const stsCalls = env.emulator.log.entries({ service: 'sts' }).map((e) => `sts:${e.operation}`);
    expect(sorted(new Set([...sqsCalls, ...stsCalls]))).toEqual(sorted(allowed));
    const roles = policy.Statement.find((s) => s.Action.includes('sts:AssumeRole'))!.Resource as string[];
    expect(roles.map((r) => r.split('/').pop()).sort()).toEqual(['keyless-key-remediation', 'keyless-scanner']);
  });
});
