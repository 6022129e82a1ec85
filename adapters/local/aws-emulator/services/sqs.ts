/**
 * SQS (JSON 1.0, `X-Amz-Target: AmazonSQS.<Op>`, as SDK v3 speaks it now): the operations keyless and
 * its tests use. Long polling (WaitTimeSeconds), visibility timeouts, ApproximateReceiveCount and a
 * redrive policy that moves a message to its dead-letter queue once it was received maxReceiveCount
 * times, as SQS does. Queue URLs point at the emulator itself (the SDK sends to the QueueUrl's host).
 * Shapes: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsError, requireString, type JsonInput, type JsonService, type ServiceContext } from '../protocol';

export interface EmuMessage {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
  receipt?: string;
}

export interface EmuQueue {
  name: string;
  accountId: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  messages: EmuMessage[];
  deleted: number;
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

export class SqsState {
  readonly queues = new Map<string, EmuQueue>();
  private waiters = new Set<() => void>();
  /** Set when the emulator stops: long polls answer at once. */
  closed = false;

  constructor(
    private readonly region: string,
    private readonly defaultAccount: string,
    private readonly now: () => number = Date.now,
  ) {}

  createQueue(name: string, attributes: Record<string, string> = {}, accountId = this.defaultAccount): EmuQueue {
    const existing = this.queues.get(name);
    if (existing) return existing;
    const queue: EmuQueue = {
      name,
      accountId,
      arn: `arn:aws:sqs:${this.region}:${accountId}:${name}`,
      visibilityTimeoutSeconds: Number(attributes['VisibilityTimeout'] ?? 30),
      messages: [],
      deleted: 0,
    };
    this.setAttributes(queue, attributes);
    this.queues.set(name, queue);
    return queue;
  }

  setAttributes(queue: EmuQueue, attributes: Record<string, string>): void {
    if (attributes['VisibilityTimeout'] !== undefined)
      queue.visibilityTimeoutSeconds = Number(attributes['VisibilityTimeout']);
    if (attributes['RedrivePolicy']) {
      const p = JSON.parse(attributes['RedrivePolicy']) as {
        deadLetterTargetArn: string;
        maxReceiveCount: number | string;
      };
      queue.redrive = { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) };
    }
  }

  queue(name: string): EmuQueue {
    const q = this.queues.get(name);
    if (!q) throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.', 400);
    return q;
  }

  byArn(arn: string): EmuQueue | undefined {
    for (const q of this.queues.values()) if (q.arn === arn) return q;
    return undefined;
  }

  send(name: string, body: string): EmuMessage {
    const q = this.queue(name);
    const m: EmuMessage = { id: randomUUID(), body, md5: md5(body), sentAt: this.now(), receiveCount: 0, visibleAt: 0 };
    q.messages.push(m);
    this.wake();
    return m;
  }

  /** Messages now visible, at most `max`; redrive moves the over-received ones to their DLQ. */
  take(name: string, max: number, visibilityTimeoutSeconds?: number): EmuMessage[] {
    const q = this.queue(name);
    const now = this.now();
    const out: EmuMessage[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
        const dlq = this.byArn(q.redrive.deadLetterTargetArn);
        q.messages.splice(q.messages.indexOf(m), 1);
        if (dlq) {
          const { receipt: _receipt, ...moved } = m;
          dlq.messages.push({ ...moved, receiveCount: 0, visibleAt: 0 });
        }
        continue;
      }
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      m.receipt = `${q.name}#${m.id}#${randomUUID()}`;
      m.visibleAt = now + (visibilityTimeoutSeconds ?? q.visibilityTimeoutSeconds) * 1000;
      out.push(m);
    }
    return out;
  }

  delete(name: string, receipt: string): void {
    const q = this.queue(name);
    const i = q.messages.findIndex((m) => m.receipt === receipt);
    if (i >= 0) {
      q.messages.splice(i, 1);
      q.deleted++;
    }
    // Deleting with an old receipt handle of a deleted message is not an error in SQS.
  }

  changeVisibility(name: string, receipt: string, seconds: number): void {
    const q = this.queue(name);
    const m = q.messages.find((x) => x.receipt === receipt);
    if (!m) throw new AwsError('ReceiptHandleIsInvalid', 'The receipt handle is not valid.', 400);
    m.visibleAt = this.now() + seconds * 1000;
    if (seconds === 0) this.wake();
  }

  /** The earliest time a hidden message becomes visible again, if any. */
  nextVisibleAt(name: string): number | undefined {
    const times = this.queue(name)
      .messages.map((m) => m.visibleAt)
      .filter((t) => t > this.now());
    return times.length ? Math.min(...times) : undefined;
  }

  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }

  /** Ends every long poll now (the emulator is stopping). */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** `http://host/<account>/<name>` → name. */
