import type { TeamsConnector } from '../teams-connector';
import { PLAYGROUND_PEOPLE, PLAYGROUND_TEAM_ID, type PlaygroundPerson } from './demo-people';

/** The people of the playground in the loopback Teams tenant, and the team channels the policy names. */
export function seedTeams(
  connector: TeamsConnector,
  channels: { approvals: string; security: string },
  people: PlaygroundPerson[] = PLAYGROUND_PEOPLE,
): void {
  const world = connector.world;
  for (const p of people) {
    world.addUser({ aadObjectId: p.teamsAadObjectId, name: p.name, email: p.email, timeZone: p.timeZone });
  }
  world.addConversation({
    id: channels.approvals,
    conversationType: 'channel',
    name: 'Platform › approvals',
    teamId: PLAYGROUND_TEAM_ID,
    members: people.map((p) => p.teamsAadObjectId),
  });
  world.addConversation({
    id: channels.security,
    conversationType: 'channel',
    name: 'Platform › security',
    teamId: PLAYGROUND_TEAM_ID,
    members: people.filter((p) => p.key === 'sam').map((p) => p.teamsAadObjectId),
  });
}

/**
 * Installs the app as an organization would: in the team (its channels) and for each person (their
 * 1:1 chat). Each install is a conversationUpdate the bot receives, so keyless learns where to post.
 */
export async function installKeylessInTeams(
  connector: TeamsConnector,
  channels: { approvals: string; security: string },
  people: PlaygroundPerson[] = PLAYGROUND_PEOPLE,
): Promise<void> {
  const installer = people[0]!.teamsAadObjectId;
  for (const conversation of [channels.approvals, channels.security]) {
    const answer = await connector.install(installer, conversation);
    if (answer.status >= 300) throw new Error(`installing keyless in ${conversation} answered ${answer.status}`);
  }
  for (const p of people) {
    const answer = await connector.install(p.teamsAadObjectId);
    if (answer.status >= 300) throw new Error(`installing keyless for ${p.key} answered ${answer.status}`);
  }
}
