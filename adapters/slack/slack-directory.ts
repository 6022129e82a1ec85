import { normalizeEmail, type ChatUser, type Logger } from '../../src';
import { TtlCache } from '../shared/ttl-cache';
import { slackErrorCode, type SlackApi } from './slack-api';

/**
 * The identity map, Slack side (design §5): a Slack user id → users.info → the email Slack verified
 * (`profile.email`, needs users:read.email) and the person's time zone. Never an email a person typed.
 * Results are cached for a few minutes: a changed email or a deactivation is seen within the TTL.
 */
interface UsersInfo {
  user?: {
    id: string;
    team_id?: string;
    name?: string;
    real_name?: string;
    deleted?: boolean;
    is_bot?: boolean;
    tz?: string;
    profile?: { email?: string; display_name?: string; real_name?: string };
  };
}

export class SlackDirectory {
  private readonly users: TtlCache<ChatUser>;
  private readonly byEmail: TtlCache<string | null>;
  private readonly dms: TtlCache<string>;

  constructor(
    private readonly api: SlackApi,
    private readonly logger: Logger,
    ttlMs = 5 * 60_000,
  ) {
    this.users = new TtlCache({ ttlMs, maxEntries: 20_000 });
    this.byEmail = new TtlCache({ ttlMs, maxEntries: 20_000 });
    this.dms = new TtlCache({ ttlMs: 24 * 3600_000, maxEntries: 20_000 });
  }

  /** The verified person behind a Slack user id. Deleted users and bots carry no email (no access). */
  chatUser(userId: string, teamId?: string): Promise<ChatUser> {
    return this.users.get(userId, async () => {
      const answer = (await this.api.call('users.info', { user: userId })) as UsersInfo;
      const u = answer.user;
      const trusted = u && !u.deleted && !u.is_bot;
      const email = trusted ? u.profile?.email : undefined;
      if (!email)
        this.logger.warn({ actor: `slack:${userId}`, code: 'UNVERIFIED_IDENTITY' }, 'no verified email in users.info');
      return {
        platform: 'slack',
        id: userId,
        displayName: u?.profile?.display_name || u?.real_name || u?.name || userId,
        ...(email ? { email } : {}),
        ...(u?.tz ? { timeZone: u.tz } : {}),
        ...((u?.team_id ?? teamId) ? { workspaceId: u?.team_id ?? teamId } : {}),
      };
    });
  }

  async timeZone(userId: string): Promise<string | undefined> {
    try {
      return (await this.chatUser(userId)).timeZone;
    } catch (error) {
      this.logger.warn({ err: error, actor: `slack:${userId}` }, 'users.info failed; showing UTC');
      return undefined;
    }
  }

  /** The Slack user with this (directory) email, if any: asked for and cached in its one normalised form. */
  async userIdByEmail(email: string): Promise<string | undefined> {
    const normalized = normalizeEmail(email);
    const id = await this.byEmail.get(normalized, async () => {
      try {
        const answer = (await this.api.call('users.lookupByEmail', { email: normalized })) as {
          user?: { id?: string };
        };
        return answer.user?.id ?? null;
      } catch (error) {
        if (slackErrorCode(error) === 'users_not_found') return null;
        throw error;
      }
    });
    return id ?? undefined;
  }

  /** The DM channel between the app and a user. */
  dmChannel(userId: string): Promise<string> {
    return this.dms.get(userId, async () => {
      const answer = (await this.api.call('conversations.open', { users: userId })) as { channel?: { id?: string } };
      if (!answer.channel?.id) throw new Error(`conversations.open gave no channel for ${userId}`);
      return answer.channel.id;
    });
  }
}
