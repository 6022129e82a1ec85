import { accountStepCard, detailsStepCard } from '../../../../../adapters/teams/cards/request-form.card';
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
});
