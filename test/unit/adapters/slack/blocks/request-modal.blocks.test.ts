import {
  accountOption,
  denyModal,
  extendModal,
  requestModal,
} from '../../../../../adapters/slack/blocks/request-modal.blocks';
import { Actions, Blocks } from '../../../../../adapters/slack/ids';
import { anAccount } from '../../../../builders';

describe('the request form', () => {
  it('starts with the account type-ahead and asks to pick an account first', () => {
    const view = requestModal();
    expect(view).toMatchSnapshot();
    const account = view.blocks.find((b) => b.block_id === Blocks.account) as unknown as {
      element: { type: string; action_id: string };
    };
    expect(account.element).toMatchObject({ type: 'external_select', action_id: Actions.accountSelect });
    expect(view.private_metadata).toBe('');
    expect(view.submit?.text).toBe('Request');
  });

  it('names the chosen account escaped, and carries only its id in the form state', () => {
    const view = requestModal({ account: anAccount({ name: 'prod <!channel>' }), options: [] });
    expect(JSON.parse(view.private_metadata!)).toEqual({ account: '111111111111' });
    // mrkdwn is where Slack reads <!…>; the select's option is plain_text, shown as typed.
    const mrkdwn = JSON.stringify(view.blocks.filter((b) => b.type === 'section'));
    expect(mrkdwn).toContain('*prod &lt;!channel&gt;*');
    expect(mrkdwn).not.toContain('<!channel>');
  });

  it('offers the permission sets the rules allow, each with its longest duration', () => {
    const view = requestModal({
      account: anAccount(),
      options: [
        { permissionSet: { name: 'AdministratorAccess' }, maxSeconds: 4 * 3600 },
        { permissionSet: { name: 'ReadOnlyAccess' }, maxSeconds: 8 * 3600 },
      ],
    });
    expect(view).toMatchSnapshot();
    expect(JSON.stringify(view)).toContain('AdministratorAccess: 4h · ReadOnlyAccess: 8h');
  });

  it('says when nothing may be requested in the account', () => {
    expect(JSON.stringify(requestModal({ account: anAccount({ name: 'x<y' }), options: [] }))).toContain('*x&lt;y*');
  });

  it('shows an account option as name (id) with the OU path', () => {
    expect(accountOption(anAccount())).toEqual({
      text: { type: 'plain_text', text: 'prod (111111111111)' },
      value: '111111111111',
      description: { type: 'plain_text', text: 'Root / Production' },
    });
  });

  it('asks a denier for a reason, and a grantee for more time, carrying only the record id', () => {
    expect(denyModal('req000001').private_metadata).toBe('req000001');
    expect(extendModal('grt000001').private_metadata).toBe('grt000001');
    expect(denyModal('req000001')).toMatchSnapshot();
  });
});
