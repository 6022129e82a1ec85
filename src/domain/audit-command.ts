import type { AuditFormat } from './audit-export';
import { parseAuditTime } from './audit-export';
import type { AuditQuery } from './audit-record';

/** The options of an audit read, as typed (CLI flags or chat words). */
export interface AuditCommandOptions {
  since?: string;
  until?: string;
  user?: string;
  actor?: string;
  account?: string;
  permissionSet?: string;
  rule?: string;
  format?: string;
}

/** The default range when `--since` is not given. */
export const DEFAULT_AUDIT_DAYS = 90;

/** Reads the options into a query, or says what is wrong with them. */
export function auditQueryFromOptions(
  options: AuditCommandOptions,
  now: number,
): { query: AuditQuery; format: AuditFormat } | { problem: string } {
  const format = (options.format ?? 'csv').toLowerCase();
  if (format !== 'csv' && format !== 'jsonl') {
    return { problem: `--format must be csv or jsonl, not "${options.format}".` };
  }
  const since = parseAuditTime(options.since ?? `${DEFAULT_AUDIT_DAYS}d`, now);
  if (since === undefined) {
    return {
      problem: `--since "${options.since}" is not a date (YYYY-MM-DD), an ISO 8601 time or a number of days (90d).`,
    };
  }
  const until = options.until === undefined ? now : parseAuditTime(options.until, now, true);
  if (until === undefined) {
    return {
      problem: `--until "${options.until}" is not a date (YYYY-MM-DD), an ISO 8601 time or a number of days (7d).`,
    };
  }
  if (since > until) return { problem: 'The start of the range (--since) is after its end (--until).' };
  const query: AuditQuery = {
    since,
    until,
    ...(options.user ? { user: options.user } : {}),
    ...(options.actor ? { actor: options.actor } : {}),
    ...(options.account ? { account: options.account } : {}),
    ...(options.permissionSet ? { permissionSet: options.permissionSet } : {}),
    ...(options.rule ? { rule: options.rule } : {}),
  };
  return { query, format };
}

const FLAGS: Record<string, keyof AuditCommandOptions | 'page'> = {
  since: 'since',
  until: 'until',
  user: 'user',
  actor: 'actor',
  account: 'account',
  'permission-set': 'permissionSet',
  ps: 'permissionSet',
  rule: 'rule',
  format: 'format',
  page: 'page',
};

/**
 * The words after `audit` in chat: `--since 2026-11-01 --user rita@example.com --page 2` (also
 * `--user=rita@example.com`). A bare first word that is an email stands for `--user`. Answers the
 * options and the page (1-based), or the problem.
 */
export function parseAuditWords(
  words: readonly string[],
): { options: AuditCommandOptions; page: number } | { problem: string } {
  const options: AuditCommandOptions = {};
  let page = 1;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (i === 0 && !word.startsWith('--') && word.includes('@')) {
      options.user = stripMailto(word);
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/i.exec(word);
    const flag = m ? FLAGS[m[1]!.toLowerCase()] : undefined;
    if (!m || !flag) {
      return {
        problem: `"${word}" is not an audit option: use --since, --until, --user, --actor, --account, --permission-set, --rule or --page.`,
      };
    }
    const value = m[2] ?? words[++i];
    if (value === undefined || value === '' || value.startsWith('--')) return { problem: `--${m[1]} needs a value.` };
    if (flag === 'page') {
      if (!/^\d{1,3}$/.test(value) || Number(value) < 1) return { problem: '--page must be a page number (1, 2, …).' };
      page = Number(value);
    } else {
      options[flag] = flag === 'user' || flag === 'actor' ? stripMailto(value) : value;
    }
  }
  return { options, page };
}

/** Slack turns a typed address into `<mailto:a@b|a@b>`: the address itself. */
function stripMailto(text: string): string {
  const m = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(text);
  return m ? m[1]! : text;
}
