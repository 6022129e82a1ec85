export {
  PagerDutyState,
  startPagerDutyLoopback,
  type LoopbackSchedule,
  type LoopbackShift,
  type PagerDutyLoopbackOptions,
  type RunningPagerDuty,
} from './server';
