import { ErrorCodes, KeylessError, type Logger, type OnCallDirectory } from '../../../src';

/** PagerDuty's REST API v2. Only a loopback (tests, the playground) gives another base URL. */
export const PAGERDUTY_API_URL = 'https://api.pagerduty.com';

export interface PagerDutyOnCallOptions {
  /** A REST API key (read-only is enough). Sent as `Authorization: Token token=…`, never logged. */
  token: string;
  apiUrl?: string;
  /** How long an answer about who is on call is reused (except at a click, which asks again). Default 60 s. */
  cacheTtlMs?: number;
  /** Per request. Default 5 s. */
  timeoutMs?: number;
  logger: Logger;
  fetch?: typeof fetch;
  /** The adapter's own clock for its cache (not the engine's). */
  now?: () => number;
}

interface OnCallEntry {
  user?: { id?: string; email?: string; summary?: string; type?: string };
  schedule?: { id?: string } | null;
  start?: string | null;
  end?: string | null;
}

const PAGE = 100;
const MAX_PAGES = 20;

/** The schedule id of a policy reference `pagerduty:PXXXXXX`. */
export function pagerDutyScheduleId(ref: string): string {
  if (!ref.startsWith('pagerduty:')) {
    throw new KeylessError(ErrorCodes.ConfigInvalid, `"${ref}" is not a PagerDuty schedule (pagerduty:<id>).`);
  }
  return ref.slice('pagerduty:'.length);
}

/**
 * Who is on call, from PagerDuty's `GET /oncalls` (filtered by schedule, `earliest=true`, users
 * included for their email), paged with `offset`/`more`. Answers are cached briefly per schedule;
 * `fresh` asks again. A 429 is retried once after the delay PagerDuty names; 401/403 is a bad
 * token (CONFIG_INVALID), 404 an unknown schedule, anything else UNAVAILABLE.
 */
export class PagerDutyOnCall implements OnCallDirectory {
  private readonly cache = new Map<string, { atMs: number; fetchedAt: number; emails: string[] }>();
  private readonly apiUrl: string;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: PagerDutyOnCallOptions) {
    this.apiUrl = (options.apiUrl ?? PAGERDUTY_API_URL).replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = options.now ?? Date.now;
  }

  async whoIsOnCall(schedule: string, atMs: number, options: { fresh?: boolean } = {}): Promise<string[]> {
    const id = pagerDutyScheduleId(schedule);
    const ttl = this.options.cacheTtlMs ?? 60_000;
    const hit = this.cache.get(id);
    if (!options.fresh && hit && this.now() - hit.fetchedAt < ttl && Math.abs(atMs - hit.atMs) < ttl) {
      return hit.emails;
    }
    const since = new Date(atMs).toISOString();
    const until = new Date(atMs + 1000).toISOString();
    const emails = new Set<string>();
    for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams();
      query.append('schedule_ids[]', id);
      query.append('include[]', 'users');
      query.set('since', since);
      query.set('until', until);
      query.set('earliest', 'true');
      query.set('limit', String(PAGE));
      query.set('offset', String(offset));
      const body = (await this.get(`/oncalls?${query.toString()}`, { schedule })) as {
        oncalls?: OnCallEntry[];
        more?: boolean;
      };
      for (const entry of body.oncalls ?? []) {
        if (entry.schedule?.id !== id) continue;
        const start = entry.start ? Date.parse(entry.start) : -Infinity;
        const end = entry.end ? Date.parse(entry.end) : Infinity;
        if (!(start <= atMs && atMs < end)) continue;
        if (entry.user?.email) emails.add(entry.user.email.toLowerCase());
      }
      if (!body.more || (body.oncalls ?? []).length === 0) break;
      offset += PAGE;
    }
    const result = [...emails].sort();
    this.cache.set(id, { atMs, fetchedAt: this.now(), emails: result });
    this.options.logger.debug({ schedule, count: result.length }, 'on-call resolved');
    return result;
  }

  /** doctor: the token is accepted (GET /abilities answers for any valid REST API key). */
  async checkToken(): Promise<void> {
    await this.get('/abilities', {});
  }

  /** doctor: the schedule exists and the token may read it; returns its name. */
  async checkSchedule(schedule: string): Promise<{ name: string }> {
    const id = pagerDutyScheduleId(schedule);
    const body = (await this.get(`/schedules/${encodeURIComponent(id)}`, { schedule })) as {
      schedule?: { name?: string; summary?: string };
    };
    return { name: body.schedule?.name ?? body.schedule?.summary ?? id };
  }

  private async get(path: string, fields: Record<string, string>, retried = false): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetch(`${this.apiUrl}${path}`, {
        headers: {
          Accept: 'application/json',
          Authorization: `Token token=${this.options.token}`,
        },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw new KeylessError(ErrorCodes.Unavailable, 'PagerDuty could not be reached.', {
        details: fields,
        cause: error,
      });
    }
    if (response.status === 429 && !retried) {
      const reset = Number(response.headers.get('retry-after') ?? response.headers.get('ratelimit-reset') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.min(5, Math.max(0, reset || 1)) * 1000));
      return this.get(path, fields, true);
    }
    if (response.ok) return response.json();
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 401 || response.status === 403) {
      throw new KeylessError(
        ErrorCodes.ConfigInvalid,
        `PagerDuty refused the API key (HTTP ${response.status}): check KEYLESS_PAGERDUTY_TOKEN.`,
        { details: { ...fields, status: response.status } },
      );
    }
    if (response.status === 404) {
      throw new KeylessError(ErrorCodes.ConfigInvalid, `PagerDuty has no ${fields.schedule ?? 'such resource'}.`, {
        details: { ...fields, status: 404 },
      });
    }
    throw new KeylessError(
      response.status === 429 ? ErrorCodes.Throttled : ErrorCodes.Unavailable,
      `PagerDuty answered HTTP ${response.status}.`,
      { details: { ...fields, status: response.status } },
    );
  }
}
