export {
  PagerDutyOnCall,
  PAGERDUTY_API_URL,
  pagerDutyScheduleId,
  type PagerDutyOnCallOptions,
} from './pagerduty-on-call';
