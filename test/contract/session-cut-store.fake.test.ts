import { InMemoryGrantStore } from '../fakes/in-memory-grant-store';
import { sessionCutStoreContract } from './session-cut-store.contract';

sessionCutStoreContract('in memory', async () => new InMemoryGrantStore());
