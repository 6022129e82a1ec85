import { ErrorCodes, KeylessError, type AccountId } from '../../src';
import { ADMIN } from '../builders';
import { FakeIdentityCenter } from '../fakes/fake-identity-center';
import { demoSeed } from '../fakes/seed';
import { identityCenterContract } from './identity-center.contract';

identityCenterContract('fake', async () => {
  const ic = new FakeIdentityCenter(demoSeed());
  return {
    ic,
    user: { email: 'rita@example.com', userName: 'rita', group: 'engineers' },
    colleagueEmail: 'ann@example.com',
    account: { id: '111111111111' as AccountId, name: 'prod', ouId: 'ou-ab12-11111111', tag: ['env', 'prod'] },
    permissionSet: { arn: ADMIN, name: 'AdministratorAccess', sessionDurationSeconds: 3600 },
    failNextAssignment: (reason) => ic.failNext('assign', new KeylessError(ErrorCodes.AssignmentFailed, reason)),
  };
});
