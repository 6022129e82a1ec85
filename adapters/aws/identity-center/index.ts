export {
  AwsIdentityCenter,
  defaultIdentityCenterPace,
  type AwsIdentityCenterClients,
  type AwsIdentityCenterOptions,
  type IdentityCenterPaceOptions,
} from './identity-center.adapter';
export { createAwsIdentityCenter, type CreateAwsIdentityCenterOptions } from './create-identity-center';
export { defaultPolling, nextPollDelay, DurationEstimator, type PollingOptions } from './poll-schedule';
export { translateAwsError } from './aws-errors';
