import { accountStepCard, detailsStepCard, groupStepCard } from '../../../../../adapters/teams/cards/request-form.card';
import { executeActions } from '../../../../../adapters/local/teams-connector';
import { Inputs, Verbs } from '../../../../../adapters/teams/verbs';
import { aPermissionSet, anAccount, READONLY } from '../../../../builders';

const form = { formId: 'form-0001', breakGlass: false };

describe('the request form', () => {
  test('step one is a searchable choice of accounts', () => {
    const card = accountStepCard([anAccount(), anAccount({ id: '222222222222' as never, name: 'sandbox' })], form);
    expect(card).toMatchSnapshot();
    const choice = card.body.find((e) => e.id === Inputs.account);
    expect(choice).toMatchObject({ type: 'Input.ChoiceSet', style: 'filtered', isRequired: true });
    expect(executeActions(card)[0]).toMatchObject({ verb: Verbs.chooseAccount, data: { formId: 'form-0001' } });
  });

  test('step two offers what the policy allows in that account, with the longest duration', () => {
    const card = detailsStepCard(
      anAccount(),
      [
        { permissionSet: aPermissionSet(), maxSeconds: 4 * 3600 },
        { permissionSet: aPermissionSet({ arn: READONLY, name: 'ReadOnlyAccess' }), maxSeconds: 8 * 3600 },
      ],
      form,
    );
    expect(card).toMatchSnapshot();
    expect(executeActions(card)[0]).toMatchObject({ verb: Verbs.submitRequest, data: { account: '111111111111' } });
  });

  test('a rejected submit comes back with the problem and the values kept', () => {
    const card = detailsStepCard(
      anAccount(),
      [{ permissionSet: aPermissionSet(), maxSeconds: 3600 }],
      { ...form, notice: 'Access denied: longer than 4h.' },
      { duration: '9h', reason: 'INC-1' },
    );
    expect(JSON.stringify(card)).toContain('Access denied: longer than 4h.');
    expect(card.body.find((e) => e.id === Inputs.duration)).toMatchObject({ value: '9h' });
  });

  test('an account with nothing requestable says so', () => {
    const card = detailsStepCard(anAccount(), [], form);
    expect(executeActions(card).map((a) => a.title)).toEqual(['Choose another account']);
  });

  test('step one offers the groups the policy allows beside the accounts; then either one will do', () => {
    const card = accountStepCard([anAccount()], { ...form, groups: [{ name: 'db-admins', maxSeconds: 7200 }] });
    expect(card.body.find((e) => e.id === Inputs.group)).toMatchObject({
      type: 'Input.ChoiceSet',
      choices: [{ title: 'db-admins (up to 2h)', value: 'db-admins' }],
    });
    expect(card.body.find((e) => e.id === Inputs.account)).toMatchObject({ isRequired: false });
    // No group rule for this person: no group choice, and the account is required as before.
    const plain = accountStepCard([anAccount()], form);
    expect(plain.body.find((e) => e.id === Inputs.group)).toBeUndefined();
    expect(plain.body.find((e) => e.id === Inputs.account)).toMatchObject({ isRequired: true });
    // Break-glass is for accounts only.
    const glass = accountStepCard([anAccount()], {
      ...form,
      breakGlass: true,
      groups: [{ name: 'db-admins', maxSeconds: 7200 }],
    });
    expect(glass.body.find((e) => e.id === Inputs.group)).toBeUndefined();
  });

  test('step two has an optional start, a day and a time in the person zone, and keeps what was picked', () => {
    const options = [{ permissionSet: aPermissionSet(), maxSeconds: 3600 }];
    const card = detailsStepCard(
      anAccount(),
      options,
      { ...form, zone: 'Europe/Paris' },
      { startDate: '2026-12-24', startTime: '09:00' },
    );
    const date = card.body.find((e) => e.id === Inputs.startDate);
    const time = card.body.find((e) => e.id === Inputs.startTime);
    expect(date).toMatchObject({ type: 'Input.Date', value: '2026-12-24' });
    expect(date?.isRequired).toBeUndefined();
    expect(time).toMatchObject({ type: 'Input.Time', value: '09:00' });
    expect(String(time?.label)).toContain('Europe/Paris');
    // Without a zone from the client, the card says the start is read in UTC.
    expect(
      String(detailsStepCard(anAccount(), options, form).body.find((e) => e.id === Inputs.startTime)?.label),
    ).toContain('UTC');
    // Break-glass is access now: no start.
    const glass = detailsStepCard(anAccount(), options, { ...form, breakGlass: true });
    expect(glass.body.find((e) => e.id === Inputs.startDate)).toBeUndefined();
    expect(glass.body.find((e) => e.id === Inputs.startTime)).toBeUndefined();
  });

  test('the group form asks how long and why, and submits group:<name> through the request verb', () => {
    const card = groupStepCard({ name: 'db-admins', maxSeconds: 7200 }, form, { duration: '1h' });
    expect(JSON.stringify(card)).toContain('db-admins');
    expect(JSON.stringify(card)).toContain('up to 2h');
    expect(card.body.find((e) => e.id === Inputs.duration)).toMatchObject({ value: '1h', isRequired: true });
    expect(card.body.find((e) => e.id === Inputs.permissionSet)).toBeUndefined();
    expect(card.body.find((e) => e.id === Inputs.startDate)).toBeUndefined();
    expect(executeActions(card)[0]).toMatchObject({
      title: 'Submit',
      verb: Verbs.submitRequest,
      data: { formId: 'form-0001', account: 'group:db-admins', breakGlass: false },
    });
  });
});
