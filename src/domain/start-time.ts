import { DateTime } from 'luxon';
import { formatDuration, formatLocalTime, readerZone } from './duration';
import { ErrorCodes, KeylessError } from './errors';

/**
 * Access that starts later (`--from`): the start a person typed, read in their own time zone (chat
 * profile; UTC when none is known, and the messages say so). Pure: now comes from the caller.
 */
export interface StartContext {
  /** Now, in epoch milliseconds (from the Clock port). */
  nowMs: number;
  /** The requester's IANA time zone. Defaults to UTC. */
  zone?: string;
  /** How far ahead a start may be (the rule's `maxStartAhead`, else the policy's). */
  maxAheadSeconds: number;
}

/** A start this close behind now (a picker set to the current minute) means now. */
export const START_GRACE_MS = 60_000;

export const START_FORMS = '09:00, tomorrow 09:00, 2026-12-24 09:00, or ISO 8601 such as 2026-12-24T09:00+01:00';

const TIME = /^(\d{1,2}):(\d{2})$/;
const DAY_TIME = /^(today|tomorrow)\s+(\d{1,2}):(\d{2})$/i;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function badStart(input: string, why: string): KeylessError {
  return new KeylessError(ErrorCodes.InvalidStart, `"${input}" is not a start time I understand: ${why}.`, {
    hint: `Write ${START_FORMS}.`,
  });
}

function validTime(input: string, hour: number, minute: number): void {
  if (hour > 23 || minute > 59)
    throw badStart(input, `${hour}:${String(minute).padStart(2, '0')} is not a time of day`);
}

/** The instant a typed start names, in `zone` (no check of past or ahead). */
function startInstant(input: string, now: DateTime): DateTime {
  const time = TIME.exec(input);
  if (time) {
    const [h, m] = [Number(time[1]), Number(time[2])];
    validTime(input, h, m);
    return now.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  }
  const dayTime = DAY_TIME.exec(input);
  if (dayTime) {
    const [h, m] = [Number(dayTime[2]), Number(dayTime[3])];
    validTime(input, h, m);
    const day = dayTime[1]!.toLowerCase() === 'tomorrow' ? now.plus({ days: 1 }) : now;
    return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  }
  const local = DATE_TIME.exec(input);
  if (local) {
    const [y, mo, d, h, mi, s] = local.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
    validTime(input, h!, mi!);
    const dt = DateTime.fromObject(
      { year: y!, month: mo!, day: d!, hour: h!, minute: mi!, second: s! },
      { zone: now.zone },
    );
    if (!dt.isValid || dt.day !== d || dt.month !== mo) throw badStart(input, 'that date does not exist');
    return dt;
  }
  // ISO 8601 with its own offset (2026-12-24T09:00:00Z, …+01:00): the offset it names wins.
  const iso = DateTime.fromISO(input, { zone: now.zone, setZone: true });
  if (iso.isValid && /\d{4}-\d{2}-\d{2}T/.test(input)) return iso;
  throw badStart(input, 'use a time of day, "tomorrow" and a time, or a date and a time');
}

/**
 * The start of access asked for later, as epoch ms, or undefined for "now" (no start, `now`, or a
 * start within a minute behind now). Refused with START_IN_PAST, START_TOO_FAR or INVALID_START,
 * each saying what to write instead. A bare time of day is today: if it has passed, the person is
 * asked to say `tomorrow` rather than being given access at a moment they did not name.
 */
export function parseStartTime(raw: string | undefined, ctx: StartContext): number | undefined {
  const input = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (input === '' || input.toLowerCase() === 'now') return undefined;
  if (input.length > 64) throw badStart(input.slice(0, 64), 'it is too long');
  const zone = readerZone(ctx.zone);
  const now = DateTime.fromMillis(ctx.nowMs, { zone });
  const start = startInstant(input, now).toMillis();
  const where = formatLocalTime(ctx.nowMs, zone);
  if (start < ctx.nowMs - START_GRACE_MS) {
    throw new KeylessError(
      ErrorCodes.StartInPast,
      `The start ${formatLocalTime(start, zone)} has already passed (it is now ${where}).`,
      {
        hint: TIME.test(input)
          ? `Write \`--from tomorrow ${input}\`, or leave --from out to start now.`
          : 'Give a time still to come, or leave --from out to start now.',
        details: { startsAt: start, now: ctx.nowMs },
      },
    );
  }
  if (start <= ctx.nowMs) return undefined;
  if (start - ctx.nowMs > ctx.maxAheadSeconds * 1000) {
    throw new KeylessError(
      ErrorCodes.StartTooFar,
      `The start ${formatLocalTime(start, zone)} is ${formatDuration((start - ctx.nowMs) / 1000)} ahead; this access may be asked for at most ${formatDuration(ctx.maxAheadSeconds)} ahead.`,
      {
        hint: `Ask for a start before ${formatLocalTime(ctx.nowMs + ctx.maxAheadSeconds * 1000, zone)}.`,
        details: { startsAt: start, now: ctx.nowMs, maxAheadSeconds: ctx.maxAheadSeconds },
      },
    );
  }
  return start;
}

