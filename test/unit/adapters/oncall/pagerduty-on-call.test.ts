import { ErrorCodes, isKeylessError, silentLogger } from '../../../../src';
import { PagerDutyOnCall } from '../../../../adapters/oncall/pagerduty';
import { startPagerDutyLoopback, type RunningPagerDuty } from '../../../../adapters/local/pagerduty';
import { pagerDutyChecks } from '../../../../adapters/main/doctor';
import { demoPolicy } from '../../../builders/policy';

const TOKEN = 'pd-test-token-0123';
const HOUR = 3600_000;

describe('the PagerDuty on-call directory, on the loopback PagerDuty', () => {
  let pd: RunningPagerDuty;
  const t0 = Date.parse('2026-12-01T12:00:00Z');

  beforeAll(async () => {
    pd = await startPagerDutyLoopback({ token: TOKEN, schedules: [{ id: 'PSRE001', name: 'SRE primary' }] });
    pd.state.setOnCall('PSRE001', 'Carl@example.com', t0 - 2 * HOUR);
    pd.state.setOnCall('PSRE001', 'bob@example.com', t0 - HOUR);
  });
  afterAll(() => pd.stop());

  const directory = (over: { token?: string; cacheTtlMs?: number } = {}) =>
    new PagerDutyOnCall({ token: over.token ?? TOKEN, apiUrl: pd.url, logger: silentLogger, ...over });

  it('names who is on call at an instant, by email, lower-cased', async () => {
    const d = directory();
    expect(await d.whoIsOnCall('pagerduty:PSRE001', t0)).toEqual(['bob@example.com']);
    expect(await d.whoIsOnCall('pagerduty:PSRE001', t0 - 90 * 60_000, { fresh: true })).toEqual(['carl@example.com']);
  });

  it('sends the token as PagerDuty wants it and asks /oncalls for one schedule, earliest, with users', async () => {
    pd.log.length = 0;
    await directory().whoIsOnCall('pagerduty:PSRE001', t0);
    const query = new URLSearchParams(pd.log[0]!.split('?')[1]);
    expect(query.getAll('schedule_ids[]')).toEqual(['PSRE001']);
    expect(query.get('earliest')).toBe('true');
    expect(query.getAll('include[]')).toEqual(['users']);
    expect(Date.parse(query.get('since')!)).toBe(t0);
  });

  it('answers from its short cache, and asks again when told to (the click)', async () => {
    const d = directory({ cacheTtlMs: 60_000 });
    await d.whoIsOnCall('pagerduty:PSRE001', t0);
    pd.state.setOnCall('PSRE001', 'ann@example.com', t0 - 1);
    expect(await d.whoIsOnCall('pagerduty:PSRE001', t0)).toEqual(['bob@example.com']);
    expect(await d.whoIsOnCall('pagerduty:PSRE001', t0, { fresh: true })).toEqual(['ann@example.com']);
  });

  it('refuses a bad token and an unknown schedule with clear errors that never carry the token', async () => {
    const bad = directory({ token: 'not-the-token' });
    const e1 = await bad.whoIsOnCall('pagerduty:PSRE001', t0).catch((e: unknown) => e);
    expect(isKeylessError(e1, ErrorCodes.ConfigInvalid)).toBe(true);
    expect(String((e1 as Error).message)).toContain('KEYLESS_PAGERDUTY_TOKEN');
    expect(JSON.stringify(e1)).not.toContain('not-the-token');
    const e2 = await directory()
      .checkSchedule('pagerduty:PNOPE01')
      .catch((e: unknown) => e);
    expect(isKeylessError(e2, ErrorCodes.ConfigInvalid)).toBe(true);
  });

  it('doctor checks the key and every schedule the policy names', async () => {
    const policy = demoPolicy({
      rules: [
        {
          name: 'on-call',
          accounts: ['111111111111'],
          permissionSets: ['AdministratorAccess'],
          requesters: { groups: ['engineers'] },
          approvers: { oncall: ['pagerduty:PSRE001', 'pagerduty:PNOPE01'] },
        },
      ],
    });
    const good = await pagerDutyChecks({ policy, pagerDuty: { token: TOKEN, apiUrl: pd.url } });
    expect(good.map((c) => [c.name, c.status])).toEqual([
      ['PagerDuty key', 'ok'],
      ['PagerDuty schedule pagerduty:PNOPE01', 'fail'],
      ['PagerDuty schedule pagerduty:PSRE001', 'ok'],
    ]);
    const badKey = await pagerDutyChecks({ policy, pagerDuty: { token: 'wrong-token', apiUrl: pd.url } });
    expect(badKey.map((c) => c.status)).toEqual(['fail']);
    const none = await pagerDutyChecks({ policy });
    expect(none[0]).toMatchObject({ status: 'fail', fix: expect.stringContaining('KEYLESS_PAGERDUTY_TOKEN') });
  });
});
