import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { IngestOutcome } from '../../../src';
import { SqsRootActivityConsumer } from '../../../adapters/alerts/root-activity';
import { rootConsoleSignIn } from '../../../adapters/local/aws-emulator/services/cloudtrail-events';
import {
  FEED_DLQ,
  FEED_QUEUE,
  MAX_RECEIVES,
  startSecurityFeedEnv,
  type SecurityFeedEnv,
} from './security-feed-harness';

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the root activity queue consumer against the emulator SQS', () => {
  let env: SecurityFeedEnv;
  let consumer: SqsRootActivityConsumer | undefined;
  const handled: string[] = [];
  let handler: (body: string) => Promise<IngestOutcome>;

  beforeEach(async () => {
    env = await startSecurityFeedEnv({ accounts: [] });
    handled.length = 0;
    handler = async (body) => {
      handled.push(body);
      return body.startsWith('{')
        ? { outcome: 'recorded', eventId: 'x', results: [] }
        : { outcome: 'malformed', problems: ['not JSON'] };
    };
  });
  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await env.stop();
  });

  const start = () => {
    consumer = new SqsRootActivityConsumer(env.sqs, (b) => handler(b), {
      queueUrl: env.queueUrl,
      pollers: 2,
      waitTimeSeconds: 1,
      retryBaseSeconds: 0,
      retryMaxSeconds: 0,
    });
    consumer.start();
    return consumer;
  };
  const send = (body: string) => env.sqs.send(new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: body }));
  const queue = (name: string) => env.emulator.state.security.sqs.queue(name);

  it('hands each event to the engine and deletes it once handled', async () => {
    const c = start();
    const event = JSON.stringify(rootConsoleSignIn({ account: '111111111111' }));
    await send(event);
    await until(() => c.stats.deleted === 1);
    expect(handled).toEqual([event]);
    expect(queue(FEED_QUEUE).messages).toHaveLength(0);
  });

  it('counts a malformed event, deletes it, and keeps the queue flowing', async () => {
    const c = start();
    await send('not an event');
    await send('{"an":"event"}');
    await until(() => c.stats.deleted === 2);
    expect(c.stats).toMatchObject({ malformed: 1, handled: 1, failed: 0 });
  });

  it('leaves a failing event in the queue, and SQS moves it to the dead-letter queue after the redrive limit', async () => {
    handler = async (body) => {
      handled.push(body);
      throw new Error('table unavailable');
    };
    const c = start();
    await send('{"poison":true}');
    await until(() => queue(FEED_DLQ).messages.length === 1, 10_000);
    expect(c.stats.failed).toBe(MAX_RECEIVES);
    expect(handled).toHaveLength(MAX_RECEIVES);
    expect(queue(FEED_QUEUE).messages).toHaveLength(0);
    expect(queue(FEED_DLQ).messages[0]!.body).toBe('{"poison":true}');
  });

  it('receives with long polling, so an idle queue costs few calls', async () => {
    start();
    env.emulator.log.clear();
    await new Promise((r) => setTimeout(r, 1500));
    expect(env.emulator.log.count('ReceiveMessage')).toBeLessThanOrEqual(6);
  });

  it('speaks the SQS JSON protocol the current SDK uses', async () => {
    const out = await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.queueUrl, AttributeNames: ['All'] }));
    expect(out.Attributes?.RedrivePolicy).toContain(FEED_DLQ);
  });
});
