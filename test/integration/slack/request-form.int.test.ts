/**
 * The Slack request form over HTTP (real Bolt app, the loopback workspace): the choice of an account
 * or a group re-renders the form, a start picked as a day and a time is read in the person's zone
 * by the command's rules, and every problem comes back under the field it is about
 * (`response_action: errors`), with nothing filed.
 */
import { DateTime } from 'luxon';
import { parsePolicy, type ChatUser } from '../../../src';
import { groupPolicyInput } from '../../builders/policy';
import type { ManualClock } from '../../fakes/manual-clock';
import { startSlackStack, type SlackStack } from '../../support/slack-harness';

const RITA = 'U0RITA'; // Europe/Paris in the loopback workspace
const PARIS = 'Europe/Paris';
const rita: ChatUser = { platform: 'slack', id: RITA, displayName: 'Rita', email: 'rita@example.com' };

describe('the Slack request form', () => {
  let stack: SlackStack;
  let clock: ManualClock;
  beforeAll(async () => {
    stack = await startSlackStack({ policy: parsePolicy(groupPolicyInput()) });
    clock = stack.clock as ManualClock;
    clock.set(DateTime.fromISO('2026-12-02T10:00', { zone: PARIS }).toMillis());
  });
  afterAll(() => stack.stop());

  const client = () => stack.workspace.client;
  const blockIds = () =>
    client()
      .modal(RITA)
      .blocks.map((b) => b.block_id);
  const requests = async () => (await stack.engine.listMine(rita)).requests;

  async function accountForm(): Promise<void> {
    await client().command(RITA, '');
    await stack.settle();
    await client().pickExternal(RITA, 'account', 'account_select', 'prod', '111111111111');
    await stack.settle();
    client().pick(RITA, 'permission_set', 'permission_set_select', 'AdministratorAccess');
    client().type(RITA, 'duration', 'duration_input', '1h');
    client().type(RITA, 'reason', 'reason_input', 'INC-7 planned failover');
  }

  it('switches between an account and a group, each form with its own fields', async () => {
    await client().command(RITA, '');
    await stack.settle();
    expect(blockIds()).toEqual(expect.arrayContaining(['request_target', 'account', 'start_date', 'start_time']));
    await client().choose(RITA, 'request_target', 'request_target_select', 'group');
    await stack.settle();
    const group = client().modal(RITA);
    expect(blockIds()).toContain('group');
    expect(blockIds()).not.toContain('account');
    expect(blockIds()).not.toContain('start_date');
    expect(JSON.stringify(group.blocks)).toContain('"value":"db-admins"');
    await client().choose(RITA, 'request_target', 'request_target_select', 'account');
    await stack.settle();
    expect(blockIds()).toContain('account');
    // Her zone, from users.info, is named on the time picker once the form knows who she is.
    const time = client()
      .modal(RITA)
      .blocks.find((b) => b.block_id === 'start_time') as unknown as { element: { timezone?: string } };
    expect(time.element.timezone).toBe(PARIS);
  });

  it('asks for the other half of a start picked by halves, and files nothing', async () => {
    await accountForm();
    client().pickDate(RITA, 'start_date', 'start_date_picker', '2026-12-03');
    expect((await client().submit(RITA)).errors).toEqual({ start_time: expect.stringContaining('Pick the time') });
    expect(await requests()).toHaveLength(0);
  });

  it('shows a start in the past under the time, in the form words, and files nothing', async () => {
    await accountForm();
    client().pickDate(RITA, 'start_date', 'start_date_picker', '2026-12-01');
    client().pickTime(RITA, 'start_time', 'start_time_picker', '09:00');
    const { errors } = await client().submit(RITA);
    expect(Object.keys(errors ?? {})).toEqual(['start_time']);
    expect(errors?.start_time).toContain('has already passed');
    expect(errors?.start_time).not.toContain('--from');
    expect(await requests()).toHaveLength(0);
  });

  it("shows a start further ahead than the rule's maxStartAhead under the time", async () => {
    await accountForm();
    client().pickDate(RITA, 'start_date', 'start_date_picker', '2026-12-20');
    client().pickTime(RITA, 'start_time', 'start_time_picker', '09:00');
    const { errors } = await client().submit(RITA);
    expect(errors?.start_time).toContain('at most 7d ahead');
    expect(await requests()).toHaveLength(0);
  });

  it('files the request to start at the day and time picked, in her zone, and says when on the receipt', async () => {
    await accountForm();
    client().pickDate(RITA, 'start_date', 'start_date_picker', '2026-12-03');
    client().pickTime(RITA, 'start_time', 'start_time_picker', '09:00');
    const answer = await client().submit(RITA);
    expect(answer.errors).toBeUndefined();
    const [request] = await requests();
    expect(request?.startsAt).toBe(DateTime.fromISO('2026-12-03T09:00', { zone: PARIS }).toMillis());
    expect(JSON.stringify(client().modal(RITA).blocks)).toContain('It starts at');
  });

  it('files the membership request from the group form, the one group offered being the choice', async () => {
    await client().command(RITA, '');
    await stack.settle();
    await client().choose(RITA, 'request_target', 'request_target_select', 'group');
    await stack.settle();
    // One group offered: the form shows it chosen, and it is the choice without being touched.
    expect(JSON.stringify(client().modal(RITA).blocks)).toContain('"initial_option"');
    client().type(RITA, 'reason', 'reason_input', 'INC-8 fix the replica');
    expect((await client().submit(RITA)).errors).toEqual({ duration: 'Say how long, for example 1h.' });
    client().type(RITA, 'duration', 'duration_input', '9h');
    expect((await client().submit(RITA)).errors?.duration).toContain('2h');
    client().type(RITA, 'duration', 'duration_input', '1h');
    expect((await client().submit(RITA)).errors).toBeUndefined();
    const group = (await requests()).find((r) => r.group);
    expect(group?.group?.name).toBe('db-admins');
    expect(group?.startsAt).toBeUndefined();
  });
});

describe('the Slack request form where no rule governs a group', () => {
  let stack: SlackStack;
  beforeAll(async () => {
    stack = await startSlackStack();
  });
  afterAll(() => stack.stop());

  it('says no group may be asked for, and a submit points back to the choice of an account', async () => {
    const client = stack.workspace.client;
    await client.command(RITA, '');
    await stack.settle();
    await client.choose(RITA, 'request_target', 'request_target_select', 'group');
    await stack.settle();
    expect(JSON.stringify(client.modal(RITA).blocks)).toContain('No rule lets you ask to join a group');
    client.type(RITA, 'duration', 'duration_input', '1h');
    client.type(RITA, 'reason', 'reason_input', 'INC-8 fix the replica');
    expect((await client.submit(RITA)).errors).toEqual({
      request_target: expect.stringContaining('choose An AWS account'),
    });
    expect((await stack.engine.listMine(rita)).requests).toHaveLength(0);
  });
});