/** Said beside a start when the person's zone is not known: the time was read in UTC. */
export function startZoneNote(zone: string | undefined): string | undefined {
  return readerZone(zone) === 'UTC' && !zone
    ? 'Your chat profile gives no time zone, so the start was read in UTC.'
    : undefined;
}

const DAY_WORD = /^(today|tomorrow|\d{4}-\d{2}-\d{2})$/i;
const CLOCK = /^\d{1,2}:\d{2}(?::\d{2})?$/;

/**
 * Takes `--from <start>` (or `--from=<start>`) out of the words of a chat command, wherever it is.
 * The start is one word (`09:00`, an ISO date-time) or two (`tomorrow 09:00`, `2026-12-24 09:00`).
 * `missing` is true for a `--from` with nothing after it. Pure: the engine reads the start.
 */
export function takeStartOption(words: readonly string[]): { words: string[]; start?: string; missing?: true } {
  const out: string[] = [];
  let start: string | undefined;
  let missing = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const lower = w.toLowerCase();
    if (lower === '--from' || lower === '--start') {
      const first = words[i + 1];
      if (first === undefined) {
        missing = true;
        continue;
      }
      const second = words[i + 2];
      if (DAY_WORD.test(first) && second !== undefined && CLOCK.test(second)) {
        start = `${first} ${second}`;
        i += 2;
      } else {
        start = first;
        i += 1;
      }
    } else if (lower.startsWith('--from=') || lower.startsWith('--start=')) {
      start = w.slice(w.indexOf('=') + 1);
      const next = words[i + 1];
      if (DAY_WORD.test(start) && next !== undefined && CLOCK.test(next)) {
        start = `${start} ${next}`;
        i += 1;
      }
      if (start === '') missing = true;
    } else out.push(w);
  }
  return { words: out, ...(start ? { start } : {}), ...(missing && !start ? { missing: true as const } : {}) };
}

/** Which half of a form's start picker a problem is about: the day, or the time of day. */
export type StartPickerField = 'date' | 'time';

const PICKED_DATE = /^\d{4}-\d{2}-\d{2}$/;
const PICKED_TIME = /^\d{2}:\d{2}$/;

/**
 * A form's "Start later" (a date picker and a time picker, both optional) as the text the engine
 * reads with `parseStartTime` in the person's zone, exactly as a typed `--from 2026-12-24 09:00`:
 * undefined when both are empty (start now). One without the other, or a value no picker sends,
 * is refused with the field to mark. Pure: the start's own rules (past, too far) stay in the engine.
 */
export function startFromPickers(picked: { date?: string | undefined; time?: string | undefined }): {
  start?: string;
  problem?: { field: StartPickerField; message: string };
} {
  const date = picked.date?.trim() || undefined;
  const time = picked.time?.trim() || undefined;
  if (!date && !time) return {};
  if (!date)
    return { problem: { field: 'date', message: 'Pick the day it starts too, or clear the time to start now.' } };
  if (!time)
    return { problem: { field: 'time', message: 'Pick the time it starts too, or clear the day to start now.' } };
  if (!PICKED_DATE.test(date))
    return { problem: { field: 'date', message: `"${date.slice(0, 20)}" is not a day (YYYY-MM-DD).` } };
  if (!PICKED_TIME.test(time))
    return { problem: { field: 'time', message: `"${time.slice(0, 20)}" is not a time of day (HH:mm).` } };
  return { start: `${date} ${time}` };
}

/**
 * A refused start as a form shows it (under its start picker): the engine's message, without the
 * command's `--from` advice, with the latest allowed start when it was too far ahead. Undefined
 * for an error that is not about the start.
 */
export function formStartProblemText(error: KeylessError): string | undefined {
  switch (error.code) {
    case ErrorCodes.StartInPast:
      return `${error.message} Pick a time still to come, or leave the start empty to start now.`;
    case ErrorCodes.StartTooFar:
      return [error.message, error.hint].filter(Boolean).join(' ');
    case ErrorCodes.InvalidStart:
    case ErrorCodes.OverlappingGrant:
      return error.message;
    default:
      return undefined;
  }
}
