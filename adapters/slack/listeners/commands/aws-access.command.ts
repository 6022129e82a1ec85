import type { App, RespondFn, SlashCommand as SlackSlashCommand } from '@slack/bolt';
import { ErrorCodes, KeylessError, type ChatUser } from '../../../../src';
import { auditReply, nextAuditCommand } from '../../blocks/audit.blocks';
import { shareFile } from '../../slack-files';
import { requestModal } from '../../blocks/request-modal.blocks';
import {
  accountsReply,
  approvalsReply,
  errorReply,
  grantEndingReply,
  helpReply,
  listReply,
  problemReply,
  requestReply,
  requestStateReply,
  whyReply,
} from '../../blocks/replies.blocks';
import { context, type SlackMessage } from '../../blocks/common.blocks';
import { rootWindowReply } from '../../blocks/alert-modal.blocks';
import { bundleReply } from '../../blocks/bundle.blocks';
import { postureMessage } from '../../blocks/posture.blocks';
import { COMMAND } from '../../ids';
import { USAGE, parseCommand, type SlashCommand } from '../../parse-command';
import { actorOf, alertsOf, type ListenerContext } from '../context';

const ACCOUNTS_SHOWN = 25;

/**
 * `/aws-access …`. Help and malformed input are answered in the ack itself (ephemeral, no engine
 * call). `/aws-access` alone opens the request form at once (trigger_id lives 3 s). Everything else
 * is acked first, then one engine call, then an ephemeral answer through response_url.
 */
export function registerAwsAccessCommand(app: App, ctx: ListenerContext): void {
  app.command(COMMAND, async ({ command, ack, respond }) => {
    const parsed = parseCommand(command.text ?? '');
    if (parsed.kind === 'problem') return ack({ response_type: 'ephemeral', ...problemReply(parsed) });
    if (parsed.kind === 'help') return ack({ response_type: 'ephemeral', ...helpReply(parsed.topic) });
    await ack();
    if (parsed.kind === 'modal') {
      await ctx.api
        .call('views.open', { trigger_id: command.trigger_id, view: requestModal() })
        .catch(async (error: unknown) => {
          ctx.logger.warn({ err: error, actor: `slack:${command.user_id}` }, 'request form not opened');
          await say(respond, errorReply(error));
        });
      return;
    }
    await ctx.afterAck(async () => {
      try {
        const user = await actorOf(ctx, command.user_id, command.team_id);
        await say(respond, await run(ctx, parsed, user, command));
      } catch (error) {
        await say(respond, errorReply(error, USAGE[parsed.kind].example));
      }
    });
  });
}

/**
 * `/aws-access audit …`: one page in the ephemeral answer; a longer answer also as a CSV file in
 * the auditor's DM with the app (files.uploadV2), never in a channel.
 */
async function auditAnswer(
  ctx: ListenerContext,
  words: string[],
  user: ChatUser,
  userId: string,
): Promise<SlackMessage> {
  const reader = ctx.audit?.();
  if (!reader) throw new KeylessError(ErrorCodes.ConfigInvalid, 'The audit is not set up in this keyless.');
  const answer = await reader.read(user, words);
  const reply = auditReply(answer, nextAuditCommand(words, answer.page));
  if (!answer.export) return reply;
  try {
    await shareFile(ctx.api, {
      channel: await ctx.directory.dmChannel(userId),
      filename: answer.export.filename,
      bytes: Buffer.from(answer.export.text, 'utf8'),
      title: answer.export.filename,
      altText: 'The audit export, as CSV',
      initialComment: `The audit export you asked for: ${answer.export.count} event(s)${answer.export.truncated ? ' (cut at this many: narrow the range for the rest)' : ''}.`,
    });
    return reply;
  } catch (error) {
    ctx.logger.warn({ err: error, actor: `slack:${userId}` }, 'audit export not uploaded');
    return {
      ...reply,
      blocks: [
        ...(reply.blocks ?? []),
        context(
          ':warning: The export file could not be sent to you; the pages above are complete, try again for the file.',
        ),
      ],
    };
  }
}

async function say(respond: RespondFn, message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
}

async function run(
  ctx: ListenerContext,
  c: Exclude<SlashCommand, { kind: 'help' | 'modal' }>,
  user: ChatUser,
  command: SlackSlashCommand,
): Promise<SlackMessage> {
  const { engine } = ctx;
  const idempotencyKey = `slack:${command.team_id}:cmd:${command.trigger_id}`;
  switch (c.kind) {
    case 'request':
      if (c.accounts) {
        return bundleReply(
          await engine.requestBundle({
            requester: user,
            accounts: c.accounts,
            permissionSet: c.permissionSet,
            duration: c.duration,
            reason: c.reason,
            ...(c.ticket ? { ticket: c.ticket } : {}),
            ...(c.start ? { start: c.start } : {}),
            idempotencyKey,
          }),
        );
      }
      return requestReply(
        await engine.requestAccess({
          requester: user,
          account: c.account,
          permissionSet: c.permissionSet,
          duration: c.duration,
          reason: c.reason,
          ...(c.ticket ? { ticket: c.ticket } : {}),
          ...(c.start ? { start: c.start } : {}),
          idempotencyKey,
        }),
      );
    case 'break-glass':
      return requestReply(
        await engine.requestAccess({
          requester: user,
          account: c.account,
          permissionSet: c.permissionSet,
          duration: c.duration ?? '1h',
          reason: c.reason,
          breakGlass: true,
          idempotencyKey,
        }),
      );
    case 'list':
      return listReply(await engine.listMine(user), user.timeZone);
    case 'approvals':
      return approvalsReply(await engine.approvalsFor(user));
    case 'revoke':
      return grantEndingReply(
        await engine.revoke({ grantId: c.grantId, actor: user, ...(c.reason ? { reason: c.reason } : {}) }),
        user.timeZone,
      );
    case 'extend':
      return requestReply(
        await engine.extend({
          grantId: c.grantId,
          actor: user,
          duration: c.duration,
          ...(c.reason ? { reason: c.reason } : {}),
          idempotencyKey,
        }),
      );
    case 'cancel':
      return requestStateReply((await engine.cancel({ requestId: c.requestId, actor: user })).request);
    case 'why':
      return whyReply(await engine.explain({ user, account: c.account, permissionSet: c.permissionSet }));
    case 'accounts':
      return accountsReply(await engine.findAccounts(c.filter, ACCOUNTS_SHOWN + 1), c.filter, ACCOUNTS_SHOWN);
    case 'audit':
      return auditAnswer(ctx, c.words, user, command.user_id);
    case 'root-window':
      return rootWindowReply(
        await alertsOf(ctx).announceRootWindow({
          actor: user,
          account: c.account,
          duration: c.duration,
          reason: c.reason,
        }),
      );
    case 'posture':
      return postureMessage(await alertsOf(ctx).posture({ actor: user }), 'IAM posture now');
  }
}
