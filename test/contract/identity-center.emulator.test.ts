import type { AccountId, PermissionSetArn } from '../../src';
import { startEmulatedIdentityCenter } from '../integration/aws/emulator-harness';
import { identityCenterContract } from './identity-center.contract';

identityCenterContract('AWS SDK adapter on the local AWS emulator', async () => {
  const { ic, emulator, stop } = await startEmulatedIdentityCenter();
  return {
    ic,
    user: { email: 'rita@example.com', userName: 'rita', group: 'engineers' },
    colleagueEmail: 'ann@example.com',
    account: { id: '111111111111' as AccountId, name: 'prod', ouId: 'ou-ab12-11111111', tag: ['env', 'prod'] },
    permissionSet: {
      arn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-000000000000000a' as PermissionSetArn,
      name: 'AdministratorAccess',
      sessionDurationSeconds: 3600,
    },
    failNextAssignment: (reason) => {
      emulator.faults.failNextCreates(1, reason);
    },
    teardown: stop,
  };
});
