/**
 * The root-activity queue: EventBridge forwards every enabled region's root events to one bus, a
 * rule sends them to an SQS queue, and keyless long-polls it. A message is deleted once handled
 * (a malformed one too: it is logged and counted, and retrying cannot fix it). A message whose
 * handling failed is left in the queue, made visible again after a backoff, and after the queue's
 * maxReceiveCount SQS moves it to the dead-letter queue (the redrive policy, not keyless).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { silentLogger, type IngestOutcome, type Logger } from '../../../src';
import { sleep } from '../../shared/pace';

export interface SqsConsumerOptions {
  queueUrl: string;
  /** Concurrent long polls (each returns up to 10 messages). Default 2. */
  pollers: number;
  /** Long-poll wait (0–20 s). Default 20. */
  waitTimeSeconds: number;
  /** How long a received message stays hidden while it is handled. Default 60 s. */
  visibilityTimeoutSeconds: number;
  /** Retry delay of a failed message: base × 2^(receives−1), capped. */
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  logger?: Logger;
}

export const defaultSqsConsumerOptions: Omit<SqsConsumerOptions, 'queueUrl'> = {
  pollers: 2,
  waitTimeSeconds: 20,
  visibilityTimeoutSeconds: 60,
  retryBaseSeconds: 5,
  retryMaxSeconds: 300,
};

export interface ConsumerStats {
  received: number;
  handled: number;
  malformed: number;
  failed: number;
  deleted: number;
  receiveErrors: number;
}

export type EventHandler = (body: string) => Promise<IngestOutcome>;

export class SqsRootActivityConsumer {
  readonly stats: ConsumerStats = { received: 0, handled: 0, malformed: 0, failed: 0, deleted: 0, receiveErrors: 0 };
  private readonly options: SqsConsumerOptions;
  private readonly logger: Logger;
  private running = false;
  private loops: Promise<void>[] = [];
  private abort = new AbortController();

  constructor(
    private readonly client: SQSClient,
    private readonly handle: EventHandler,
    options: Partial<SqsConsumerOptions> & Pick<SqsConsumerOptions, 'queueUrl'>,
  ) {
    this.options = { ...defaultSqsConsumerOptions, ...options };
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loops = Array.from({ length: this.options.pollers }, (_, i) => this.loop(i));
    this.logger.info({ queue: this.options.queueUrl, pollers: this.options.pollers }, 'root activity consumer started');
  }

  /** Stops polling and waits for the messages in hand to be handled. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(index: number): Promise<void> {
    let errors = 0;
    while (this.running) {
      let messages: Message[];
      try {
        const out = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.options.waitTimeSeconds,
            VisibilityTimeout: this.options.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = out.Messages ?? [];
        errors = 0;
      } catch (error) {
        if (!this.running) break;
        this.stats.receiveErrors++;
        errors++;
        this.logger.warn({ err: error, poller: index }, 'could not receive from the root activity queue');
        await sleep(Math.min(30_000, 250 * 2 ** Math.min(errors, 7)));
        continue;
      }
      if (messages.length === 0) continue;
      this.stats.received += messages.length;
      await this.process(messages);
    }
  }

  /** Handles a batch concurrently; deletes what is done in one call; backs off what failed. */
  async process(messages: Message[]): Promise<void> {
    const done: Message[] = [];
    await Promise.all(
      messages.map(async (m) => {
        try {
          const result = await this.handle(m.Body ?? '');
          if (result.outcome === 'malformed') {
            this.stats.malformed++;
            this.logger.warn(
              { messageId: m.MessageId, problems: result.problems.slice(0, 3), code: 'MALFORMED_EVENT' },
              'malformed event deleted from the queue',
            );
          } else this.stats.handled++;
          done.push(m);
        } catch (error) {
          this.stats.failed++;
          const receives = Number(m.Attributes?.ApproximateReceiveCount ?? 1);
          const delay = Math.min(this.options.retryMaxSeconds, this.options.retryBaseSeconds * 2 ** (receives - 1));
          this.logger.error(
            { err: error, messageId: m.MessageId, receives },
            'event handling failed; it will be retried, then dead-lettered',
          );
          await this.client
            .send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: this.options.queueUrl,
                ReceiptHandle: m.ReceiptHandle,
                VisibilityTimeout: delay,
              }),
            )
            .catch((e: unknown) => this.logger.warn({ err: e }, 'could not delay a failed message'));
        }
      }),
    );
    if (done.length === 0) return;
    try {
      const out = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      this.stats.deleted += out.Successful?.length ?? 0;
      for (const f of out.Failed ?? [])
        this.logger.warn({ id: f.Id, code: f.Code }, 'could not delete a handled message');
    } catch (error) {
      // Not deleted: the message comes back and the event-id dedupe makes the redelivery a no-op.
      this.logger.warn({ err: error }, 'could not delete handled messages; their redelivery will be deduped');
    }
  }
}
