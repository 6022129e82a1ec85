/**
 * Root activity in a MEMBER account reaches the security channels through the whole production
 * composition (startKeyless): the local AWS emulator forwards the member account's root sign-in
 * to the organization's queue as org-wide forwarding does (the event's `account` is the member
 * account), keyless's SQS consumer takes it, and the alert is published to the security channels'
 * fan-out. An event from an account outside the organization is dropped on the same path.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { silentLogger } from '../../src';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../adapters/local/aws-emulator';
import { rootConsoleSignIn } from '../../adapters/local/aws-emulator/services/cloudtrail-events';
import { startKeyless, type Keyless } from '../../adapters/main/compose';
import { loadConfig } from '../../adapters/main/config';
import { RecordingAlertPublisher } from '../fakes/recording-alert-publisher';
import { uniqueTableName } from '../support/dynamodb-client';
import { startDynalite } from '../support/dynalite';

jest.setTimeout(60_000);

const MANAGEMENT = '100000000001';
const PAYMENTS = '333333333333'; // a member account, in a nested OU
const OUTSIDER = '999999999999';

async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const saved = { ...process.env };
let emulator: RunningAwsEmulator;
let dynamo: { endpoint: string; stop: () => Promise<void> };
let keyless: Keyless;
const channels = new RecordingAlertPublisher();

beforeAll(async () => {
  [emulator, dynamo] = await Promise.all([startAwsEmulator({ seed: loadDemoSeed(), port: 0 }), startDynalite()]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAMEMBERROOT000000',
    AWS_SECRET_ACCESS_KEY: 'member-root',
  });
  const config = loadConfig({
    KEYLESS_MODE: 'local',
    KEYLESS_PORT: '0',
    KEYLESS_TABLE: uniqueTableName(),
    KEYLESS_ROOT_EVENTS_QUEUE_URL: `${emulator.url}/${MANAGEMENT}/keyless-root-events`,
  });
  keyless = await startKeyless(config, {
    logger: silentLogger,
    createTable: true,
    scanAtStart: false,
    queueWaitSeconds: 1,
    alertPublishers: [channels],
  });
});
afterAll(async () => {
  await keyless?.stop();
  await Promise.all([emulator?.stop(), dynamo?.stop()]);
  process.env = saved;
});

async function admin(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${emulator.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('root activity in a member account', () => {
  it('reaches the security channels, named with the member account', async () => {
    const sent = await admin('/_emulator/organization/root-activity', { account: PAYMENTS, mfa: false });
    expect(sent.status).toBe(200);
    expect((sent.json as { event: { account: string } }).event.account).toBe(PAYMENTS);

    await until(() => channels.ofType('alert_raised').some((e) => e.alert.finding.account.id === PAYMENTS));
    const raised = channels.ofType('alert_raised').find((e) => e.alert.finding.account.id === PAYMENTS)!;
    expect(raised.alert.finding.account).toEqual({ id: PAYMENTS, name: 'payments' });
    expect(raised.alert.finding.severity).toBe('critical'); // a root console sign-in without MFA
  });

  it('is not forwarded by the emulator for an account outside the organization', async () => {
    const refused = await admin('/_emulator/organization/root-activity', { account: OUTSIDER });
    expect(refused.status).toBe(400);
  });

  it('drops an event of an account outside the organization that reaches the queue anyway', async () => {
    const sqs = new SQSClient({});
    const handledBefore = keyless.consumer!.stats.handled;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `${emulator.url}/${MANAGEMENT}/keyless-root-events`,
        MessageBody: JSON.stringify(rootConsoleSignIn({ account: OUTSIDER, mfa: false })),
      }),
    );
    // A member account's event after it: once that one is published, the outsider's was handled too.
    await admin('/_emulator/organization/root-activity', { account: '222222222222', mfa: false });
    await until(() => channels.ofType('alert_raised').some((e) => e.alert.finding.account.id === '222222222222'));
    await until(() => keyless.consumer!.stats.handled >= handledBefore + 2);
    sqs.destroy();
    expect(channels.ofType('alert_raised').filter((e) => e.alert.finding.account.id === OUTSIDER)).toEqual([]);
    expect(await keyless.alertStore.listLiveAlerts({ accountId: OUTSIDER })).toEqual([]);
  });
});
