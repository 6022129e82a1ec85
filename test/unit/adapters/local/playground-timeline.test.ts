import { grantTimelines, timelineSteps, timelineSvg } from '../../../../adapters/local/playground/web/timeline';

const T0 = Date.UTC(2026, 11, 2, 9, 0);
const lines = [
  { at: T0, subject: 'request r1', event: 'create', to: 'pending' },
  { at: T0 + 60_000, subject: 'request r1', event: 'approve', to: 'approved' },
  { at: T0 + 61_000, subject: 'grant r1-g', event: 'create', to: 'provisioning' },
  { at: T0 + 65_000, subject: 'grant r1-g', event: 'assignment_confirmed', to: 'active' },
  { at: T0 + 3600_000, subject: 'grant r1-g', event: 'revoke_requested', to: 'deprovisioning' },
  { at: T0 + 3602_000, subject: 'grant r1-g', event: 'unassignment_confirmed', to: 'revoked' },
  { at: T0 + 3603_000, subject: 'grant r1-g', event: 'sessions_cut', to: 'revoked' },
  { at: T0 + 3902_000, subject: 'grant r1-g', event: 'activity_summarised', to: 'revoked' },
  { at: T0 + 4802_000, subject: 'grant r1-g', event: 'activity_summarised', to: 'revoked' },
  { at: T0 + 10, subject: 'request r2', event: 'create', to: 'pending' },
];

describe('the playground grant timeline', () => {
  it('takes each step of a grant from the audit trail, in order, at its first time', () => {
    expect(timelineSteps(lines, 'r1-g')).toEqual([
      { label: 'requested', at: T0 },
      { label: 'approved', at: T0 + 60_000 },
      { label: 'active', at: T0 + 65_000 },
      { label: 'ended', at: T0 + 3602_000 },
      { label: 'sessions cut', at: T0 + 3603_000 },
      { label: 'activity', at: T0 + 3902_000 },
    ]);
  });

  it('draws one SVG per grant with a mark per step, in time order, and escapes text', () => {
    const svg = grantTimelines(lines, (ms) => new Date(ms).toISOString());
    expect(svg.match(/<svg /g)).toHaveLength(1);
    expect([...svg.matchAll(/data-step="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'requested',
      'approved',
      'active',
      'ended',
      'sessions cut',
      'activity',
    ]);
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(xs.length);
    expect(timelineSvg('<b>', [{ label: '<i>', at: T0 }], String)).not.toMatch(/<b>|<i>/);
  });
});
