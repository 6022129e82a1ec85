export { ScanScheduler, type ScanSchedulerOptions } from './scan-scheduler';
