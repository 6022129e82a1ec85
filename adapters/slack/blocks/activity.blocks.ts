import { activitySummaryText, type ActivitySummary, type Grant } from '../../../src';
import { escapeText } from '../escape';
import { accountText, context, section, type Block, type SlackMessage } from './common.blocks';

/** Slack takes at most 3,000 characters in a section's text. */
const SECTION_MAX = 2900;

/** A link Slack will not re-read: `&`, `<`, `>` as entities, `|` (the label separator) percent-encoded. */
const slackUrl = (url: string): string =>
  url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');

/**
 * What an ended grant did (its CloudTrail activity): the counts, the write actions (most significant
 * first), what the numbers do not cover, and a link to CloudTrail's event history. Every text from
 * AWS or the directory is escaped.
 */
export function activityBlocks(s: ActivitySummary): Block[] {
  const t = activitySummaryText(s);
  const title = s.final ? '*What this access did*' : '*What this access did* (early summary)';
  let body = `${title}: ${escapeText(t.headline, { maxLength: 400 })}`;
  if (t.writes.length > 0) {
    body += `\n${t.writes.map((w) => `• \`${escapeText(w, { maxLength: 160 }).replace(/`/g, "'")}\``).join('\n')}`;
  }
  if (body.length > SECTION_MAX) body = `${body.slice(0, SECTION_MAX - 1)}…`;
  return [
    section(body),
    context(
      // One element for every note (a context block holds at most 10), bounded like a section.
      escapeText(t.notes.join(' '), { maxLength: SECTION_MAX }),
      `<${slackUrl(s.consoleUrl)}|CloudTrail event history> for \`${escapeText(s.username, { maxLength: 120 })}\` (account ${escapeText(s.accountId, { maxLength: 20 })})`,
    ),
  ];
}

/** To the grantee and in the approval's thread: what the grant did, early or final. */
export function activityMessage(g: Grant, s: ActivitySummary, first: boolean): SlackMessage {
  const t = activitySummaryText(s);
  const lead = first
    ? `:mag: What the access to *${escapeText(g.permissionSetName, { maxLength: 80 })}* in ${accountText(g)} did`
    : `:mag: Updated: what the access to *${escapeText(g.permissionSetName, { maxLength: 80 })}* in ${accountText(g)} did`;
  return {
    text: `${first ? 'Activity' : 'Updated activity'} of ${g.permissionSetName} in ${g.accountName}: ${t.headline}`,
    blocks: [section(`${lead} (grant \`${g.id}\`).`), ...activityBlocks(s)],
  };
}
