/**
 * `npm run bench -- audit-sink [--kills 10] [--kill-min 500] [--kill-max 3000] [--workers 2] [--seed n]`
 *
 * The audit archive under crashes. dynalite on disk and the local AWS emulator (its S3) run in their
 * own processes; `workers` keyless processes (bench/support/audit-sink-worker.ts) write requests
 * through the store, with the audit pump archiving to S3, and are SIGKILLed at random moments and
 * restarted, `kills` times in all. Then the last pump passes run (until no write is left marked), and the truth (every audit event
 * in the table's records and notes) is compared with every line in the bucket:
 * - lost: events in the table that are in no archived line (must be 0);
 * - duplicates: lines whose event id was archived before (a retry after a crash; Athena readers
 *   can drop them with the `id` column);
 * - events_per_s: events archived per second of the run (writers, restarts and pumps together, on this machine);
 * - drain_events_per_s: what one pump indexes and archives per second when it has a backlog.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { generateSeed } from '../../adapters/local/aws-emulator';
import { S3AuditArchive } from '../../adapters/aws/audit-archive';
import { AuditPump } from '../../adapters/main/audit-pump';
import { DynamoGrantStore } from '../../adapters/dynamodb';
import { auditEventId, silentLogger, type AccessRequest, type AuditEvent } from '../../src';
import type { BenchArgs } from '../run';
import { localDynamo, sleep, spawnChild, spawnService, type ChildService, type Service } from '../support/local-stack';

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

export default async function auditSink(args: BenchArgs): Promise<Record<string, unknown>> {
  const kills = Number(args.kills ?? 10);
  const workers = Number(args.workers ?? 2);
  const killMin = Number(args['kill-min'] ?? 500);
  const killMax = Number(args['kill-max'] ?? 3000);
  const seed = Number(args.seed ?? Date.now() % 1_000_000);
  const random = prng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'keyless-audit-sink-'));
  const table = 'keyless-audit-sink';
  const bucket = 'keyless-audit-bench';
  const seedFile = join(dir, 'seed.json');
  writeFileSync(
    seedFile,
    JSON.stringify({
      ...generateSeed({ accounts: 2, users: 2, ous: 1, permissionSets: 1 }),
      s3: { buckets: [bucket], objects: [] },
    }),
  );
  let aws: Service | undefined;
  let dynamo: Service | undefined;
  const running = new Map<number, ChildService>();
  const ready = new Map<number, Promise<void>>();
  try {
    [aws, dynamo] = await Promise.all([
      spawnService('adapters/local/aws-emulator/cli.ts', ['--port', '0', '--seed', seedFile]),
      spawnService('bench/support/dynalite-server.ts', ['--path', join(dir, 'dynamodb')]),
    ]);
    const client = localDynamo(dynamo.url);
    const { ensureTable } = await import('../../adapters/dynamodb');
    await ensureTable(client, table);
    const s3 = new S3Client({
      endpoint: aws.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCALBENCH', secretAccessKey: 'local' },
      forcePathStyle: true,
    });
    console.error(
      `audit-sink: seed ${seed}; emulator ${aws.url}, dynalite ${dynamo.url}; ${workers} workers, ${kills} kills`,
    );

    const start = (slot: number): ChildService => {
      const child = spawnChild('bench/support/audit-sink-worker.ts', [], {
        DYNAMO_URL: dynamo!.url,
        S3_URL: aws!.url,
        TABLE: table,
        BUCKET: bucket,
        WORKER: `worker-${slot}`,
      });
      running.set(slot, child);
      ready.set(
        slot,
        new Promise<void>((resolve) => {
          child.onLine((line) => line === 'ready' && resolve());
          void child.exited.then(() => resolve());
        }),
      );
      return child;
    };
    const started = Date.now();
    for (let slot = 0; slot < workers; slot++) start(slot);
    for (let k = 0; k < kills; k++) {
      const slot = Math.floor(random() * workers);
      // Each kill hits a writer at work: some time after it said it was ready.
      await ready.get(slot);
      await sleep(killMin + random() * (killMax - killMin));
      await running.get(slot)?.kill('SIGKILL');
      start(slot);
    }
    await Promise.all(ready.values());
    await sleep(killMax);
    for (const child of running.values()) await child.kill('SIGKILL');
    const writing = Date.now() - started;

    // The last passes: what the killed writers left marked (their writes since their pump's last pass).
    const store = new DynamoGrantStore({ client, tableName: table });
    const pump = new AuditPump({
      store,
      archive: new S3AuditArchive(s3, bucket),
      prefix: 'audit',
      everyMs: 1000,
      logger: silentLogger,
    });
    const leftMarked = await store.auditBacklog();
    const drainStarted = Date.now();
    let drained = 0;
    for (let pass = 0; pass < 10_000 && (await store.auditBacklog()) > 0; pass++) {
      const events = await pump.pass();
      if (events < 0) await sleep(200);
      else drained += events;
    }
    const drainMs = Date.now() - drainStarted;
    const backlog = await store.auditBacklog();
    const total = Date.now() - started;

    // The truth: every event of every record and note in the table.
    const truth = new Set<string>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await client.send(
        new ScanCommand({ TableName: table, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      for (const item of out.Items ?? []) {
        const pk = item['pk']?.S ?? '';
        const sk = item['sk']?.S ?? '';
        const doc = item['doc']?.S;
        if (!doc || !pk.startsWith('REQ#')) continue;
        if (sk === 'META')
          for (const e of (JSON.parse(doc) as AccessRequest).history) truth.add(auditEventId(e.subject, e.key));
        else if (sk.startsWith('EVT#')) {
          const e = JSON.parse(doc) as AuditEvent;
          truth.add(auditEventId(e.subject, e.key));
        }
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);

    const archived = new Set<string>();
    let lines = 0;
    let objects = 0;
    let token: string | undefined;
    do {
      const list = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'audit/', ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of list.Contents ?? []) {
        objects++;
        const body = await (
          await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))
        ).Body!.transformToString();
        for (const line of body.split('\n')) {
          if (!line) continue;
          lines++;
          archived.add((JSON.parse(line) as { id: string }).id);
        }
      }
      token = list.IsTruncated ? list.NextContinuationToken : undefined;
    } while (token);
    const lost = [...truth].filter((id) => !archived.has(id));
    for (const id of lost.slice(0, 20)) console.error(`lost: ${id}`);
    client.destroy();
    s3.destroy();
    return {
      scenario: 'audit-sink',
      seed,
      workers,
      events: truth.size,
      archived: archived.size,
      objects,
      duplicates: lines - archived.size,
      left_marked_at_the_end: leftMarked,
      backlog,
      writing_s: Math.round(writing / 100) / 10,
      // One pump (this process) emptying what the killed writers left: events indexed and archived per second.
      drain_events_per_s: drainMs > 0 ? Math.round(drained / (drainMs / 1000)) : 0,
      events_per_s: Math.round(archived.size / (total / 1000)),
      kills,
      lost: lost.length,
    };
  } finally {
    for (const child of running.values()) await child.kill('SIGKILL');
    await aws?.kill('SIGTERM');
    await dynamo?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
