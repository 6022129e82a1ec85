import { TeamsInfo, type TeamsChannelAccount, type TurnContext } from 'botbuilder';
import type { ChatUser, Logger } from '../../src';
import { TtlCache } from '../shared/ttl-cache';

export interface TeamsPerson {
  user: ChatUser;
  /** The Teams user id (MRI, `29:…`), which `refresh.userIds` and mentions use. */
  mri: string;
}

/**
 * Who sent an activity: the roster's answer (TeamsInfo.getMember), never text the person typed.
 * The email is the roster's `email`, else its UPN; without either the person stays unverified and
 * the engine refuses (UNVERIFIED_IDENTITY). The Entra ID object id comes along as `directoryId`, which
 * Identity Center is asked for first. Answers are cached for a while per tenant and user.
 */
export class TeamsRoster {
  private readonly cache: TtlCache<TeamsChannelAccount>;

  constructor(
    private readonly logger: Logger,
    ttlMs = 10 * 60_000,
  ) {
    this.cache = new TtlCache({ ttlMs, maxEntries: 10_000 });
  }

  async whoSent(ctx: TurnContext): Promise<TeamsPerson> {
    const a = ctx.activity;
    const tenantId = a.conversation?.tenantId ?? (a.channelData as { tenant?: { id?: string } })?.tenant?.id ?? '';
    let member: TeamsChannelAccount | undefined;
    try {
      member = await this.cache.get(`${tenantId}:${a.from.id}`, () => TeamsInfo.getMember(ctx, a.from.id));
    } catch (error) {
      this.logger.warn(
        { err: error, platform: 'teams', actor: a.from.id },
        'roster lookup failed; the user stays unverified',
      );
    }
    const email =
      member?.email?.trim() || (member?.userPrincipalName?.includes('@') ? member.userPrincipalName.trim() : undefined);
    // The Entra ID object id, from the roster (or the authenticated activity): Identity Center users
    // provisioned by SCIM from Entra ID carry it as their external id.
    const directoryId = member?.aadObjectId ?? a.from.aadObjectId;
    const user: ChatUser = {
      platform: 'teams',
      id: directoryId ?? a.from.id,
      displayName: member?.name ?? a.from.name ?? 'someone',
      ...(email ? { email } : {}),
      ...(a.localTimezone ? { timeZone: a.localTimezone } : {}),
      ...(tenantId ? { workspaceId: tenantId } : {}),
      ...(directoryId ? { directoryId } : {}),
    };
    return { user, mri: a.from.id };
  }
}
