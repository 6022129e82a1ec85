import type { AccountId } from '../../../src';
import { anAccount } from '../../builders';
import { testEngine, users } from '../../builders/test-engine';
import { FakeIdentityCenter } from '../../fakes/fake-identity-center';
import { demoSeed } from '../../fakes/seed';

/** An OU rule through the engine: accounts two OUs below the named OU are covered, a sibling branch is not. */
function nestedOrg(): FakeIdentityCenter {
  const seed = demoSeed();
  seed.accounts.push(
    anAccount({
      id: '555555555555' as AccountId,
      name: 'prod-eu-batch',
      ouPath: ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-44444444', 'ou-ab12-55555555'],
      ouNames: ['Root', 'Production', 'EU', 'Batch'],
      tags: {},
    }),
    anAccount({
      id: '666666666666' as AccountId,
      name: 'dev-eu',
      ouPath: ['r-ab12', 'ou-ab12-22222222', 'ou-ab12-66666666'],
      ouNames: ['Root', 'Development', 'EU'],
      tags: {},
    }),
  );
  return new FakeIdentityCenter(seed);
}

describe('an OU rule in the engine', () => {
  it('covers an account below a nested OU, with the rule’s approvers', async () => {
    const t = testEngine({ identity: nestedOrg() });
    const { request, decision } = await t.engine.requestAccess({
      requester: users.rita,
      account: 'prod-eu-batch',
      permissionSet: 'AdministratorAccess',
      duration: '1h',
      reason: 'INC-7 rerun the batch',
    });
    expect(decision).toMatchObject({ outcome: 'needs_approval', rule: 'prod-admin' });
    expect(request.status).toBe('pending');
  });

  it('does not cover an account below another branch', async () => {
    const t = testEngine({ identity: nestedOrg() });
    const error = await t.engine
      .requestAccess({
        requester: users.rita,
        account: 'dev-eu',
        permissionSet: 'AdministratorAccess',
        duration: '1h',
        reason: 'INC-7 rerun the batch',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: 'POLICY_DENIED' });
  });
});
