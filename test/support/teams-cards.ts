import type { StoredActivity, TeamsConnector } from '../../adapters/local/teams-connector';

/** Helpers to read what the loopback Teams world shows. */
export const cardOf = (a: StoredActivity | undefined): Record<string, unknown> | undefined =>
  a?.attachments?.[0]?.content as Record<string, unknown> | undefined;

export const textOf = (card: unknown): string => JSON.stringify(card ?? null);

export function botPosts(connector: TeamsConnector, conversationId: string): StoredActivity[] {
  return connector.world
    .inConversation(conversationId)
    .filter((a) => a.from.id === connector.world.bot.id || a.from.id.startsWith('28:'));
}

export function lastBotPost(connector: TeamsConnector, conversationId: string): StoredActivity {
  const posts = botPosts(connector, conversationId);
  const last = posts.at(-1);
  if (!last) throw new Error(`the bot posted nothing in ${conversationId}`);
  return last;
}

/** The invoke answer's card (Universal Actions response), or its error. */
export function answerCard(answer: { status: number; body: unknown }): Record<string, unknown> {
  const body = answer.body as { statusCode?: number; value?: Record<string, unknown> };
  if (answer.status !== 200 || body?.statusCode !== 200)
    throw new Error(`not a card answer: ${JSON.stringify(answer)}`);
  return body.value!;
}
