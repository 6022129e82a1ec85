import { InMemoryAlertStore } from '../fakes/in-memory-alert-store';
import { alertStoreContract } from './alert-store.contract';

alertStoreContract('in memory', async () => ({ store: new InMemoryAlertStore() }));
