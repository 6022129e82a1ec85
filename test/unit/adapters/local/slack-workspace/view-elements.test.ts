import { SlackWorkspaceState } from '../../../../../adapters/local/slack-workspace';
import { requestModal } from '../../../../../adapters/slack/blocks/request-modal.blocks';

/**
 * The loopback workspace takes the elements a view holds as strictly as Slack: known element types
 * only, only the fields Slack knows on each, and their values in Slack's formats.
 * https://docs.slack.dev/reference/block-kit/block-elements
 */
describe('the loopback Slack workspace checks the elements of a view', () => {
  const ws = () => {
    const state = new SlackWorkspaceState('xoxb-test');
    state.addUser({ id: 'U0RITA', name: 'rita', realName: 'Rita', displayName: 'rita', tz: 'Europe/Paris' });
    return state;
  };
  const input = (element: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    type: 'home',
    blocks: [{ type: 'input', block_id: 'b', label: { type: 'plain_text', text: 'L' }, element, ...extra }],
  });
  const publish = (view: Record<string, unknown>) => () => ws().publishHome('U0RITA', view);

  it('takes the request form in both shapes (account with its start pickers, group)', () => {
    expect(publish({ ...requestModal({ zone: 'Europe/Paris' }), type: 'home' })).not.toThrow();
    expect(
      publish({
        ...requestModal({ target: 'group', groups: [{ name: 'db-admins', maxSeconds: 3600 }] }),
        type: 'home',
      }),
    ).not.toThrow();
  });

  it('takes date and time pickers with values in Slack formats, and refuses others', () => {
    expect(publish(input({ type: 'datepicker', action_id: 'd', initial_date: '2026-12-24' }))).not.toThrow();
    expect(publish(input({ type: 'datepicker', action_id: 'd', initial_date: '24/12/2026' }))).toThrow(
      'invalid_blocks',
    );
    expect(publish(input({ type: 'datepicker', action_id: 'd', initial_date: '2026-02-30' }))).toThrow(
      'invalid_blocks',
    );
    expect(
      publish(input({ type: 'timepicker', action_id: 't', initial_time: '09:05', timezone: 'Asia/Tokyo' })),
    ).not.toThrow();
    expect(publish(input({ type: 'timepicker', action_id: 't', initial_time: '9:05' }))).toThrow('invalid_blocks');
    expect(publish(input({ type: 'timepicker', action_id: 't', timezone: 'Mars/Olympus' }))).toThrow('invalid_blocks');
    expect(publish(input({ type: 'datetimepicker', action_id: 'dt', initial_date_time: 1628633820 }))).not.toThrow();
    expect(publish(input({ type: 'datetimepicker', action_id: 'dt', initial_date_time: 1628633820000 }))).toThrow(
      'invalid_blocks',
    );
  });

  it('refuses a field Slack does not know on an element, and an element type it does not know', () => {
    expect(publish(input({ type: 'datepicker', action_id: 'd', timezone: 'Europe/Paris' }))).toThrow('invalid_blocks');
    expect(publish(input({ type: 'date_picker', action_id: 'd' }))).toThrow('invalid_blocks');
    expect(publish(input({ type: 'plain_text_input', action_id: 'p', initial_option: {} }))).toThrow('invalid_blocks');
  });

  it('refuses radio buttons with more than 10 options or an initial option that is not one of them', () => {
    const option = (v: string) => ({ text: { type: 'plain_text', text: v }, value: v });
    const radios = (n: number, initial?: string) =>
      input({
        type: 'radio_buttons',
        action_id: 'r',
        options: Array.from({ length: n }, (_, i) => option(`o${i}`)),
        ...(initial ? { initial_option: option(initial) } : {}),
      });
    expect(publish(radios(10, 'o3'))).not.toThrow();
    expect(publish(radios(11))).toThrow('invalid_blocks');
    expect(publish(radios(2, 'elsewhere'))).toThrow('invalid_blocks');
  });

  it('refuses a button in an input block, and an input block without a label', () => {
    expect(publish(input({ type: 'button', action_id: 'x', text: { type: 'plain_text', text: 'Go' } }))).toThrow(
      'invalid_blocks',
    );
    expect(
      publish({ type: 'home', blocks: [{ type: 'input', element: { type: 'plain_text_input', action_id: 'p' } }] }),
    ).toThrow('invalid_blocks');
  });
});
