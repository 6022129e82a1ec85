import { homeCard, HOME_VIEW } from '../../../../../adapters/teams/cards/home.card';
import { executeActions } from '../../../../../adapters/local/teams-connector';
import { Verbs } from '../../../../../adapters/teams/verbs';
import { formatLocalTime, type AccessRequest, type Grant } from '../../../../../src';
import { T0, aChatUser, aGrant, aRequest } from '../../../../builders';

const rita = aChatUser({ platform: 'teams', id: 'aad-rita', displayName: 'Rita', timeZone: 'Europe/Paris' });
const olga = aChatUser({ platform: 'slack', id: 'U0OLGA', displayName: 'Olga [admin](https://evil.example)' });
const active: Grant = {
  ...aGrant({ id: 'grt-active-1' as never, requester: rita }),
  status: 'active',
  activatedAt: T0,
  expiresAt: T0 + 2 * 3600_000,
};
const mine: AccessRequest = aRequest({ id: 'req-mine-1' as never, requester: rita, approvalsRequired: 2 });
const theirs: AccessRequest = aRequest({ id: 'req-olga-1' as never, requester: olga, reason: 'fix *prod*' });
const buttons = (card: unknown) => executeActions(card).map((a) => `${a.title}:${a.verb}:${JSON.stringify(a.data)}`);

describe('the Teams home card', () => {
  test('empty: says so, and still offers Request access and Refresh', () => {
    const card = homeCard({ grants: [], requests: [], approvals: [] });
    const text = JSON.stringify(card);
    expect(text).toContain('No live grants.');
    expect(text).toContain('Nothing waits for you.');
    expect(text).not.toContain('Your pending requests');
    expect(executeActions(card).map((a) => a.title)).toEqual(['Request access', 'Refresh']);
  });

  test('a live grant: when it ends in my zone, Extend and End now that answer on the home card', () => {
    const card = homeCard({ grants: [active], requests: [], approvals: [], zone: 'Europe/Paris' });
    expect(JSON.stringify(card)).toContain(`active until ${formatLocalTime(active.expiresAt!, 'Europe/Paris')}`);
    expect(buttons(card)).toEqual(
      expect.arrayContaining([
        `Extend:${Verbs.extendGrant}:${JSON.stringify({ verb: Verbs.extendGrant, grantId: active.id, ...HOME_VIEW })}`,
        `End now:${Verbs.endGrant}:${JSON.stringify({ verb: Verbs.endGrant, grantId: active.id, ...HOME_VIEW })}`,
      ]),
    );
    // A grant that is already ending shows its state and no button.
    const ending = homeCard({ grants: [{ ...active, status: 'deprovisioning' }], requests: [], approvals: [] });
    expect(JSON.stringify(ending)).toContain('deprovisioning');
    expect(executeActions(ending).map((a) => a.title)).toEqual(['Request access', 'Refresh']);
  });

  test('my open request: progress, approvers, decide-by, Cancel', () => {
    const card = homeCard({ grants: [], requests: [mine], approvals: [], zone: 'Europe/Paris' });
    const text = JSON.stringify(card);
    expect(text).toContain('Waiting for 2 more approvals (0 of 2)');
    expect(text).toContain(`Decide by ${formatLocalTime(mine.decideBy, 'Europe/Paris')}`);
    expect(executeActions(card).map((a) => a.title)).toContain('Cancel request');
  });

  test('what waits for me: who asks, why (escaped), Approve, and Deny with a required reason', () => {
    const card = homeCard({ grants: [], requests: [], approvals: [theirs] });
    const text = JSON.stringify(card);
    expect(text).toContain('Olga \\\\[admin\\\\](https://evil.example)');
    expect(text).toContain('fix \\\\*prod\\\\*');
    expect(executeActions(card).map((a) => a.title)).toEqual(
      expect.arrayContaining(['Approve', 'Deny', 'Request access']),
    );
    expect(text).toMatch(/"id":"denyReason"[^}]*"isRequired":true/);
  });
});
