import { SlackWorkspaceState } from '../../../../../adapters/local/slack-workspace';
import { METHODS } from '../../../../../adapters/local/slack-workspace/web-api';

/** users.info answers a person's zone as Slack does: `tz` (IANA), `tz_label` (its long name), `tz_offset` (seconds). */
describe('the loopback Slack users.info', () => {
  it.each([
    ['Europe/London', /^(Greenwich Mean Time|British Summer Time)$/, [0, 3600]],
    ['America/New_York', /^Eastern (Standard|Daylight) Time$/, [-18000, -14400]],
    ['Asia/Kolkata', /^India Standard Time$/, [19800]],
  ])('gives %s with its label and offset', (tz, label, offsets) => {
    const ws = new SlackWorkspaceState('xoxb-test');
    ws.addUser({ id: 'U0RITA', name: 'rita', realName: 'Rita', displayName: 'rita', tz });
    const { user } = METHODS['users.info']!(ws, { user: 'U0RITA' }) as {
      user: { tz: string; tz_label: string; tz_offset: number };
    };
    expect(user.tz).toBe(tz);
    expect(user.tz_label).toMatch(label);
    expect(offsets).toContain(user.tz_offset);
  });
});
