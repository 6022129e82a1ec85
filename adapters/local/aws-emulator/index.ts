export {
  startAwsEmulator,
  createAwsEmulator,
  type RunningAwsEmulator,
  type AwsEmulatorOptions,
  type EmulatorStateView,
} from './server';
export { Faults, type FaultSettings, type FaultsSnapshot } from './faults';
export { RequestLog, type LoggedRequest } from './request-log';
export { AwsEmulatorAdminClient, type FaultRequest } from './admin-client';
export {
  parseSeed,
  parseSeedYaml,
  loadSeedFile,
  loadDemoSeed,
  generateSeed,
  SeedError,
  DEMO_SEED_PATH,
  type EmulatorSeed,
} from './seed';
export { AwsError, type JsonService, type QueryService } from './protocol';
export * as cloudTrailEvents from './services/cloudtrail-events';
export type { SecurityFeedState } from './security-feed';
export { IamState, type EmuAccessKey } from './services/iam';
export { SqsState } from './services/sqs';
export { trailHistoryOf, type EmuTrailEvent } from './services/trail-history';
