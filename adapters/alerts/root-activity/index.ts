export {
  SqsRootActivityConsumer,
  defaultSqsConsumerOptions,
  type SqsConsumerOptions,
  type ConsumerStats,
} from './sqs-consumer';
export {
  eventBridgeHandler,
  secretsMatch,
  DEFAULT_SECRET_HEADER,
  EVENTBRIDGE_PATH,
  type EventBridgeEndpointOptions,
} from './eventbridge-endpoint';
export { organizationMembersOnly, type OrganizationFilterOptions } from './organization-filter';
