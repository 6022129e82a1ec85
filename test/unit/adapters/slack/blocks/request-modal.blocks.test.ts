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

  const blockOf = (view: ReturnType<typeof requestModal>, id: string) =>
    view.blocks.find((b) => b.block_id === id) as unknown as
      | { optional?: boolean; dispatch_action?: boolean; hint?: { text: string }; element: Record<string, unknown> }
      | undefined;

  it('asks first for an account or a group, dispatching the choice so the form changes at once', () => {
    const target = blockOf(requestModal(), Blocks.target)!;
    expect(target.dispatch_action).toBe(true);
    expect(target.element).toMatchObject({
      type: 'radio_buttons',
      action_id: Actions.targetSelect,
      initial_option: { value: 'account' },
    });
    expect((target.element.options as { value: string }[]).map((o) => o.value)).toEqual(['account', 'group']);
  });

  it('offers an optional start, a day and a time, in the person zone when it is known', () => {
    const view = requestModal({ zone: 'America/New_York' });
    const day = blockOf(view, Blocks.startDate)!;
    const time = blockOf(view, Blocks.startTime)!;
    expect(day).toMatchObject({ optional: true, element: { type: 'datepicker', action_id: Actions.startDatePicker } });
    expect(time).toMatchObject({
      optional: true,
      element: { type: 'timepicker', action_id: Actions.startTimePicker, timezone: 'America/New_York' },
    });
    expect(time.hint?.text).toContain('America/New_York');
    // Unknown zone: no timezone field (Slack would refuse an empty one), and the hint says whose zone.
    const unknown = blockOf(requestModal(), Blocks.startTime)!;
    expect(unknown.element.timezone).toBeUndefined();
    expect(unknown.hint?.text).toContain('your Slack time zone');
  });

  it('turns into the group form: the groups the policy offers, no account, no permission set, no start', () => {
    const view = requestModal({
      target: 'group',
      groups: [
        { name: 'db-admins', maxSeconds: 2 * 3600 },
        { name: 'on-call <b>', maxSeconds: 3600 },
      ],
    });
    expect(view).toMatchSnapshot();
    expect(JSON.parse(view.private_metadata!)).toEqual({ target: 'group' });
    expect(blockOf(view, Blocks.target)?.element).toMatchObject({ initial_option: { value: 'group' } });
    const group = blockOf(view, Blocks.group)!;
    expect(group.element).toMatchObject({ type: 'static_select', action_id: Actions.groupSelect });
    expect(group.element.options).toEqual([
      { text: { type: 'plain_text', text: 'db-admins' }, value: 'db-admins', description: expect.anything() },
      { text: { type: 'plain_text', text: 'on-call <b>' }, value: 'on-call <b>', description: expect.anything() },
    ]);
    expect(JSON.stringify(view)).toContain('db-admins: 2h · on-call <b>: 1h');
    for (const gone of [
      Blocks.account,
      Blocks.moreAccounts,
      Blocks.permissionSet,
      Blocks.startDate,
      Blocks.startTime,
    ]) {
      expect(blockOf(view, gone)).toBeUndefined();
    }
    expect(JSON.stringify(view)).toContain('starts when it is approved');
  });

  it('says so when no rule lets the person ask to join a group', () => {
    const view = requestModal({ target: 'group', groups: [] });
    expect(blockOf(view, Blocks.group)).toBeUndefined();
    expect(JSON.stringify(view)).toContain('No rule lets you ask to join a group');
  });
});
