import { InMemoryAlertStore } from '../fakes/in-memory-alert-store';
import { leaderLeaseContract } from './leader-lease.contract';

leaderLeaseContract('in memory', async () => ({ lease: new InMemoryAlertStore() }));
