import { ErrorCodes, formatDuration, formatLocalTime, isKeylessError, parseDuration } from '../../../src';
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

describe('formatting', () => {
  it.each([
    [45, '45s'],
    [5400, '1h 30m'],
    [86400 + 7200, '1d 2h'],
    [3600, '1h'],
  ])('formats %i seconds as %s', (s, text) => expect(formatDuration(s)).toBe(text));

  it('shows a local time with its zone', () => {
    expect(formatLocalTime(T0, 'Europe/Paris')).toBe('Mon 23 Nov, 10:00 (Europe/Paris)');
    expect(formatLocalTime(T0, 'Nowhere/Land')).toBe('Mon 23 Nov, 09:00 (UTC)');
  });
});