function queueName(input: JsonInput): string {
  const url = requireString(input, 'QueueUrl');
  const name = url.split('/').filter(Boolean).pop();
  if (!name) throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.', 400);
  return name;
}

function queueUrl(q: EmuQueue, ctx: ServiceContext): string {
  return `http://${ctx.host ?? '127.0.0.1'}/${q.accountId}/${q.name}`;
}

function messageShape(m: EmuMessage, wanted: string[]) {
  const all = wanted.includes('All');
  const attributes: Record<string, string> = {};
  if (all || wanted.includes('ApproximateReceiveCount')) attributes['ApproximateReceiveCount'] = String(m.receiveCount);
  if (all || wanted.includes('SentTimestamp')) attributes['SentTimestamp'] = String(m.sentAt);
  if (all || wanted.includes('ApproximateFirstReceiveTimestamp'))
    attributes['ApproximateFirstReceiveTimestamp'] = String(m.firstReceivedAt ?? m.sentAt);
  return {
    MessageId: m.id,
    ReceiptHandle: m.receipt,
    MD5OfBody: m.md5,
    Body: m.body,
    ...(Object.keys(attributes).length ? { Attributes: attributes } : {}),
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function createSqsService(state: SqsState): JsonService {
  return {
    name: 'sqs',
    targetPrefix: 'AmazonSQS',
    throttleCode: 'RequestThrottled',
    identityCenterLimit: false,
    operations: {
      CreateQueue(input, ctx) {
        const q = state.createQueue(
          requireString(input, 'QueueName'),
          (input.Attributes as Record<string, string> | undefined) ?? {},
        );
        return { QueueUrl: queueUrl(q, ctx) };
      },
      GetQueueUrl(input, ctx) {
        return { QueueUrl: queueUrl(state.queue(requireString(input, 'QueueName')), ctx) };
      },
      GetQueueAttributes(input, ctx) {
        const q = state.queue(queueName(input));
        const now = ctx.now();
        return {
          Attributes: {
            QueueArn: q.arn,
            VisibilityTimeout: String(q.visibilityTimeoutSeconds),
            ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
            ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now).length),
            ...(q.redrive ? { RedrivePolicy: JSON.stringify(q.redrive) } : {}),
          },
        };
      },
      SetQueueAttributes(input) {
        state.setAttributes(
          state.queue(queueName(input)),
          (input.Attributes as Record<string, string> | undefined) ?? {},
        );
        return {};
      },
      SendMessage(input) {
        const m = state.send(queueName(input), requireString(input, 'MessageBody'));
        return { MessageId: m.id, MD5OfMessageBody: m.md5 };
      },
      SendMessageBatch(input) {
        const name = queueName(input);
        const entries = (input.Entries as { Id: string; MessageBody: string }[] | undefined) ?? [];
        return {
          Successful: entries.map((e) => {
            const m = state.send(name, e.MessageBody);
            return { Id: e.Id, MessageId: m.id, MD5OfMessageBody: m.md5 };
          }),
          Failed: [],
        };
      },
      async ReceiveMessage(input, ctx) {
        const name = queueName(input);
        const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
        const wait = Math.min(20, Math.max(0, Number(input.WaitTimeSeconds ?? 0)));
        const visibility = input.VisibilityTimeout === undefined ? undefined : Number(input.VisibilityTimeout);
        const wanted = [...strings(input.AttributeNames), ...strings(input.MessageSystemAttributeNames)];
        const deadline = ctx.now() + wait * 1000;
        for (;;) {
          const got = state.take(name, max, visibility);
          if (got.length > 0 || ctx.now() >= deadline || state.closed)
            return { Messages: got.map((m) => messageShape(m, wanted)) };
          const nextVisible = state.nextVisibleAt(name);
          await state.waitForChange(Math.min(deadline, nextVisible ?? deadline) - ctx.now());
        }
      },
      DeleteMessage(input) {
        state.delete(queueName(input), requireString(input, 'ReceiptHandle'));
        return {};
      },
      DeleteMessageBatch(input) {
        const name = queueName(input);
        const entries = (input.Entries as { Id: string; ReceiptHandle: string }[] | undefined) ?? [];
        for (const e of entries) state.delete(name, e.ReceiptHandle);
        return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
      },
      ChangeMessageVisibility(input) {
        state.changeVisibility(
          queueName(input),
          requireString(input, 'ReceiptHandle'),
          Number(input.VisibilityTimeout ?? 0),
        );
        return {};
      },
      PurgeQueue(input) {
        state.queue(queueName(input)).messages.length = 0;
        return {};
      },
    },
  };
}
