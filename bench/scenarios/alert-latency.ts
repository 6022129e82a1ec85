/**
 * `npm run bench -- alert-latency [--events 1000] [--rate 200] [--duplicates 0.1] [--pollers 4] [--store memory|dynalite]`
 *
 * Root events through SQS (the emulator's): `events` distinct CloudTrail root events sent at `rate`
 * per second, a share of them delivered twice, long-polled by the consumer and handled by the alert
 * engine. Latency is from receipt (the consumer has the message) to posted (the AlertPublisher has
 * the alert, a thread reply or an update). Every CloudTrail event id must be posted at most once.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createAlertEngine,
  silentLogger,
  type AlertEvent,
  type AlertMessageRef,
  type AlertPublisher,
  type AlertStore,
} from '../../src';
import { SqsRootActivityConsumer } from '../../adapters/alerts/root-activity';
import { DynamoAlertStore, ensureTable } from '../../adapters/dynamodb';
import { generateSeed, parseSeed, startAwsEmulator } from '../../adapters/local/aws-emulator';
import {
  rootAccessKeyCreated,
  rootApiCall,
  rootConsoleSignIn,
} from '../../adapters/local/aws-emulator/services/cloudtrail-events';
import { demoPolicy } from '../../test/builders/policy';
import { InMemoryAlertStore } from '../../test/fakes/in-memory-alert-store';
import { localDynamoClient } from '../../test/support/dynamodb-client';
import { startDynalite } from '../../test/support/dynalite';
import type { BenchArgs } from '../run';

const quantile = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
const QUEUE = 'keyless-root-activity';

function eventFor(i: number, at: number) {
  const account = String(100000000000 + (i % 250));
  const eventId = `bench-${i}`;
  switch (i % 4) {
    case 0:
      return rootConsoleSignIn({ account, at, eventId, mfa: false });
    case 1:
      return rootConsoleSignIn({ account, at, eventId, mfa: true });
    case 2:
      return rootApiCall({ account, at, eventId, eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' });
    default:
      return rootAccessKeyCreated({ account, at, eventId });
  }
}

export default async function alertLatency(args: BenchArgs): Promise<Record<string, unknown>> {
  const events = Number(args.events ?? 1000);
  const rate = Number(args.rate ?? 200);
  const duplicateShare = Number(args.duplicates ?? 0.1);
  const pollers = Number(args.pollers ?? 4);
  const emulator = await startAwsEmulator({
    seed: parseSeed({
      ...generateSeed({ accounts: 250, users: 2 }),
      sqs: { queues: [{ name: QUEUE, deadLetterQueue: `${QUEUE}-dlq` }] },
    }),
    port: 0,
  });
  const sqs = new SQSClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  const queueUrl = `http://${new URL(emulator.url).host}/999999999999/${QUEUE}`;

  let store: AlertStore = new InMemoryAlertStore();
  let dynamo: { stop: () => Promise<void> } | undefined;
  let dynamoClient: DynamoDBClient | undefined;
  if (args.store === 'dynalite') {
    const d = await startDynalite();
    dynamo = d;
    dynamoClient = localDynamoClient(d.endpoint);
    await ensureTable(dynamoClient, 'keyless-bench');
    store = new DynamoAlertStore({ client: dynamoClient, tableName: 'keyless-bench' });
  }

  const receivedAt = new Map<string, number>();
  const postedAt = new Map<string, number[]>();
  const publisher: AlertPublisher = {
    async publishAlert(e: AlertEvent): Promise<AlertMessageRef[] | void> {
      const at = Date.now();
      const finding = e.type === 'alert_repeated' ? e.finding : 'alert' in e ? e.alert.finding : undefined;
      const id = finding?.evidence.eventId;
      if (id) postedAt.set(id, [...(postedAt.get(id) ?? []), at]);
      if (e.type === 'alert_raised') return [{ platform: 'slack', channel: 'C0SECURITY', messageId: `${at}` }];
    },
  };
  const engine = createAlertEngine({
    store,
    publisher,
    clock: { now: Date.now, setTimer: () => ({ cancel: () => undefined }) },
    logger: silentLogger,
    policy: () => demoPolicy(),
    directory: { resolvePrincipal: () => Promise.reject(new Error('not needed')) },
    accounts: async () => [],
  });
  const consumer = new SqsRootActivityConsumer(
    sqs,
    (body) => {
      const id = /"eventID":"([^"]+)"/.exec(body)?.[1];
      if (id && !receivedAt.has(id)) receivedAt.set(id, Date.now());
      return engine.ingestEvent(body);
    },
    { queueUrl, pollers, waitTimeSeconds: 5 },
  );
  try {
    consumer.start();
    const started = Date.now();
    const bodies: string[] = [];
    for (let i = 0; i < events; i++) {
      const body = JSON.stringify(eventFor(i, started));
      bodies.push(body);
      if (i % Math.max(1, Math.round(1 / duplicateShare)) === 0) bodies.push(body); // delivered twice
    }
    const batch = 10;
    const interval = (batch / rate) * 1000;
    for (let i = 0; i < bodies.length; i += batch) {
      const slot = started + (i / batch) * interval;
      const wait = slot - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.slice(i, i + batch).map((MessageBody, j) => ({ Id: String(j), MessageBody })),
        }),
      );
    }
    const deadline = Date.now() + 60_000;
    while (consumer.stats.deleted < bodies.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const latencies = [...postedAt.entries()]
      .map(([id, times]) => times[0]! - (receivedAt.get(id) ?? times[0]!))
      .sort((a, b) => a - b);
    const duplicatesPosted = [...postedAt.values()].filter((t) => t.length > 1).length;
    console.error(
      `alert-latency: ${events} events (+${bodies.length - events} duplicate deliveries) at ${rate}/s, ` +
        `${postedAt.size} posted, ${consumer.stats.deleted} deleted, ${engine.stats.duplicates} deduped, ` +
        `store ${args.store ?? 'memory'}, ${pollers} pollers, total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return {
      scenario: 'alert-latency',
      events,
      p50_ms: quantile(latencies, 0.5),
      p99_ms: quantile(latencies, 0.99),
      duplicates_posted: duplicatesPosted,
      posted: postedAt.size,
      store: args.store ?? 'memory',
    };
  } finally {
    await consumer.stop();
    sqs.destroy();
    dynamoClient?.destroy();
    await dynamo?.stop();
    await emulator.stop();
  }
}
