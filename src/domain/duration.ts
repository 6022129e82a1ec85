import { DateTime, Duration } from 'luxon';
import { ErrorCodes, KeylessError } from './errors';

/** Nothing keyless grants lasts longer than this, whatever a rule says. */
export const ABSOLUTE_MAX_SECONDS = 30 * 24 * 3600;
const EXAMPLES = 'Try 90m, 2h, 1h30m, 1d, PT2H or "until 18:00".';

export interface DurationContext {
  /** Now, in epoch milliseconds (from the Clock port). */
  nowMs: number;
  /** The requester's IANA time zone, for "until HH:MM". Defaults to UTC. */
  zone?: string;
}

function invalid(input: string, why: string): KeylessError {
  return new KeylessError(ErrorCodes.InvalidDuration, `"${input}" is not a duration I understand: ${why}.`, {
    hint: EXAMPLES,
  });
}

const COMPACT = /^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$/i;
const UNTIL = /^until\s+(\d{1,2}):(\d{2})$/i;

/** The forms every duration keyless reads (chat, policy file, environment) is written in. */
export const DURATION_FORMS = '90m, 2h, 1h30m, 1d (days, hours, minutes) or ISO 8601 such as PT15M or P1D';

/**
 * The one reader of a span of time (no time of day): `90m`, `2h`, `1h30m`, `1d`, `45min`, ISO 8601
 * (`PT2H`, `P1DT1H`). Whole seconds; a KeylessError (INVALID_DURATION) saying why otherwise.
 * Requests, the policy file and the environment all go through it, so they accept the same text.
 */
export function parseSpan(raw: string): number {
  const input = raw.trim();
  if (input === '') throw invalid(raw, 'it is empty');
  if (input.startsWith('-')) throw invalid(input, 'a duration cannot be negative');
  const compact = COMPACT.exec(input);
  let seconds: number;
  if (/^P/i.test(input)) {
    const iso = Duration.fromISO(input.toUpperCase());
    if (!iso.isValid) throw invalid(input, 'it is not a valid ISO 8601 duration');
    seconds = Math.round(iso.as('seconds'));
  } else if (compact && (compact[1] || compact[2] || compact[3])) {
    const [d, h, m] = [compact[1], compact[2], compact[3]].map((x) => (x ? Number(x) : 0)) as [number, number, number];
    seconds = d * 86400 + h * 3600 + m * 60;
  } else if (/^\d+$/.test(input)) {
    throw invalid(input, 'a number needs a unit (m, h or d)');
  } else {
    throw invalid(input, 'use minutes, hours or days');
  }
  if (!Number.isFinite(seconds) || seconds < 0) throw invalid(input, 'a duration cannot be negative');
  return seconds;
}

/**
 * A configured span (policy file, environment) between `minSeconds` and `maxSeconds`: the seconds,
 * or the reason it is refused, written to follow the setting's name (`KEYLESS_RECONCILE_EVERY: …`).
 */
export function checkSpan(
  raw: string,
  bounds: { minSeconds: number; maxSeconds: number },
): { ok: true; seconds: number } | { ok: false; problem: string } {
  let seconds: number;
  try {
    seconds = parseSpan(raw);
  } catch {
    return { ok: false, problem: `"${raw.slice(0, 40)}" is not a duration; write ${DURATION_FORMS}` };
  }
  if (seconds < bounds.minSeconds || seconds > bounds.maxSeconds) {
    return {
      ok: false,
      problem: `"${raw.slice(0, 40)}" is out of range: it must be between ${formatDuration(bounds.minSeconds)} and ${formatDuration(bounds.maxSeconds)} (${DURATION_FORMS})`,
    };
  }
  return { ok: true, seconds };
}

/**
 * Parses a requested duration into whole seconds: `90m`, `2h`, `1h30m`, `1d`, ISO 8601 (`PT2H`),
 * or `until 18:00` in the requester's time zone (tomorrow if that time has passed today).
 */
export function parseDuration(raw: string, ctx: DurationContext): number {
  const input = raw.trim();
  const until = UNTIL.exec(input);
  const seconds = until ? secondsUntil(input, Number(until[1]), Number(until[2]), ctx) : parseSpan(raw);
  if (seconds < 60) {
    throw new KeylessError(ErrorCodes.InvalidDuration, `"${input}" is too short: the shortest grant is 1 minute.`, {
      hint: EXAMPLES,
    });
  }
  if (seconds > ABSOLUTE_MAX_SECONDS) {
    throw new KeylessError(
      ErrorCodes.DurationTooLong,
      `"${input}" is far too long: keyless grants at most ${formatDuration(ABSOLUTE_MAX_SECONDS)}.`,
      { hint: 'Ask for the time you need now, and extend the grant later if you must.' },
    );
  }
  return seconds;
}

function secondsUntil(input: string, hour: number, minute: number, ctx: DurationContext): number {
  if (hour > 23 || minute > 59) throw invalid(input, `${hour}:${String(minute).padStart(2, '0')} is not a time of day`);
  const zone = ctx.zone ?? 'UTC';
  const now = DateTime.fromMillis(ctx.nowMs, { zone });
  if (!now.isValid) throw invalid(input, `the time zone "${zone}" is unknown`);
  let target = now.set({ hour, minute, second: 0, millisecond: 0 });
  if (target <= now) target = target.plus({ days: 1 });
  return Math.round(target.diff(now).as('seconds'));
}

/** A short, human form: `2h`, `1h 30m`, `1d 2h`, `45s` for less than a minute. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean).join(' ') || '0m';
}

/** The zone a person's times are written in: their own (a valid IANA name), else UTC. */
export function readerZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  return DateTime.fromMillis(0, { zone }).isValid ? zone : 'UTC';
}

/**
 * The one way keyless writes an instant for a person, on every platform: in their own zone (chat
 * profile: Slack users.info `tz`, Teams `localTimezone`), with the zone's abbreviation or offset
 * and its name, `Mon 23 Nov, 10:00 GMT+1 (Europe/Paris)`; with no known zone, in UTC and saying so,
 * `Mon 23 Nov, 09:00 (UTC)`. Pure: the same instant and zone give the same text on Slack and Teams.
 */
export function formatLocalTime(epochMs: number, zone?: string): string {
  const name = readerZone(zone);
  const dt = DateTime.fromMillis(epochMs, { zone: name, locale: 'en-US' });
  const when = dt.toFormat('ccc d LLL, HH:mm');
  if (name === 'UTC' || name === 'Etc/UTC') return `${when} (UTC)`;
  return `${when} ${dt.offsetNameShort ?? dt.toFormat('ZZ')} (${name})`;
}
