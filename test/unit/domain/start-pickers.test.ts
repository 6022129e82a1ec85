import { DateTime } from 'luxon';
import { ErrorCodes, KeylessError, formStartProblemText, parseStartTime, startFromPickers } from '../../../src';

/** A form's "Start later" (a day picker and a time picker) read by the command's own start rules. */
describe('the start picked in a form', () => {
  const zone = 'America/New_York';
  const nowMs = DateTime.fromISO('2026-12-02T08:00', { zone }).toMillis();
  const ctx = { nowMs, zone, maxAheadSeconds: 7 * 86_400 };

  it('is no start (now) when both pickers are empty', () => {
    expect(startFromPickers({})).toEqual({});
    expect(startFromPickers({ date: ' ', time: '' })).toEqual({});
  });

  it('is the day and the time as `--from <day> <time>` would say, read in the person zone', () => {
    const { start, problem } = startFromPickers({ date: '2026-12-03', time: '09:00' });
    expect(problem).toBeUndefined();
    expect(start).toBe('2026-12-03 09:00');
    expect(parseStartTime(start, ctx)).toBe(DateTime.fromISO('2026-12-03T09:00', { zone }).toMillis());
  });

  it('marks the missing half when only one is picked', () => {
    expect(startFromPickers({ time: '09:00' }).problem?.field).toBe('date');
    expect(startFromPickers({ date: '2026-12-03' }).problem?.field).toBe('time');
    expect(startFromPickers({ date: '2026-12-03' }).start).toBeUndefined();
  });

  it('refuses what no picker sends, on the field it came in', () => {
    expect(startFromPickers({ date: 'tomorrow', time: '09:00' }).problem).toMatchObject({ field: 'date' });
    expect(startFromPickers({ date: '2026-12-03', time: '9am' }).problem).toMatchObject({ field: 'time' });
    expect(startFromPickers({ date: '2026-12-03', time: '09:00:00' }).problem).toMatchObject({ field: 'time' });
  });

  it('leaves the past and the too-far-ahead to the engine rules, in the form words', () => {
    const past = startFromPickers({ date: '2026-12-01', time: '09:00' }).start;
    let error: unknown;
    try {
      parseStartTime(past, ctx);
    } catch (e) {
      error = e;
    }
    expect((error as KeylessError).code).toBe(ErrorCodes.StartInPast);
    const text = formStartProblemText(error as KeylessError)!;
    expect(text).toContain('has already passed');
    expect(text).not.toContain('--from');

    const far = startFromPickers({ date: '2026-12-20', time: '09:00' }).start;
    try {
      parseStartTime(far, ctx);
    } catch (e) {
      error = e;
    }
    expect((error as KeylessError).code).toBe(ErrorCodes.StartTooFar);
    expect(formStartProblemText(error as KeylessError)).toContain('Ask for a start before');
  });

  it('says nothing for an error that is not about the start', () => {
    expect(formStartProblemText(new KeylessError(ErrorCodes.InvalidDuration, 'bad'))).toBeUndefined();
  });
});
