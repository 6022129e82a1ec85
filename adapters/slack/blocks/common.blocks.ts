import type { types } from '@slack/bolt';
import { formatDuration, formatLocalTime, startsText, type AccessRequest, type Actor, type Grant } from '../../../src';
import { escapeText, mention, ticketLink } from '../escape';

export type Block = types.KnownBlock;
export type ModalView = types.ModalView;
export type HomeView = types.HomeView;
export type PlainTextOption = types.PlainTextOption;

/** A message as chat.postMessage/chat.update take it: blocks, and the notification text. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export const md = (text: string): types.MrkdwnElement => ({ type: 'mrkdwn', text });
export const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

export const section = (text: string): types.SectionBlock => ({ type: 'section', text: md(text) });
export const context = (...texts: string[]): types.ContextBlock => ({ type: 'context', elements: texts.map(md) });
export const header = (text: string): types.HeaderBlock => ({ type: 'header', text: plain(text.slice(0, 150)) });
export const divider = (): types.DividerBlock => ({ type: 'divider' });

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): types.Button {
  return { type: 'button', text: plain(text), action_id: actionId, value, ...(style ? { style } : {}) };
}

/** Who did something: a Slack user as a mention (rendered by Slack, not spoofable), anyone else escaped. */
export function actorText(actor: Pick<Actor, 'id' | 'name' | 'kind'>): string {
  if (actor.kind === 'system') return 'keyless';
  if (actor.id.startsWith('slack:')) return mention(actor.id.slice('slack:'.length), actor.name);
  return escapeText(actor.name, { maxLength: 80 });
}

export function requesterText(r: Pick<AccessRequest, 'requester'>): string {
  return r.requester.platform === 'slack'
    ? mention(r.requester.id, r.requester.displayName)
    : `${escapeText(r.requester.displayName, { maxLength: 80 })} (${r.requester.platform})`;
}

export const accountText = (r: Pick<AccessRequest, 'accountName' | 'accountId'>): string =>
  `${escapeText(r.accountName, { maxLength: 80 })} (\`${r.accountId}\`)`;

/** A time shown to each reader in their own zone by Slack, with a UTC fallback. */
export function slackDate(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${formatLocalTime(epochMs, 'UTC')}>`;
}

/** The facts of a request, as section fields. */
export function requestFields(r: AccessRequest): types.SectionBlock {
  const fields = [
    md(`*Requester*\n${requesterText(r)}`),
    md(`*Account*\n${accountText(r)}`),
    md(`*Permission set*\n${escapeText(r.permissionSetName, { maxLength: 80 })}`),
    md(`*Duration*\n${formatDuration(r.durationSeconds)}`),
    md(`*Reason*\n${escapeText(r.reason) || '—'}`),
  ];
  if (r.startsAt !== undefined) fields.push(md(`*Starts*\n${formatLocalTime(r.startsAt, r.requester.timeZone)}`));
  if (r.ticket) fields.push(md(`*Ticket*\n${ticketLink(r.ticket)}`));
  return { type: 'section', fields };
}

export function kindLabel(r: Pick<AccessRequest, 'kind'>): string {
  return r.kind === 'extension'
    ? 'Extension request'
    : r.kind === 'break_glass'
      ? 'Break-glass access'
      : 'Access request';
}

/** Where a request stands, in one line (the outcome stays visible once the buttons are gone). */
export function requestStatusLine(r: AccessRequest): string {
  const approvers = r.approvals.map((a) => actorText(a.actor)).join(', ');
  switch (r.status) {
    case 'pending':
      return `:hourglass_flowing_sand: *Waiting for approval*: ${r.approvals.length} of ${r.approvalsRequired}${approvers ? ` (approved by ${approvers})` : ''}`;
    case 'approved':
      return r.approvalsRequired === 0
        ? ':white_check_mark: *Approved* automatically by policy'
        : `:white_check_mark: *Approved* (${r.approvals.length} of ${r.approvalsRequired}) by ${approvers}`;
    case 'denied':
      return `:no_entry: *Denied* by ${r.denial ? actorText(r.denial.actor) : 'an approver'}: ${escapeText(r.denial?.reason) || 'no reason given'}`;
    case 'cancelled':
      return ':heavy_multiplication_x: *Cancelled* by the requester';
    case 'timed_out':
      return `:alarm_clock: *Timed out*: not decided by ${slackDate(r.decideBy)}`;
  }
}

/**
 * Where the grant behind an approved request stands. Its times are written in the requester's zone
 * (`formatLocalTime`, the rule of both platforms), so the approval message in Slack and the card in
 * Teams show the same instant the same way.
 */
export function grantStatusLine(g: Grant, zone: string | undefined = g.requester.timeZone): string {
  switch (g.status) {
    case 'scheduled':
      return `:calendar: Approved: access ${escapeText(startsText(g, zone))}`;
    case 'provisioning':
      return ':gear: Access is being set up in AWS…';
    case 'active':
      return `:large_green_circle: Access active until ${g.expiresAt !== undefined ? formatLocalTime(g.expiresAt, zone) : 'its expiry'}`;
    case 'deprovisioning':
      return ':gear: Access is being removed in AWS…';
    case 'expired':
      return `:white_circle: Access expired${g.endedAt !== undefined ? ` at ${formatLocalTime(g.endedAt, zone)}` : ''}`;
    case 'revoked':
      if (g.startsAt !== undefined && g.activatedAt === undefined)
        return `:white_circle: Scheduled access cancelled${g.endedBy ? ` by ${actorText(g.endedBy)}` : ''} before it started`;
      return `:white_circle: Access revoked${g.endedBy ? ` by ${actorText(g.endedBy)}` : ''}${g.endedAt !== undefined ? ` at ${formatLocalTime(g.endedAt, zone)}` : ''}`;
    case 'failed':
      return `:x: Access could not be set up: ${escapeText(g.failure?.message) || 'unknown AWS error'}`;
  }
}
