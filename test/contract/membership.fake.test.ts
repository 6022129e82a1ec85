import { InMemoryGrantStore } from '../fakes/in-memory-grant-store';
import { membershipContract } from './membership.contract';

membershipContract('in memory', async () => ({ membership: new InMemoryGrantStore() }));
