import {
  ErrorCodes,
  KeylessError,
  type AlertEngine,
  type AuditReader,
  type ChatUser,
  type Engine,
  type Logger,
} from '../../../src';
import type { SlackMessage } from '../blocks/common.blocks';
import type { SlackApi } from '../slack-api';
import type { SlackDirectory } from '../slack-directory';

/** What every listener may use: one engine call per listener, Slack through the paced API. */
export interface ListenerContext {
  engine: Engine;
  api: SlackApi;
  directory: SlackDirectory;
  logger: Logger;
  /** Publishes a person's App Home. */
  publishHome(userId: string, problem?: string): Promise<void>;
  /**
   * Runs the work that follows an ack (engine call, answer) with bounded concurrency, so that a
   * burst of commands and clicks never slows the acks themselves: new requests are parsed and acked
   * while earlier work waits its turn. views.open never goes through here (trigger_id lives 3 s).
   */
  afterAck<T>(work: () => Promise<T>): Promise<T>;
  /** The security feed, once the composition root connected it (undefined: not configured). */
  alerts(): AlertEngine | undefined;
  /** The audit reader, once the composition root connected it (undefined: not set up). */
  audit?(): AuditReader | undefined;
}

/** The alert engine, or the refusal a person sees when the security feed is not set up here. */
export function alertsOf(ctx: ListenerContext): AlertEngine {
  const alerts = ctx.alerts();
  if (!alerts) throw new KeylessError(ErrorCodes.ConfigInvalid, 'The security feed is not configured in keyless.');
  return alerts;
}

/** The verified person behind a payload: the user id comes from the signed payload, the email from users.info. */
export function actorOf(ctx: ListenerContext, userId: string, teamId?: string): Promise<ChatUser> {
  return ctx.directory.chatUser(userId, teamId);
}

/** Where to send a private answer to an interaction. */
export interface ReplyTarget {
  respond?: (message: SlackMessage & { response_type: 'ephemeral'; replace_original: false }) => Promise<unknown>;
  channel?: string;
  userId: string;
}

/** Shows `message` to one person: through response_url when there is one, else as an ephemeral message. */
export async function replyPrivately(ctx: ListenerContext, target: ReplyTarget, message: SlackMessage): Promise<void> {
  try {
    if (target.respond) {
      await target.respond({ ...message, response_type: 'ephemeral', replace_original: false });
    } else if (target.channel) {
      await ctx.api.call('chat.postEphemeral', {
        channel: target.channel,
        user: target.userId,
        text: message.text,
        blocks: message.blocks,
      });
    } else {
      await ctx.publishHome(target.userId, message.text);
    }
  } catch (error) {
    ctx.logger.warn({ err: error, actor: `slack:${target.userId}` }, 'private reply not delivered');
  }
}
