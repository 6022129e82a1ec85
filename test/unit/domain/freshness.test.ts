import { freshnessOf } from '../../../src';
import { T0 } from '../../builders';
import { aFinding } from '../../builders/alerts';

describe('how fresh a finding is', () => {
  it('names every time it knows, event first, then the report, then the live check', () => {
    const f = aFinding({
      observedAt: T0 + 9,
      evidence: { eventTime: T0, reportGeneratedAt: T0 + 1, checkedAt: T0 + 2 },
    });
    expect(freshnessOf(f)).toEqual([
      { source: 'event', at: T0 },
      { source: 'credential report', at: T0 + 1 },
      { source: 'checked live', at: T0 + 2 },
    ]);
  });

  it('falls back to when it was seen when no other time is known', () => {
    expect(freshnessOf(aFinding({ observedAt: T0 + 5, evidence: {} }))).toEqual([{ source: 'seen', at: T0 + 5 }]);
  });
});
