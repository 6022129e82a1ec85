import { createAlertEngine, silentLogger, type AlertEngineOptions, type AlertNames, type Policy } from '../../src';
import type { IamSeedInput } from '../../adapters/local/aws-emulator/services/iam';
import { FakeIam } from '../fakes/fake-iam';
import { FakeIdentityCenter } from '../fakes/fake-identity-center';
import { InMemoryAlertStore } from '../fakes/in-memory-alert-store';
import { ManualClock } from '../fakes/manual-clock';
import { RecordingAlertPublisher } from '../fakes/recording-alert-publisher';
import { demoSeed } from '../fakes/seed';
import { demoPolicy } from './policy';

export const PROD = { id: '111111111111', name: 'prod' };
export const SANDBOX = { id: '222222222222', name: 'sandbox' };

/** An alert engine on fakes, with handles on every fake. IAM is the emulator's model, in process. */
export function testAlertEngine(
  over: {
    iam?: IamSeedInput;
    options?: Partial<AlertEngineOptions>;
    policy?: Policy;
    accounts?: { id: string; name: string }[];
    store?: InMemoryAlertStore;
    clock?: ManualClock;
    publisher?: RecordingAlertPublisher;
    names?: AlertNames;
  } = {},
) {
  const clock = over.clock ?? new ManualClock();
  const store = over.store ?? new InMemoryAlertStore();
  const publisher = over.publisher ?? new RecordingAlertPublisher(undefined, () => clock.now());
  const iam = new FakeIam(over.iam ?? { accounts: [] }, () => clock.now());
  const directory = new FakeIdentityCenter(demoSeed());
  const policy = over.policy ?? demoPolicy();
  const accounts = over.accounts ?? [PROD, SANDBOX];
  const engine = createAlertEngine({
    store,
    publisher,
    clock,
    logger: silentLogger,
    policy: () => policy,
    directory,
    accounts: async () => accounts,
    scanner: iam,
    remediator: iam,
    ...(over.names ? { names: over.names } : {}),
    options: { ...over.options },
  });
  return { engine, store, publisher, iam, clock, policy };
}
