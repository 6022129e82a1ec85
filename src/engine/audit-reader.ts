import {
  ErrorCodes,
  KeylessError,
  isKeylessError,
  auditCsvHeader,
  auditCsvLine,
  activityOfRecord,
  auditQueryFromOptions,
  normalizeEmail,
  parseAuditWords,
  type AuditQuery,
  type AuditRecord,
  type ChatUser,
} from '../domain';
import type { AuditLog, Clock } from '../ports';
import { ExportActivity, type GrantActivitySource } from './export-activity';

export interface AuditReaderDeps {
  log: AuditLog;
  clock: Clock;
  /**
   * Whether a person may read the audit. Default: their verified email is in `auditors`. A chat
   * platform may add its own group (a Slack user group): it is asked only with a verified person.
   */
  isAuditor?: (user: ChatUser) => Promise<boolean>;
  /** The auditors' emails (KEYLESS_AUDITORS). */
  auditors: () => readonly string[];
  /** Events shown per page in chat. Default 15. */
  pageSize?: number;
  /** At most this many events in an export file. Default 10,000. */
  exportMax?: number;
  /** The activity summaries stored with grants, for the export file's activity columns (issue 18). */
  activity?: GrantActivitySource;
}

export interface AuditAnswer {
  query: AuditQuery;
  page: number;
  pageSize: number;
  records: AuditRecord[];
  /** A next page exists. */
  more: boolean;
  /** The whole answer as CSV, when it is longer than one page. */
  export?: { filename: string; text: string; count: number; truncated: boolean };
}

/** Whether `user` is one of `auditors` by the email their chat platform verified (never a typed one). */
export function isListedAuditor(user: ChatUser, auditors: readonly string[]): boolean {
  const email = user.email?.trim();
  if (!email) return false;
  const wanted = normalizeEmail(email);
  return auditors.some((a) => normalizeEmail(a) === wanted);
}

/**
 * `audit …` in chat: the events that answer the words, one page at a time, for auditors only.
 * Everyone else is refused before anything is read. An answer longer than one page also comes as
 * a CSV file of the whole answer (up to `exportMax` events, said when cut).
 */
export class AuditReader {
  constructor(private readonly deps: AuditReaderDeps) {}

  async mayRead(user: ChatUser): Promise<boolean> {
    if (isListedAuditor(user, this.deps.auditors())) return true;
    if (!user.email?.trim() || !this.deps.isAuditor) return false;
    return this.deps.isAuditor(user);
  }

  /**
   * `mayRead`, failing closed: a group check that cannot answer (a chat platform's error) is a
   * refusal that says why, never a way in.
   */
  private async mayReadOrRefuse(user: ChatUser): Promise<boolean> {
    try {
      return await this.mayRead(user);
    } catch (error) {
      if (isKeylessError(error) && error.code === ErrorCodes.NotAllowed) throw error;
      throw new KeylessError(
        ErrorCodes.NotAllowed,
        'keyless could not check whether you are in the auditors group, so the audit stays closed. Try again in a minute; if it persists, tell your security team.',
      );
    }
  }

  /**
   * `at`: the moment the words are read at (`--since 30d` counts back from it; default now). An
   * export asked for earlier and fetched later (a Teams file accepted minutes after) names the
   * same window; it may not lie ahead of now.
   */
  async read(actor: ChatUser, words: readonly string[], options: { at?: number } = {}): Promise<AuditAnswer> {
    if (!(await this.mayReadOrRefuse(actor))) {
      throw new KeylessError(
        ErrorCodes.NotAllowed,
        'Only members of the auditors group can read the audit. Ask your security team to add you (KEYLESS_AUDITORS).',
      );
    }
    const parsed = parseAuditWords(words);
    if ('problem' in parsed) throw new KeylessError(ErrorCodes.InvalidInput, parsed.problem);
    const now = Math.min(options.at ?? this.deps.clock.now(), this.deps.clock.now());
    const built = auditQueryFromOptions(parsed.options, now);
    if ('problem' in built) throw new KeylessError(ErrorCodes.InvalidInput, built.problem);
    const pageSize = this.deps.pageSize ?? 15;
    const { query } = built;
    // Pages are counted from the start: the cursor of page n is where page n-1 stopped.
    let cursor: string | undefined;
    let page: AuditRecord[] = [];
    for (let n = 1; n <= parsed.page; n++) {
      const got = await this.deps.log.queryAudit({ ...query, limit: pageSize, ...(cursor ? { cursor } : {}) });
      page = got.records;
      cursor = got.cursor;
      if (!cursor && n < parsed.page) {
        page = [];
        break;
      }
    }
    const more = cursor !== undefined && (await this.hasMore(query, cursor));
    const answer: AuditAnswer = { query, page: parsed.page, pageSize, records: page, more };
    if (more || parsed.page > 1) answer.export = await this.exportOf(query, now);
    return answer;
  }

  private async hasMore(query: AuditQuery, cursor: string): Promise<boolean> {
    return (await this.deps.log.queryAudit({ ...query, limit: 1, cursor })).records.length > 0;
  }

  private async exportOf(query: AuditQuery, now: number): Promise<NonNullable<AuditAnswer['export']>> {
    const max = this.deps.exportMax ?? 10_000;
    let text = auditCsvHeader();
    let count = 0;
    let cursor: string | undefined;
    const activity = this.deps.activity && new ExportActivity(this.deps.activity);
    do {
      const got = await this.deps.log.queryAudit({
        ...query,
        limit: Math.min(500, max - count),
        ...(cursor ? { cursor } : {}),
      });
      const activities = await activity?.of(got.records);
      text += got.records.map((r) => auditCsvLine(r, activityOfRecord(r, activities))).join('');
      count += got.records.length;
      cursor = got.cursor;
    } while (cursor && count < max);
    const truncated = cursor !== undefined && (await this.hasMore(query, cursor));
    const day = new Date(now).toISOString().slice(0, 10);
    const who = (query.user ?? query.actor ?? query.account ?? 'all').replace(/[^A-Za-z0-9@._-]/g, '_');
    return { filename: `keyless-audit-${who}-${day}.csv`, text, count, truncated };
  }
}
