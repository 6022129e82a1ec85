import {
  createEngine,
  silentLogger,
  type ChatNotifier,
  type ChatUser,
  type Clock,
  type ActivityTrail,
  type EngineDeps,
  type GrantStore,
  type IdentityCenter,
  type OnCallDirectory,
  type Membership,
  type Policy,
  type SessionCutDeps,
} from '../../src';
import { FakeIdentityCenter } from '../fakes/fake-identity-center';
import { InMemoryGrantStore } from '../fakes/in-memory-grant-store';
import { ManualClock } from '../fakes/manual-clock';
import { RecordingNotifier } from '../fakes/recording-notifier';
import { SequentialIds } from '../fakes/sequential-ids';
import { demoSeed } from '../fakes/seed';
import { demoPolicy } from './policy';

/**
 * An engine on fakes, with handles on every fake. Harnesses may put real adapters in place of the
 * fakes (the DynamoDB store, the emulator's Identity Center, the wall clock) and give the notifier
 * the engine publishes to (their fan-out to the chat adapters); `notifier` is then theirs, and the
 * returned `notifier` records nothing.
 */
export function testEngine<
  S extends GrantStore = InMemoryGrantStore,
  I extends IdentityCenter = FakeIdentityCenter,
  C extends Clock = ManualClock,
>(
  over: {
    policy?: Policy;
    options?: EngineDeps['options'];
    /** The session cut's store, policies and lease (with `options.sessionCut.enabled`). */
    sessionCuts?: SessionCutDeps;
    store?: S;
    /** The replicas' heartbeats; by default the store's own (each store here is also a Membership). */
    membership?: Membership;
    identity?: I;
    clock?: C;
    notifier?: ChatNotifier;
    /** Replicas on one store need ids that never collide (as the real random ones). */
    idPrefix?: string;
    /** Who is on call (a PagerDuty adapter on the loopback, or a fake). */
    onCall?: OnCallDirectory;
    /** CloudTrail's event history (the real adapter on the emulator, or a fake): activity summaries. */
    activity?: ActivityTrail;
  } = {},
) {
  const store = over.store ?? (new InMemoryGrantStore() as GrantStore as S);
  const identity = over.identity ?? (new FakeIdentityCenter(demoSeed()) as IdentityCenter as I);
  const clock = over.clock ?? (new ManualClock() as Clock as C);
  const notifier = new RecordingNotifier();
  const policy = over.policy ?? demoPolicy();
  const engine = createEngine({
    store,
    membership: over.membership ?? membershipOf(store),
    identity,
    notifier: over.notifier ?? notifier,
    clock,
    logger: silentLogger,
    ids: new SequentialIds(over.idPrefix),
    policy: () => policy,
    ...(over.onCall ? { onCall: over.onCall } : {}),
    ...(over.sessionCuts ? { sessionCuts: over.sessionCuts } : {}),
    ...(over.activity ? { activity: over.activity } : {}),
    options: { replicaId: 'replica-1', ...over.options },
  });
  return { engine, store, identity, clock, notifier, policy };
}

/** The store's own heartbeats when it keeps them (the fake and DynamoDB do), else a replica alone. */
function membershipOf(store: GrantStore): Membership {
  return 'heartbeat' in store && 'members' in store ? (store as GrantStore & Membership) : new InMemoryGrantStore();
}

/** What `testEngine()` gives on its own fakes. */
export type TestEngine = ReturnType<typeof testEngine<InMemoryGrantStore, FakeIdentityCenter, ManualClock>>;

/** Chat users matching the demo seed (test/fakes/seed.ts). */
export const users = {
  rita: { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com', timeZone: 'Europe/Paris' },
  ann: { platform: 'slack', id: 'U0ANN', displayName: 'Ann', email: 'ann@example.com' },
  bob: { platform: 'teams', id: 'aad-bob', displayName: 'Bob', email: 'bob@example.com' },
  carl: { platform: 'slack', id: 'U0CARL', displayName: 'Carl', email: 'carl@example.com' },
  olga: { platform: 'slack', id: 'U0OLGA', displayName: 'Olga', email: 'olga@example.com' },
  sam: { platform: 'slack', id: 'U0SAM', displayName: 'Sam', email: 'sam@example.com' },
  nobody: { platform: 'slack', id: 'U0NOBODY', displayName: 'Nobody', email: 'nobody@example.com' },
} satisfies Record<string, ChatUser>;
