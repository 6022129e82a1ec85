export {
  AwsActivityTrail,
  activityRegions,
  LOOKUP_PAGE,
  parseEvent,
  type ActivityTrailOptions,
} from './activity-trail';
