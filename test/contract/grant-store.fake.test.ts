import { InMemoryGrantStore } from '../fakes/in-memory-grant-store';
import { grantStoreContract } from './grant-store.contract';

grantStoreContract('in-memory fake', async () => ({ store: new InMemoryGrantStore() }));
