/**
 * Where a chat platform can be reached proactively: Teams needs a stored ConversationReference to
 * post into a channel or a 1:1 chat (facts.md). Keys are chosen by the adapter (for example
 * `teams:user:<aadObjectId>`, `teams:email:<email>`, `teams:channel:<id>`); values are opaque JSON.
 */
export interface ConversationStore {
  saveConversation(key: string, reference: Record<string, unknown>): Promise<void>;
  getConversation(key: string): Promise<Record<string, unknown> | undefined>;
}
