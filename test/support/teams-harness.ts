import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTeamsAdapter, type TeamsAdapter, type TeamsAdapterConfig } from '../../adapters/teams';
import { LOCAL_TEAMS_TENANT_ID, TeamsConnector } from '../../adapters/local/teams-connector';
import {
  silentLogger,
  type ConversationStore,
  type Engine,
  type GrantStore,
  type IdentityCenter,
  type Logger,
  type MessageRefStore,
  type Policy,
} from '../../src';
import { testEngine } from '../builders/test-engine';
import { FakeIdentityCenter } from '../fakes/fake-identity-center';
import { InMemoryGrantStore } from '../fakes/in-memory-grant-store';
import { ManualClock } from '../fakes/manual-clock';
import { RecordingNotifier } from '../fakes/recording-notifier';
import { FanOutNotifier } from '../../adapters/main/fan-out-notifier';

export const TEAM_ID = '19:team-platform@thread.tacv2';
export const APPROVALS = '19:approvals@thread.tacv2';
export const SECURITY = '19:security@thread.tacv2';

/** Teams people of the demo organization (test/fakes/seed.ts): same emails, Teams ids. */
export const teamsPeople = {
  rita: { aadObjectId: 'aad-rita', name: 'Rita', email: 'rita@example.com', timeZone: 'Europe/Paris' },
  bob: { aadObjectId: 'aad-bob', name: 'Bob', userPrincipalName: 'bob@example.com', timeZone: 'America/New_York' },
  carl: { aadObjectId: 'aad-carl', name: 'Carl', email: 'carl@example.com' },
  olga: { aadObjectId: 'aad-olga', name: 'Olga', email: 'olga@example.com' },
  /** In the tenant, not in Identity Center. */
  stranger: { aadObjectId: 'aad-stranger', name: 'Stranger', email: 'stranger@example.com' },
} as const;

/** The store a Teams harness runs on: the engine's, and the adapter's references and conversations. */
export type TeamsHarnessStore = GrantStore & MessageRefStore & ConversationStore;

export interface TeamsHarness<
  S extends TeamsHarnessStore = InMemoryGrantStore,
  I extends IdentityCenter = FakeIdentityCenter,
> {
  url: string;
  botUrl: string;
  engine: Engine;
  store: S;
  identity: I;
  clock: ManualClock;
  recorded: RecordingNotifier;
  teams: TeamsAdapter;
  connector: TeamsConnector;
  /** Extra routes on the same server (for example Slack's /slack/events). */
  routes: Map<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>;
  fanOut: FanOutNotifier;
  /** Waits for the engine's background work and every notifier queue. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTeamsHarness<
  S extends TeamsHarnessStore = InMemoryGrantStore,
  I extends IdentityCenter = FakeIdentityCenter,
>(
  over: {
    config?: Partial<TeamsAdapterConfig>;
    policy?: Policy;
    logger?: Logger;
    people?: boolean;
    /** Identity Center in memory (default: the demo organization), or the real adapter on the emulator. */
    identity?: I;
    /** The grant store (default: in memory), for example DynamoDB on dynalite. */
    store?: S;
  } = {},
): Promise<TeamsHarness<S, I>> {
  const recorded = new RecordingNotifier();
  const fanOut = new FanOutNotifier([recorded], silentLogger);
  const { engine, store, identity, clock } = testEngine<S, I>({
    notifier: fanOut,
    ...(over.policy ? { policy: over.policy } : {}),
    ...(over.identity ? { identity: over.identity } : {}),
    ...(over.store ? { store: over.store } : {}),
  });
  const teams = createTeamsAdapter({
    engine,
    refs: store,
    conversations: store,
    idempotency: store,
    logger: over.logger ?? silentLogger,
    config: {
      local: true,
      approvalsConversationId: APPROVALS,
      securityConversationId: SECURITY,
      allowedTenantIds: [LOCAL_TEAMS_TENANT_ID],
      ...over.config,
    },
    pacing: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  fanOut.add(teams.notifier);

  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>();
  routes.set('/api/messages', teams.handle);
  const server: Server = createServer((req, res) => {
    const route = routes.get((req.url ?? '').split('?')[0] ?? '');
    if (!route) {
      res.statusCode = 404;
      res.end();
      return;
    }
    route(req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const connector = new TeamsConnector({ botUrl: `${url}/api/messages` });
  await connector.start();
  if (over.people !== false) {
    const world = connector.world;
    for (const p of Object.values(teamsPeople)) world.addUser(p);
    world.addConversation({
      id: APPROVALS,
      conversationType: 'channel',
      name: 'approvals',
      teamId: TEAM_ID,
      members: Object.values(teamsPeople).map((p) => p.aadObjectId),
    });
    world.addConversation({
      id: SECURITY,
      conversationType: 'channel',
      name: 'security',
      teamId: TEAM_ID,
      members: [teamsPeople.carl.aadObjectId],
    });
  }

  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await engine.idle();
      await teams.idle();
    }
  };

  return {
    url,
    botUrl: `${url}/api/messages`,
    engine,
    store,
    identity,
    clock,
    recorded,
    teams,
    connector,
    routes,
    fanOut,
    settle,
    async stop() {
      await engine.stop();
      await teams.stop();
      await connector.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
