/**
 * Structured logs with the fixed keys of the design (requestId, grantId, principal, accountId,
 * permissionSet, platform, actor, code). Pino's shape, so the adapter is pino itself.
 */
export interface LogFields {
  requestId?: string;
  grantId?: string;
  principal?: string;
  accountId?: string;
  permissionSet?: string;
  platform?: string;
  actor?: string;
  code?: string;
  err?: unknown;
  [key: string]: unknown;
}

export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  child(fields: LogFields): Logger;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
