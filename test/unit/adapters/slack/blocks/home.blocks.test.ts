import { homeView } from '../../../../../adapters/slack/blocks/home.blocks';
import type { GrantId, RequestId } from '../../../../../src';
import { T0, aGrant, aRequest } from '../../../../builders';

type Element = { action_id: string; value: string };
const actionsOf = (view: ReturnType<typeof homeView>) =>
  view.blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b as unknown as { elements: Element[] }).elements)
    .map((e) => [e.action_id, e.value]);

describe('the App Home', () => {
  it('lists my grants with Revoke and Extend, and what waits for my approval with Approve and Deny', () => {
    const view = homeView({
      grants: [aGrant({ id: 'grt000001' as GrantId, status: 'active', expiresAt: T0 + 3600_000 })],
      requests: [aRequest({ id: 'req000002' as RequestId })],
      approvals: [aRequest({ id: 'req000003' as RequestId, reason: 'fix <!here>' })],
      zone: 'Europe/Paris',
    });
    expect(view).toMatchSnapshot();
    expect(actionsOf(view)).toEqual([
      ['open_request_modal', 'new'],
      ['extend_grant', 'grt000001'],
      ['revoke_grant', 'grt000001'],
      ['approve_request', 'req000003'],
      ['deny_request', 'req000003'],
    ]);
    const text = JSON.stringify(view);
    expect(text).toContain('cancel_request');
    expect(text).toContain('active until Mon 23 Nov, 11:00 GMT+1 (Europe/Paris)');
    expect(text).toContain('fix &lt;!here&gt;');
    expect(text).not.toContain('<!here>');
    expect(text).toContain('<@U0REQUEST> asks for'); // the requester, as a Slack mention
  });

  it('shows a grant that is being removed without Extend or Revoke', () => {
    const view = homeView({
      grants: [aGrant({ id: 'grt000009' as GrantId, status: 'deprovisioning', endReason: 'revoked' })],
      requests: [],
      approvals: [],
    });
    expect(actionsOf(view)).toEqual([['open_request_modal', 'new']]);
    expect(JSON.stringify(view)).toContain('deprovisioning');
  });

  it('says when there is nothing', () => {
    const text = JSON.stringify(homeView({ grants: [], requests: [], approvals: [] }));
    expect(text).toContain('No live grants.');
    expect(text).toContain('Nothing waits for you.');
  });
});
