export { createEngine, type Engine } from './create-engine';
export {
  defaultEngineOptions,
  defaultSessionCutOptions,
  defaultActivityOptions,
  type ActivityOptions,
  type EngineDeps,
  type EngineOptions,
  type SessionCutDeps,
  type SessionCutOptions,
} from './deps';
export type { SessionCutSyncReport } from './session-cut';
export type { DecideResult, DecisionOutcome } from './decide-request';
export type { RequestAccessInput, RequestAccessResult } from './request-access';
export type { BundleActionResult, RequestBundleInput, RequestBundleResult } from './request-bundle';
export type { SweepReport } from './sweep';
export type { RevokeResult } from './revoke-grant';
export { grantIdFor } from './fulfil-request';
export { retryDelayMs } from './deprovision';
export { createAlertEngine, type AlertEngine } from './alerts/create-alert-engine';
export {
  defaultAlertEngineOptions,
  type AlertEngineDeps,
  type AlertEngineOptions,
  type AlertStats,
  type ScanAccount,
} from './alerts/deps';
export type { IngestOutcome } from './alerts/ingest-event';
export type { AccountScanResult, ScanReport } from './alerts/scan';
export { SNOOZE_DAYS } from './alerts/actions';
export { POSTURE_PERIOD_MS } from './alerts/posture';
export type { DriftReport } from './alerts/drift';
export { Leadership, createSecurityDuties, type LeadershipOptions, type SecurityDuties } from './alerts/leadership';
export { AuditReader, isListedAuditor, type AuditAnswer, type AuditReaderDeps } from './audit-reader';
export { ExportActivity, grantActivitySource, type GrantActivitySource } from './export-activity';
