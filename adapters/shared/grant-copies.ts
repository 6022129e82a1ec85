import type { Grant, Logger, MessageRef, MessageRefStore } from '../../src';
import { TtlCache } from './ttl-cache';

/**
 * One platform's messages of a grant's request (issue 13: a grant's end is told without reading):
 * once the grant is active, its notifier keeps them with the grant (`Grant.chatCopies`, beside the
 * record in the store) and here; a later notice (ended, extended, failed) takes them from the grant,
 * or from here, and reads the request's messages only when neither knows them (a grant activated
 * before they were kept, a store without `setGrantChatCopies`).
 */
export class GrantCopies {
  /** What this replica kept last, by grant id: fresher than a grant read before it was kept. */
  private readonly kept: TtlCache<MessageRef[]>;

  constructor(
    private readonly deps: {
      refs: MessageRefStore;
      platform: MessageRef['platform'];
      logger: Logger;
      /** How long this replica remembers what it kept (grants last up to a rule's maximum). Default 24 h. */
      ttlMs?: number;
      now?: () => number;
    },
  ) {
    this.kept = new TtlCache({
      ttlMs: deps.ttlMs ?? 24 * 3_600_000,
      maxEntries: 20_000,
      ...(deps.now ? { now: deps.now } : {}),
    });
  }

  /** This platform's messages of the grant's request: kept here, carried by the grant, else read. */
  async of(grant: Grant): Promise<MessageRef[]> {
    const kept = this.kept.peek(grant.id);
    if (kept) return kept;
    const carried = grant.chatCopies?.[this.deps.platform];
    if (carried) return carried.map((c) => ({ platform: this.deps.platform, ...c }));
    return this.read(grant);
  }

  /** Keeps `refs` (every message of this platform about the grant's request) with the grant. */
  async keep(grant: Grant, refs: readonly MessageRef[]): Promise<void> {
    const mine = dedupe(refs.filter((r) => r.platform === this.deps.platform));
    this.kept.set(grant.id, mine);
    if (!this.deps.refs.setGrantChatCopies) return;
    try {
      await this.deps.refs.setGrantChatCopies(
        grant.id,
        this.deps.platform,
        mine.map(({ channel, messageId, role }) => ({ channel, messageId, role })),
      );
    } catch (error) {
      // Nothing is lost: the request's messages stay where they are, and are read at the grant's end.
      this.deps.logger.warn(
        { err: error, grantId: grant.id, platform: this.deps.platform },
        'chat copies not kept with the grant',
      );
    }
  }

  /** A message about the grant posted later (a reminder, an extension): kept with the others. */
  async added(grant: Grant, ref: MessageRef): Promise<void> {
    const known = this.kept.peek(grant.id) ?? grant.chatCopies?.[this.deps.platform];
    const all = known
      ? [...known.map((c) => ({ platform: this.deps.platform, ...c })), ref]
      : [...(await this.read(grant)), ref];
    await this.keep(grant, all);
  }

  private async read(grant: Grant): Promise<MessageRef[]> {
    return (await this.deps.refs.listMessageRefs(grant.requestId)).filter((r) => r.platform === this.deps.platform);
  }
}

function dedupe(refs: readonly MessageRef[]): MessageRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.channel}#${r.messageId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
