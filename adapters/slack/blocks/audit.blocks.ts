import { auditLineSubject, type AuditAnswer, type AuditRecord } from '../../../src';
import { escapeText } from '../escape';
import { COMMAND } from '../ids';
import { context, section, type SlackMessage } from './common.blocks';

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

/** One event as a line: time (UTC), what happened, whose access, where, who acted, why. */
export function auditLine(r: AuditRecord): string {
  const actor = r.actorKind === 'system' ? 'keyless' : (r.actorEmail ?? r.actorName);
  const reason = r.reason ? ` — _${escapeText(r.reason, { maxLength: 120 })}_` : '';
  const { who, what } = auditLineSubject(r);
  return (
    `\`${when(r.at)}\` *${escapeText(r.event)}* ${escapeText(r.from)}→${escapeText(r.to)} · ` +
    `${escapeText(who)} · ${escapeText(r.accountName)} (${escapeText(r.accountId)}) · ` +
    `${escapeText(what)} · by ${escapeText(actor)}${reason}`
  );
}

/** The range and filters of an answer, as people read them. */
export function auditQueryText(a: AuditAnswer): string {
  const q = a.query;
  const filters = [
    q.user ? `person ${q.user}` : '',
    q.actor ? `actor ${q.actor}` : '',
    q.account ? `account ${q.account}` : '',
    q.permissionSet ? `permission set ${q.permissionSet}` : '',
    q.rule ? `rule ${q.rule}` : '',
  ].filter(Boolean);
  return `${when(q.since)} → ${when(q.until)} UTC${filters.length ? `, ${filters.join(', ')}` : ''}`;
}

/** The private answer to `/aws-access audit …`: one page of events, how to see the next, and the export. */
export function auditReply(a: AuditAnswer, nextCommand: string | undefined): SlackMessage {
  const head = `*Audit* · ${escapeText(auditQueryText(a))} · page ${a.page}`;
  if (a.records.length === 0) {
    return {
      text: `Audit: no events (page ${a.page}).`,
      blocks: [section(head), section(a.page > 1 ? 'No events on this page.' : 'No events match.')],
    };
  }
  // A section holds 3,000 characters: lines are grouped to stay under it.
  const groups: string[][] = [[]];
  let size = 0;
  for (const line of a.records.map(auditLine)) {
    if (size + line.length > 2800) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1]!.push(line);
    size += line.length + 1;
  }
  const footer = [
    a.more && nextCommand ? `Next page: \`${escapeText(nextCommand)}\`` : 'End of the answer.',
    a.export
      ? `The whole answer (${a.export.count} events${a.export.truncated ? ', cut at this many' : ''}) is in the CSV file sent to you in a direct message.`
      : '',
  ].filter(Boolean);
  return {
    text: `Audit: ${a.records.length} event(s), page ${a.page}.`,
    blocks: [section(head), ...groups.map((g) => section(g.join('\n'))), context(footer.join('\n'))],
  };
}

/** The words of the next page's command. */
export function nextAuditCommand(words: readonly string[], page: number): string {
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (/^--page=/i.test(w)) continue;
    if (/^--page$/i.test(w)) {
      i++;
      continue;
    }
    kept.push(w);
  }
  return `${COMMAND} audit ${[...kept, '--page', String(page + 1)].join(' ')}`;
}
