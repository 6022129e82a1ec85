/**
 * A keyless process for `npm run bench -- audit-sink`: it writes requests through the DynamoDB
 * store (creation, a decision and a note: three audit events each) as fast as it can, with the
 * audit pump of a replica running beside (the index and the S3 archive), until it is killed.
 * Prints `ready` once, then one line per thousand events written.
 * Env: DYNAMO_URL, S3_URL, TABLE, BUCKET, WORKER (its replica name), EVERY_MS.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { DynamoGrantStore } from '../../adapters/dynamodb';
import { S3AuditArchive } from '../../adapters/aws/audit-archive';
import { AuditPump } from '../../adapters/main/audit-pump';
import {
  noteKey,
  requestCreated,
  silentLogger,
  systemActor,
  transitionRequest,
  type AccountId,
  type PermissionSetArn,
  type PrincipalId,
  type RequestId,
} from '../../src';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main(): Promise<void> {
  const credentials = { accessKeyId: 'AKIDLOCALBENCH', secretAccessKey: 'local' };
  const dynamo = new DynamoDBClient({
    endpoint: env('DYNAMO_URL'),
    region: 'us-east-1',
    credentials,
    retryStrategy: new ConfiguredRetryStrategy(4, () => 20),
  });
  const s3 = new S3Client({ endpoint: env('S3_URL'), region: 'us-east-1', credentials, forcePathStyle: true });
  const store = new DynamoGrantStore({ client: dynamo, tableName: env('TABLE') });
  const pump = new AuditPump({
    store,
    archive: new S3AuditArchive(s3, env('BUCKET')),
    prefix: 'audit',
    everyMs: Number(process.env.EVERY_MS ?? 200),
    logger: silentLogger,
  });
  pump.start();
  console.log('ready');
  let events = 0;
  const person = (i: number) => `person${i % 50}@example.com`;
  const one = async (i: number) => {
    const now = Date.now();
    const created = requestCreated(
      {
        id: `req-${randomUUID()}` as RequestId,
        status: 'pending',
        kind: 'grant',
        requester: { platform: 'slack', id: `U${i % 50}`, displayName: `P${i % 50}`, email: person(i) },
        principalId: `p-${i % 50}` as PrincipalId,
        principalName: person(i),
        accountId: String(100000000000 + (i % 8)) as AccountId,
        accountName: `account-${i % 8}`,
        permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' as PermissionSetArn,
        permissionSetName: 'ReadOnly',
        durationSeconds: 3600,
        reason: 'bench',
        rule: 'bench',
        approvalsRequired: 1,
        selfApproval: false,
        approvals: [],
        createdAt: now,
        decideBy: now + 3600_000,
      },
      systemActor('bench'),
    ).next;
    await store.createRequest(created);
    await store.appendNote({
      subject: { kind: 'request', id: created.id },
      key: noteKey(1, 'approval_refused', 'slack:U0OUTSIDER'),
      version: 1,
      event: 'approval_refused',
      from: 'pending',
      to: 'pending',
      actor: systemActor('bench'),
      at: now + 1,
    });
    const denied = transitionRequest(created, { type: 'deny', actor: systemActor('bench'), at: now + 2, reason: 'no' });
    if (denied) await store.saveRequest(denied.next, 1);
    events += 3;
    if (events % 1000 < 3) console.log(`events ${events}`);
  };
  let i = 0;
  await Promise.all(
    Array.from({ length: Number(process.env.CONCURRENCY ?? 8) }, async () => {
      for (;;) await one(i++);
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
