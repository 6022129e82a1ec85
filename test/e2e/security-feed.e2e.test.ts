/**
 * The security feed end to end, on real adapters: the AWS emulator's SQS and IAM (through STS role
 * sessions), the SQS consumer, the alert engine, the DynamoDB alert store on dynalite. Chat is a
 * recording AlertPublisher standing for the Slack and Teams publishers (one message per security
 * channel): what is asserted here is what would be posted, not yet chat HTTP (see the report).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAlertEngine, silentLogger, type AlertEngine } from '../../src';
import { SqsRootActivityConsumer } from '../../adapters/alerts/root-activity';
import { DynamoAlertStore, ensureTable } from '../../adapters/dynamodb';
import { rootConsoleSignIn } from '../../adapters/local/aws-emulator/services/cloudtrail-events';
import { demoPolicy } from '../builders/policy';
import { users } from '../builders/test-engine';
import { FakeIdentityCenter } from '../fakes/fake-identity-center';
import { RecordingAlertPublisher } from '../fakes/recording-alert-publisher';
import { demoSeed } from '../fakes/seed';
import { startSecurityFeedEnv, type SecurityFeedEnv } from '../integration/alerts/security-feed-harness';
import { localDynamoClient, uniqueTableName } from '../support/dynamodb-client';
import { startDynalite } from '../support/dynalite';

const PROD = { id: '111111111111', name: 'prod' };

async function until(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the security feed, end to end', () => {
  let env: SecurityFeedEnv;
  let dynamo: { endpoint: string; stop: () => Promise<void> };
  let client: DynamoDBClient;
  let engine: AlertEngine;
  let publisher: RecordingAlertPublisher;
  let consumer: SqsRootActivityConsumer;

  beforeAll(async () => {
    dynamo = await startDynalite();
    client = localDynamoClient(dynamo.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await dynamo.stop();
  });

  beforeEach(async () => {
    env = await startSecurityFeedEnv({
      accounts: [
        {
          accountId: PROD.id,
          users: [
            { name: 'deploy-bot', keys: [{ id: 'AKIASTALE00000000001', createdDaysAgo: 200, lastUsedDaysAgo: 100 }] },
            { name: 'alice', keys: [{ id: 'AKIAFRESH00000000001', createdDaysAgo: 10, lastUsedDaysAgo: 1 }] },
          ],
        },
      ],
    });
    const tableName = uniqueTableName();
    await ensureTable(client, tableName);
    publisher = new RecordingAlertPublisher();
    engine = createAlertEngine({
      store: new DynamoAlertStore({ client, tableName }),
      publisher,
      clock: { now: Date.now, setTimer: () => ({ cancel: () => undefined }) },
      logger: silentLogger,
      policy: () => demoPolicy(),
      directory: new FakeIdentityCenter(demoSeed()),
      accounts: async () => [PROD],
      scanner: env.scanner,
      remediator: env.scanner,
    });
    consumer = new SqsRootActivityConsumer(env.sqs, (body) => engine.ingestEvent(body), {
      queueUrl: env.queueUrl,
      pollers: 2,
      waitTimeSeconds: 1,
    });
    consumer.start();
  });
  afterEach(async () => {
    await consumer.stop();
    await env.stop();
  });

  const send = async (body: unknown) => {
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queueUrl,
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
    return Date.now();
  };

  it('turns a root console sign-in into one alert on Slack and Teams within a second of receipt', async () => {
    const sent = await send(rootConsoleSignIn({ account: PROD.id, mfa: false }));
    await until(() => publisher.events.length > 0);
    const [posted] = publisher.events;
    expect(posted!.event.type).toBe('alert_raised');
    expect(posted!.at - sent).toBeLessThan(1000);
    // The message references are recorded right after the post.
    const key = `root:${PROD.id}:root_console_login`;
    await until(async () => ((await engine.getAlert(key))?.messages.length ?? 0) >= 2);
    const alert = await engine.getAlert(key);
    expect(alert!.messages.map((m) => m.platform)).toEqual(['slack', 'teams']);
  });

  it('posts an event delivered twice only once', async () => {
    const event = rootConsoleSignIn({ account: PROD.id, eventId: 'e2e-dup' });
    await send(event);
    await send(event);
    await until(() => consumer.stats.deleted === 2);
    expect(publisher.ofType('alert_raised')).toHaveLength(1);
    expect(publisher.events).toHaveLength(1);
  });

  it('counts a malformed event, does not crash, and keeps the queue flowing', async () => {
    await send('{"detail-type": "AWS Console Sign In via CloudTrail"}');
    await send(rootConsoleSignIn({ account: PROD.id }));
    await until(() => consumer.stats.deleted === 2);
    expect(engine.stats.malformed).toBe(1);
    expect(consumer.stats.malformed).toBe(1);
    expect(publisher.ofType('alert_raised')).toHaveLength(1);
    expect(env.emulator.state.security.sqs.queue('keyless-root-activity').messages).toHaveLength(0);
  });

  it('lists a stale key in the digest, deactivates it after approval, and updates the digest', async () => {
    await engine.scanAll();
    await engine.postDigest();
    const [digest] = publisher.ofType('digest_posted');
    const entry = digest!.alerts.find(
      (a) => a.finding.accessKeyId === 'AKIASTALE00000000001' && a.finding.kind === 'stale_access_key',
    )!;
    expect(entry).toBeDefined();
    await engine.requestDeactivation({ dedupeKey: entry.dedupeKey, actor: users.rita });
    expect(env.emulator.state.security.iam.findKey(PROD.id, 'AKIASTALE00000000001')!.status).toBe('Active');
    await engine.approveDeactivation({ dedupeKey: entry.dedupeKey, actor: users.sam });
    expect(env.emulator.state.security.iam.findKey(PROD.id, 'AKIASTALE00000000001')!.status).toBe('Inactive');
    const updates = publisher.ofType('digest_updated');
    expect(updates.map((u) => u.change)).toEqual(['deactivation_requested', 'deactivated']);
    expect(updates.at(-1)!.alerts.find((a) => a.dedupeKey === entry.dedupeKey)!.remediation!.status).toBe('done');
    expect(env.emulator.state.security.iam.calls.filter((c) => c.operation === 'UpdateAccessKey')).toEqual([
      expect.objectContaining({ roleName: 'keyless-remediation', accountId: PROD.id }),
    ]);
  });

  it('resolves a finding on the next scan once the key is used', async () => {
    await engine.scanAll();
    const key = `key:${PROD.id}:AKIASTALE00000000001:unused_access_key`;
    expect((await engine.getAlert(key))!.status).toBe('open');
    env.emulator.state.security.iam.useKey(PROD.id, 'AKIASTALE00000000001');
    const report = await engine.scanAll();
    expect(report.resolved).toBe(1);
    expect((await engine.getAlert(key))!.status).toBe('resolved');
  });
});
