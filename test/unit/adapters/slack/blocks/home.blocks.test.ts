import { homeView } from '../../../../../adapters/slack/blocks/home.blocks';
import type { GrantId, RequestId } from '../../../../../src';
import { T0, aGrant, aRequest } from '../../../../builders';

describe('the App Home', () => {
  it('lists my grants with Revoke and Extend, and what waits for my approval with Approve and Deny', () => {
    const view = homeView({
      grants: [aGrant({ id: 'grt000001' as GrantId, status: 'active', expiresAt: T0 + 3600_000 })],
      requests: [aRequest({ id: 'req000002' as RequestId })],
      approvals: [aRequest({ id: 'req000003' as RequestId, reason: 'fix <!here>' })],
      zone: 'Europe/Paris',
    });
    expect(view).toMatchSnapshot();
    const ids = JSON.stringify(view);
    for (const id of ['revoke_grant', 'extend_grant', 'approve_request', 'deny_request', 'cancel_request'])
      expect(ids).toContain(id);
    expect(ids).toContain('fix &lt;!here&gt;');
  });

  it('says when there is nothing', () => {
    const text = JSON.stringify(homeView({ grants: [], requests: [], approvals: [] }));
    expect(text).toContain('No live grants.');
    expect(text).toContain('Nothing waits for you.');
  });
});
