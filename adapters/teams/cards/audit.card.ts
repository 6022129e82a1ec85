import { auditLineSubject, type AuditAnswer, type AuditRecord } from '../../../src';
import { adaptiveCard, b, heading, text, type AdaptiveCard } from './card';
import { escapeCardText } from './escape';

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

/** One event as a line: time (UTC), what happened, whose access, where, who acted, why. */
export function auditCardLine(r: AuditRecord): string {
  const actor = r.actorKind === 'system' ? 'keyless' : (r.actorEmail ?? r.actorName);
  const reason = r.reason ? ` — ${escapeCardText(r.reason, { maxLength: 120 })}` : '';
  const { who, what } = auditLineSubject(r);
  return (
    `${when(r.at)} ${b(escapeCardText(r.event))} ${escapeCardText(r.from)}→${escapeCardText(r.to)} · ` +
    `${escapeCardText(who)} · ${escapeCardText(r.accountName)} (${escapeCardText(r.accountId)}) · ` +
    `${escapeCardText(what)} · by ${escapeCardText(actor)}${reason}`
  );
}

/** The private answer to `audit …` in the 1:1 chat: one page, how to see the next, and the export. */
export function auditCard(a: AuditAnswer, nextCommand: string | undefined): AdaptiveCard {
  const q = a.query;
  const filters = [
    q.user ? `person ${q.user}` : '',
    q.actor ? `actor ${q.actor}` : '',
    q.account ? `account ${q.account}` : '',
    q.permissionSet ? `permission set ${q.permissionSet}` : '',
    q.rule ? `rule ${q.rule}` : '',
  ].filter(Boolean);
  const range = `${when(q.since)} → ${when(q.until)} UTC${filters.length ? `, ${filters.join(', ')}` : ''}`;
  return adaptiveCard([
    heading(`Audit · page ${a.page}`),
    text(escapeCardText(range), { isSubtle: true }),
    ...(a.records.length === 0
      ? [text(a.page > 1 ? 'No events on this page.' : 'No events match.')]
      : a.records.map((r) => text(auditCardLine(r)))),
    text(
      [
        a.more && nextCommand ? `Next page: ${escapeCardText(nextCommand)}` : 'End of the answer.',
        a.export
          ? `The whole answer (${a.export.count} events${a.export.truncated ? ', cut at this many' : ''}) comes as a CSV file below: allow it to save it to your OneDrive.`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
      { isSubtle: true },
    ),
  ]);
}

/** The words of the next page's command. */
export function nextAuditWords(words: readonly string[], page: number): string {
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
  return `audit ${[...kept, '--page', String(page + 1)].join(' ')}`;
}
