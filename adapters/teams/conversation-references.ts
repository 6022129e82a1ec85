import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { ChatUser, ConversationStore, Logger } from '../../src';
import { TtlCache } from '../shared/ttl-cache';
import { ConversationKeys } from './verbs';

/** Where the Teams service was last reached: enough to open a 1:1 chat or post to a channel by id. */
export interface ServiceInfo {
  serviceUrl: string;
  channelId: string;
  bot: { id: string; name?: string };
  tenantId?: string;
}

const zoneKey = (aadObjectId: string) => `${ConversationKeys.user(aadObjectId)}#tz`;

/** An IANA zone name the runtime knows (a client's `localTimezone` is text it sent, not trusted as is). */
function isZone(zone: string): boolean {
  if (zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const isReference = (value: unknown): value is ConversationReference =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ConversationReference).serviceUrl === 'string' &&
  typeof (value as ConversationReference).conversation?.id === 'string';

/**
 * ConversationReferences, captured on install and on every contact, kept in the ConversationStore
 * (DynamoDB in production). Proactive posts (approvals channel, approvers' and requesters' 1:1
 * chats) and in-place updates need them (facts.md). Writes are skipped when nothing changed.
 */
export class ConversationReferences {
  private readonly written = new TtlCache<string>({ ttlMs: 3_600_000, maxEntries: 20_000 });

  constructor(
    private readonly store: ConversationStore,
    private readonly logger: Logger,
    private readonly fallbackServiceUrl?: string,
  ) {}

  /** A reference to the conversation of `activity`, not tied to one message (so posts start new threads). */
  static of(activity: Partial<Activity>): ConversationReference {
    const ref = TurnContext.getConversationReference(activity) as ConversationReference;
    delete ref.activityId;
    return ref;
  }

  /** Remembers the conversation of an incoming activity, and the person's 1:1 chat by id and by verified email. */
  async remember(activity: Activity, user?: ChatUser): Promise<void> {
    const ref = ConversationReferences.of(activity);
    const tenantId =
      activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } })?.tenant?.id;
    const writes: Promise<void>[] = [
      this.save(ConversationKeys.conversation(ref.conversation.id), ref),
      this.save(ConversationKeys.service, {
        serviceUrl: activity.serviceUrl,
        channelId: activity.channelId,
        bot: { id: activity.recipient.id, ...(activity.recipient.name ? { name: activity.recipient.name } : {}) },
        ...(tenantId ? { tenantId } : {}),
      } satisfies ServiceInfo),
    ];
    // The person's zone as their client sends it (`localTimezone`, IANA): their times are written in it.
    if (user?.timeZone && isZone(user.timeZone)) {
      writes.push(this.save(zoneKey(user.id), { timeZone: user.timeZone }));
    }
    if (activity.conversation?.conversationType === 'personal' && user) {
      writes.push(this.save(ConversationKeys.user(user.id), ref));
      if (user.email) writes.push(this.save(ConversationKeys.email(user.email), ref));
    }
    await Promise.all(writes);
  }

  async savePersonal(user: Pick<ChatUser, 'id' | 'email'>, ref: ConversationReference): Promise<void> {
    await this.save(ConversationKeys.user(user.id), ref);
    await this.save(ConversationKeys.conversation(ref.conversation.id), ref);
    if (user.email) await this.save(ConversationKeys.email(user.email), ref);
  }

  private async save(key: string, value: object): Promise<void> {
    const json = JSON.stringify(value);
    if (this.written.peek(key) === json) return;
    await this.store.saveConversation(key, JSON.parse(json) as Record<string, unknown>);
    this.written.set(key, json);
  }

  private async load(key: string): Promise<ConversationReference | undefined> {
    try {
      const value = await this.store.getConversation(key);
      return isReference(value) ? value : undefined;
    } catch (error) {
      this.logger.error({ err: error, platform: 'teams', key }, 'could not read a conversation reference');
      return undefined;
    }
  }

  /** The IANA zone a person's Teams client last sent (`localTimezone`), if any. */
  async timeZoneOf(aadObjectId: string): Promise<string | undefined> {
    try {
      const value = await this.store.getConversation(zoneKey(aadObjectId));
      return typeof value?.timeZone === 'string' && isZone(value.timeZone) ? value.timeZone : undefined;
    } catch (error) {
      this.logger.warn({ err: error, platform: 'teams' }, 'could not read a time zone; UTC is used');
      return undefined;
    }
  }

  forUser(aadObjectId: string): Promise<ConversationReference | undefined> {
    return this.load(ConversationKeys.user(aadObjectId));
  }

  forEmail(email: string): Promise<ConversationReference | undefined> {
    return this.load(ConversationKeys.email(email));
  }

  async service(): Promise<ServiceInfo | undefined> {
    const value = await this.store.getConversation(ConversationKeys.service);
    if (value && typeof value.serviceUrl === 'string' && typeof value.channelId === 'string') {
      return value as unknown as ServiceInfo;
    }
    return undefined;
  }

  /**
   * A conversation by id: the one captured, else one built from the service info (a channel the bot
   * is installed in can be posted to by its id).
   */
  async forConversation(conversationId: string): Promise<ConversationReference | undefined> {
    const stored = await this.load(ConversationKeys.conversation(conversationId));
    if (stored) return stored;
    const service = await this.service();
    const serviceUrl = service?.serviceUrl ?? this.fallbackServiceUrl;
    if (!serviceUrl) return undefined;
    return {
      channelId: service?.channelId ?? 'msteams',
      serviceUrl,
      bot: service?.bot ?? { id: 'keyless', name: 'keyless' },
      conversation: {
        id: conversationId,
        isGroup: true,
        conversationType: 'channel',
        name: '',
        ...(service?.tenantId ? { tenantId: service.tenantId } : {}),
      },
    } as ConversationReference;
  }

  /** The MRI (`29:…`) of the person in a stored 1:1 reference, for `refresh.userIds`. */
  static userIdOf(ref: ConversationReference | undefined): string | undefined {
    return ref?.user?.id;
  }
}
