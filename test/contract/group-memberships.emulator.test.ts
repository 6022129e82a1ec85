import { startEmulatedIdentityCenter } from '../integration/aws/emulator-harness';
import { groupMembershipsContract } from './group-memberships.contract';

groupMembershipsContract('AWS SDK adapter on the local AWS emulator', async () => {
  const { ic, stop } = await startEmulatedIdentityCenter();
  return { ic, userEmail: 'rita@example.com', group: 'db-admins', teardown: stop };
});
