/**
 * The security feed's part of the emulator: IAM in member accounts, SQS, and the admin routes that
 * inject CloudTrail/Health events into a queue and use keys, for tests and the playground.
 * Built from the seed's `iam` and `sqs` sections; `reset()` rebuilds it.
 */
import type { JsonService, QueryService } from './protocol';
import type { EmulatorSeed } from './seed';
import * as events from './services/cloudtrail-events';
import { createIamService, IamState } from './services/iam';
import { iamSeedSchema, sqsSeedSchema } from './services/security-seed';
import { createSqsService, SqsState } from './services/sqs';

export interface SecurityFeedState {
  iam: IamState;
  sqs: SqsState;
}

export interface AdminAnswer {
  status: number;
  body: unknown;
}

const TEMPLATES: Record<string, (o: Record<string, unknown>) => unknown> = {
  'root-console-sign-in': (o) =>
    events.rootConsoleSignIn(o as unknown as Parameters<typeof events.rootConsoleSignIn>[0]),
  'root-api-call': (o) => events.rootApiCall(o as unknown as Parameters<typeof events.rootApiCall>[0]),
  'root-access-key-created': (o) =>
    events.rootAccessKeyCreated(o as unknown as Parameters<typeof events.rootAccessKeyCreated>[0]),
  'credentials-exposed': (o) =>
    events.credentialsExposed(o as unknown as Parameters<typeof events.credentialsExposed>[0]),
  heartbeat: (o) => events.heartbeat(o as unknown as Parameters<typeof events.heartbeat>[0]),
};

/** The organization's root-activity queue in the demo seed (manifest/aws: keyless-root-events). */
export const ORGANIZATION_QUEUE = 'keyless-root-events';

export function createSecurityFeed(seed: EmulatorSeed, now: () => number) {
  let state!: SecurityFeedState;
  const build = () => {
    const raw = seed as EmulatorSeed & { iam?: unknown; sqs?: unknown };
    const iam = new IamState(iamSeedSchema.parse(raw.iam ?? {}), now);
    const sqs = new SqsState(seed.region, seed.organization.managementAccountId, now);
    for (const q of sqsSeedSchema.parse(raw.sqs ?? {}).queues) {
      const dlq = q.deadLetterQueue ? sqs.createQueue(q.deadLetterQueue) : undefined;
      sqs.createQueue(q.name, {
        VisibilityTimeout: String(q.visibilityTimeoutSeconds),
        ...(dlq
          ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: q.maxReceiveCount }) }
          : {}),
      });
    }
    state?.sqs.close();
    state = { iam, sqs };
    sqsService = createSqsService(sqs);
    iamService = createIamService(iam);
  };
  let sqsService!: JsonService;
  let iamService!: QueryService;
  build();

  // The registered services delegate to the current state's, so that reset() takes effect.
  const delegate = <S extends JsonService | QueryService>(current: () => S): S => {
    const first = current();
    const operations = Object.fromEntries(
      Object.keys(first.operations).map((op) => [
        op,
        (input: never, ctx: never) => (current().operations[op] as (i: never, c: never) => unknown)(input, ctx),
      ]),
    );
    return { ...first, operations } as S;
  };
  const jsonServices: JsonService[] = [delegate(() => sqsService)];
  const queryServices: QueryService[] = [delegate(() => iamService)];

  /**
   * `POST /_emulator/events {queue, events?: [...], template?: name, ...options}` sends events to a
   * queue; `POST /_emulator/organization/root-activity {account, template?}` delivers a member
   * account's event to the organization's queue as org-wide forwarding does; `POST /_emulator/iam/use-key {account, accessKeyId}` marks a key used now;
   * `POST /_emulator/iam/keys {account}` lists an account's keys; `POST /_emulator/iam/all-keys` every
   * account's; `POST /_emulator/iam/age-key {account, accessKeyId, days}` makes a key older and
   * `POST /_emulator/iam/create-key {account, user}` adds a key (the playground's rotation controls).
   */
  function admin(route: string, input: Record<string, unknown>): AdminAnswer | undefined {
    switch (route) {
      case 'POST /_emulator/events': {
        const queue = String(input.queue ?? '');
        const list = Array.isArray(input.events)
          ? input.events
          : typeof input.template === 'string' && TEMPLATES[input.template]
            ? [TEMPLATES[input.template]!(input)]
            : undefined;
        if (!list)
          return { status: 400, body: { message: `give events or a template: ${Object.keys(TEMPLATES).join(', ')}` } };
        const sent = list.map((e) => state.sqs.send(queue, typeof e === 'string' ? e : JSON.stringify(e)).id);
        return { status: 200, body: { sent } };
      }
      case 'POST /_emulator/organization/root-activity': {
        // Org-wide forwarding: the member account's event (its `account` is the member account)
        // reaches the one queue of the organization, as the stack's EventBridge rules deliver it.
        const account = String(input.account ?? '');
        if (!seed.accounts.some((a) => a.id === account)) {
          return { status: 400, body: { message: `account ${account} is not in the organization` } };
        }
        const template = typeof input.template === 'string' ? input.template : 'root-console-sign-in';
        if (!TEMPLATES[template]) return { status: 400, body: { message: `no template ${template}` } };
        const queue = typeof input.queue === 'string' ? input.queue : ORGANIZATION_QUEUE;
        const event = TEMPLATES[template]!({ ...input, account });
        return { status: 200, body: { sent: [state.sqs.send(queue, JSON.stringify(event)).id], event } };
      }
      case 'POST /_emulator/iam/use-key':
        state.iam.useKey(String(input.account), String(input.accessKeyId));
        // The playground's rotation controls: the next scan reads a fresh credential report.
        delete state.iam.account(String(input.account)).report;
        return { status: 200, body: { ok: true } };
      case 'POST /_emulator/iam/age-key': {
        // A key made `days` older (its creation moved back), as if it had been left alone that long.
        const days = Number(input.days ?? 100);
        const key = state.iam.findKey(String(input.account), String(input.accessKeyId));
        if (!key || !Number.isFinite(days) || days <= 0 || days > 3650)
          return { status: 400, body: { message: 'give an existing key of the account and 1 to 3650 days' } };
        key.createdAt -= days * 86_400_000;
        delete state.iam.account(String(input.account)).report;
        return { status: 200, body: { key } };
      }
      case 'POST /_emulator/iam/create-key': {
        // The user creates a second key (as in the IAM console); IAM's limit of 2 keys applies.
        try {
          const key = state.iam.createKey(String(input.account), String(input.user));
          delete state.iam.account(String(input.account)).report;
          return { status: 200, body: { key } };
        } catch (error) {
          return { status: 400, body: { message: (error as Error).message } };
        }
      }
      case 'POST /_emulator/iam/all-keys':
        return {
          status: 200,
          body: {
            keys: [...state.iam.accounts.values()].flatMap((a) =>
              [...a.keys.values()].map((k) => ({ account: a.accountId, ...k })),
            ),
          },
        };
      case 'POST /_emulator/iam/keys': {
        const account = state.iam.account(String(input.account ?? ''));
        return { status: 200, body: { keys: [...account.keys.values()] } };
      }
      default:
        return undefined;
    }
  }

  return {
    jsonServices,
    queryServices,
    admin,
    get state(): SecurityFeedState {
      return state;
    },
    reset: build,
    close: () => state.sqs.close(),
  };
}

export type SecurityFeed = ReturnType<typeof createSecurityFeed>;
