import { TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from '../../src';
import type { ServiceInfo } from './conversation-references';
import type { ConversationPacer } from './pacing';

/** The public cloud's Bot Connector audience (AuthenticationConstants.ToChannelFromBotOAuthScope). */
const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

/**
 * Proactive sends through the CloudAdapter: post, update in place, open a 1:1 chat. Every call is
 * paced per conversation and retried on 412/429/502/504 (see pacing.ts).
 */
export class TeamsOutbox {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly pacer: ConversationPacer,
    private readonly logger: Logger,
  ) {}

  private retried(conversationId: string) {
    return (status: number, attempt: number) =>
      this.logger.warn({ platform: 'teams', conversationId, status, attempt }, 'Teams asked us to retry');
  }

  /**
   * Runs `logic` in a proactive turn. The adapter's onTurnError would swallow a failed send, so the
   * error is carried out of the turn and rethrown here, where the pacer can retry it.
   */
  private async continueWith(ref: ConversationReference, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.appId, ref, async (ctx) => {
      try {
        await logic(ctx);
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined) throw failure;
  }

  /** Posts `activity` as a new message; resolves to its activity id. */
  async send(ref: ConversationReference, activity: Partial<Activity>): Promise<string | undefined> {
    let id: string | undefined;
    await this.pacer.run(
      ref.conversation.id,
      () =>
        this.continueWith(ref, async (ctx) => {
          const sent = await ctx.sendActivity({ type: 'message', ...activity });
          id = sent?.id;
        }),
      this.retried(ref.conversation.id),
    );
    return id;
  }

  async update(ref: ConversationReference, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.pacer.run(
      ref.conversation.id,
      () =>
        this.continueWith(ref, async (ctx) => {
          await ctx.updateActivity({ type: 'message', ...activity, id: activityId });
        }),
      this.retried(ref.conversation.id),
    );
  }

  /** Opens (or finds) the 1:1 chat between the bot and a user (by aadObjectId or MRI). */
  async openPersonal(service: ServiceInfo, memberId: string): Promise<ConversationReference> {
    let ref: ConversationReference | undefined;
    await this.pacer.run(
      `create:${memberId}`,
      () =>
        this.adapter.createConversationAsync(
          this.appId,
          service.channelId,
          service.serviceUrl,
          BOT_FRAMEWORK_AUDIENCE,
          {
            isGroup: false,
            bot: { id: service.bot.id, name: service.bot.name ?? 'keyless' },
            members: [{ id: memberId, name: '' }],
            ...(service.tenantId
              ? { tenantId: service.tenantId, channelData: { tenant: { id: service.tenantId } } }
              : {}),
          } as Parameters<CloudAdapter['createConversationAsync']>[4],
          async (ctx) => {
            const r = TurnContext.getConversationReference(ctx.activity) as ConversationReference;
            delete r.activityId;
            ref = {
              ...r,
              user: { id: memberId, name: '' },
              conversation: { ...r.conversation, conversationType: 'personal' },
            };
          },
        ),
      this.retried(`create:${memberId}`),
    );
    if (!ref) throw new Error('Teams did not open the 1:1 chat');
    return ref;
  }
}
