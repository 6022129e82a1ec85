export { AwsActivityTrail, LOOKUP_PAGE, parseEvent, type ActivityTrailOptions } from './activity-trail';
