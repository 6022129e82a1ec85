export { createEngine, type Engine } from './create-engine';
export { defaultEngineOptions, type EngineDeps, type EngineOptions } from './deps';
export type { DecideResult, DecisionOutcome } from './decide-request';
export type { RequestAccessInput, RequestAccessResult } from './request-access';
export type { SweepReport } from './sweep';
export { grantIdFor } from './fulfil-request';
export { retryDelayMs } from './deprovision';
