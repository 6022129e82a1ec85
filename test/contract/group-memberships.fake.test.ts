import { FakeIdentityCenter } from '../fakes/fake-identity-center';
import { demoSeed } from '../fakes/seed';
import { groupMembershipsContract } from './group-memberships.contract';

groupMembershipsContract('fake', async () => ({
  ic: new FakeIdentityCenter(demoSeed()),
  userEmail: 'rita@example.com',
  group: 'db-admins',
}));
