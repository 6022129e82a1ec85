import {
  DURATION_FORMS,
  ErrorCodes,
  checkSpan,
  formatDuration,
  formatLocalTime,
  isKeylessError,
  parseDuration,
  parseSpan,
  policyDurationSeconds,
} from '../../../src';
import { T0 } from '../../builders';

const ctx = { nowMs: T0, zone: 'Europe/Paris' }; // 09:00 UTC = 10:00 in Paris

function codeOf(input: string): string | undefined {
  try {
    parseDuration(input, ctx);
    return undefined;
  } catch (error) {
    return isKeylessError(error) ? error.code : 'not a KeylessError';
  }
}

describe('parseDuration', () => {
  it.each([
    ['90m', 5400],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1h 30m', 5400],
    ['1d', 86400],
    ['PT2H', 7200],
    ['pt45m', 2700],
    ['P1DT1H', 90000],
    ['45min', 2700],
  ])('reads %s as %i seconds', (input, seconds) => {
    expect(parseDuration(input, ctx)).toBe(seconds);
  });

  it('reads "until 18:00" in the requester’s own time zone', () => {
    expect(parseDuration('until 18:00', ctx)).toBe(8 * 3600);
    expect(parseDuration('until 18:00', { nowMs: T0, zone: 'UTC' })).toBe(9 * 3600);
  });

  it('takes a time of day that has passed today as tomorrow', () => {
    expect(parseDuration('until 09:30', ctx)).toBe(23.5 * 3600);
  });

  it.each([
    ['0m', ErrorCodes.InvalidDuration],
    ['30s', ErrorCodes.InvalidDuration],
    ['-2h', ErrorCodes.InvalidDuration],
    ['99999h', ErrorCodes.DurationTooLong],
    ['P1Y', ErrorCodes.DurationTooLong],
    ['soon', ErrorCodes.InvalidDuration],
    ['2', ErrorCodes.InvalidDuration],
    ['', ErrorCodes.InvalidDuration],
    ['PTXH', ErrorCodes.InvalidDuration],
    ['until 25:00', ErrorCodes.InvalidDuration],
  ])('refuses %p with %s', (input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it('tells the person what it understands', () => {
    try {
      parseDuration('a while', ctx);
      throw new Error('expected an error');
    } catch (error) {
      expect(isKeylessError(error) && error.toUserText()).toContain('Try 90m, 2h, 1h30m');
    }
  });

  it('refuses an unknown time zone for "until"', () => {
    expect(() => parseDuration('until 18:00', { nowMs: T0, zone: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});

describe('parseSpan and checkSpan: the one reader of configured durations', () => {
  it.each([
    ['90m', 5400],
    ['1h30m', 5400],
    ['PT15M', 900],
    ['1d', 86400],
    ['45min', 2700],
  ])('reads %s as %i seconds, as a request does', (input, seconds) => {
    expect(parseSpan(input)).toBe(seconds);
    expect(parseDuration(input, ctx)).toBe(seconds);
  });

  it.each(['soon', '15', '0s', '1h30', '-5m', '', 'PTXH', 'until 18:00'])('refuses %p as a span', (input) => {
    expect(() => parseSpan(input)).toThrow(expect.objectContaining({ code: ErrorCodes.InvalidDuration }));
  });

  it('says what it accepts, and the bounds, when a configured span is refused', () => {
    const bounds = { minSeconds: 60, maxSeconds: 86400 };
    expect(checkSpan('2h', bounds)).toEqual({ ok: true, seconds: 7200 });
    expect(checkSpan('soon', bounds)).toEqual({
      ok: false,
      problem: `"soon" is not a duration; write ${DURATION_FORMS}`,
    });
    expect(checkSpan('0m', bounds)).toMatchObject({ ok: false, problem: expect.stringContaining('between 1m and 1d') });
    expect(checkSpan('2d', bounds)).toMatchObject({ ok: false, problem: expect.stringContaining('out of range') });
  });

  it('is the reader of the policy file too', () => {
    expect(policyDurationSeconds('1h 30m')).toBe(parseSpan('1h 30m'));
    expect(policyDurationSeconds('PT15M')).toBe(900);
    expect(policyDurationSeconds('soon')).toBeUndefined();
  });
});

describe('formatting', () => {
  it.each([
    [45, '45s'],
    [5400, '1h 30m'],
    [86400 + 7200, '1d 2h'],
    [3600, '1h'],
  ])('formats %i seconds as %s', (s, text) => expect(formatDuration(s)).toBe(text));

  it.each([
    ['Europe/Paris', 'Mon 23 Nov, 10:00 GMT+1 (Europe/Paris)'],
    ['America/New_York', 'Mon 23 Nov, 04:00 EST (America/New_York)'],
    ['Asia/Kolkata', 'Mon 23 Nov, 14:30 GMT+5:30 (Asia/Kolkata)'],
    ['Australia/Sydney', 'Mon 23 Nov, 20:00 GMT+11 (Australia/Sydney)'],
    ['UTC', 'Mon 23 Nov, 09:00 (UTC)'],
  ])('writes an instant in %s with the zone’s abbreviation or offset, and its name', (zone, text) => {
    expect(formatLocalTime(T0, zone)).toBe(text);
  });

  it('falls back to UTC, and says so, when the zone is unknown or missing', () => {
    expect(formatLocalTime(T0, 'Nowhere/Land')).toBe('Mon 23 Nov, 09:00 (UTC)');
    expect(formatLocalTime(T0, undefined)).toBe('Mon 23 Nov, 09:00 (UTC)');
    expect(formatLocalTime(T0, '')).toBe('Mon 23 Nov, 09:00 (UTC)');
  });

  it('follows daylight saving time: the same zone, another offset in summer', () => {
    expect(formatLocalTime(Date.UTC(2026, 6, 1, 9, 0), 'Europe/Paris')).toBe('Wed 1 Jul, 11:00 GMT+2 (Europe/Paris)');
    expect(formatLocalTime(Date.UTC(2026, 6, 1, 9, 0), 'America/New_York')).toBe(
      'Wed 1 Jul, 05:00 EDT (America/New_York)',
    );
  });
});
