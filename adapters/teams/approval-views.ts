import {
  sameChatUser,
  type AccessRequest,
  type ChatUser,
  type ConversationStore,
  type Engine,
  type Grant,
  type Logger,
} from '../../src';
import { approvalCard, type ApprovalCardOptions, type ApprovalViewer } from './cards/approval.card';
import type { AdaptiveCard } from './cards/card';
import { MAX_REFRESH_USERS } from './cards/card';

const audienceKey = (requestId: string) => `teams:request:${requestId}:refresh`;

const sameEmail = (a: string | undefined, b: string | undefined) =>
  Boolean(a && b && a.trim().toLowerCase() === b.trim().toLowerCase());

/**
 * Who sees which approval card. The refresh audience (the Teams ids of the approvers and requester
 * keyless can reach, at most 60) is fixed when the request is posted and kept with the references,
 * so every later update of the message carries the same `refresh.userIds`.
 */
export class ApprovalViews {
  constructor(
    private readonly engine: Pick<Engine, 'approvalsFor' | 'getGrant'>,
    private readonly store: ConversationStore,
    private readonly logger: Logger,
  ) {}

  async rememberAudience(requestId: string, userIds: readonly string[]): Promise<string[]> {
    const ids = [...new Set(userIds)].slice(0, MAX_REFRESH_USERS);
    await this.store.saveConversation(audienceKey(requestId), { userIds: ids });
    return ids;
  }

  async audience(requestId: string): Promise<string[]> {
    try {
      const value = await this.store.getConversation(audienceKey(requestId));
      return Array.isArray(value?.userIds) ? value.userIds.filter((x): x is string => typeof x === 'string') : [];
    } catch (error) {
      this.logger.warn({ err: error, platform: 'teams', requestId }, 'refresh audience unavailable');
      return [];
    }
  }

  /** What this person may do with the request, decided from the engine's answers (never from card data). */
  async viewerOf(request: AccessRequest, user: ChatUser): Promise<ApprovalViewer> {
    if (request.status !== 'pending') return { kind: 'observer' };
    if (sameChatUser(request.requester, user) || sameEmail(request.requester.email, user.email)) {
      return { kind: 'requester' };
    }
    if (request.approvals.some((a) => a.actor.id === `teams:${user.id}` || sameEmail(a.actor.email, user.email))) {
      return { kind: 'already_approved' };
    }
    const mine = await this.engine.approvalsFor(user).catch(() => [] as AccessRequest[]);
    return mine.some((r) => r.id === request.id) ? { kind: 'approver' } : { kind: 'observer' };
  }

  async grantOf(request: AccessRequest): Promise<Grant | undefined> {
    return request.grantId ? this.engine.getGrant(request.grantId).catch(() => undefined) : undefined;
  }

  /** The card for one viewer (or the `base` card everyone sees). */
  async card(
    request: AccessRequest,
    viewer: ApprovalViewer,
    extra: Pick<ApprovalCardOptions, 'notice' | 'grant'> = {},
  ): Promise<AdaptiveCard> {
    const [refreshUserIds, grant] = await Promise.all([
      this.audience(request.id),
      extra.grant ? Promise.resolve(extra.grant) : this.grantOf(request),
    ]);
    return approvalCard(request, viewer, {
      refreshUserIds,
      ...(grant ? { grant } : {}),
      ...(extra.notice ? { notice: extra.notice } : {}),
    });
  }
}
