/**
 * The one error catalogue of keyless. Every error the engine raises carries a stable `code`
 * (for logs, metrics and tests), a message written for the person who will read it in chat,
 * and, where it helps, a `hint` with a corrected example. Adapters translate SDK errors into
 * these at their boundary.
 */
export const ErrorCodes = {
  InvalidAccountId: 'INVALID_ACCOUNT_ID',
  InvalidPermissionSetArn: 'INVALID_PERMISSION_SET_ARN',
  InvalidInstanceArn: 'INVALID_INSTANCE_ARN',
  InvalidDuration: 'INVALID_DURATION',
  DurationTooLong: 'DURATION_TOO_LONG',
  InvalidPolicy: 'INVALID_POLICY',
  InvalidInput: 'INVALID_INPUT',
  ReasonRequired: 'REASON_REQUIRED',
  InvalidTransition: 'INVALID_TRANSITION',
  VersionConflict: 'VERSION_CONFLICT',
  RequestNotFound: 'REQUEST_NOT_FOUND',
  GrantNotFound: 'GRANT_NOT_FOUND',
  /** An action (end, extend) on a grant that has ended or is ending: the message says when and how. */
  GrantEnded: 'GRANT_ENDED',
  PolicyDenied: 'POLICY_DENIED',
  NotEligibleApprover: 'NOT_ELIGIBLE_APPROVER',
  SelfApprovalForbidden: 'SELF_APPROVAL_FORBIDDEN',
  NotAllowed: 'NOT_ALLOWED',
  UnverifiedIdentity: 'UNVERIFIED_IDENTITY',
  PrincipalNotFound: 'PRINCIPAL_NOT_FOUND',
  UnknownAccount: 'UNKNOWN_ACCOUNT',
  UnknownPermissionSet: 'UNKNOWN_PERMISSION_SET',
  AssignmentFailed: 'ASSIGNMENT_FAILED',
  Throttled: 'THROTTLED',
  AwsAccessDenied: 'AWS_ACCESS_DENIED',
  Unavailable: 'UNAVAILABLE',
  ConfigInvalid: 'CONFIG_INVALID',
  AlertNotFound: 'ALERT_NOT_FOUND',
  /** A chat request from a Slack workspace or Teams tenant keyless does not serve (refused, never processed). */
  ForeignWorkspace: 'FOREIGN_WORKSPACE',
  /** A change would let a grant outlast what its rules allow (a bug, refused). */
  DurationCapExceeded: 'DURATION_CAP_EXCEEDED',
  /** The live session cuts do not fit in keyless's service control policies (none is dropped). */
  SessionCutNoRoom: 'SESSION_CUT_NO_ROOM',
  /** A start time (`--from`) keyless cannot read. */
  InvalidStart: 'INVALID_START',
  /** A start time that has passed. */
  StartInPast: 'START_IN_PAST',
  /** A start further ahead than the rule's `maxStartAhead`. */
  StartTooFar: 'START_TOO_FAR',
  /** Access asked for a time when the same access is already granted or scheduled. */
  OverlappingGrant: 'OVERLAPPING_GRANT',
  /** An Identity Center group keyless does not know (not in the identity store, or named by no rule). */
  UnknownGroup: 'UNKNOWN_GROUP',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Codes whose cause is passing (throttling, a lost race, an outage): the caller may try again. */
const retryable: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCodes.VersionConflict,
  ErrorCodes.Throttled,
  ErrorCodes.Unavailable,
]);

export interface KeylessErrorOptions {
  /** A corrected example or the next step, shown under the message. */
  hint?: string;
  /** Structured facts for logs (never secrets, never whole payloads). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class KeylessError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: KeylessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeylessError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  get retryable(): boolean {
    return retryable.has(this.code);
  }

  /** The text a person sees: the problem, then the hint on its own line. */
  toUserText(): string {
    return this.hint ? `${this.message}\n${this.hint}` : this.message;
  }
}

export function isKeylessError(error: unknown, code?: ErrorCode): error is KeylessError {
  return error instanceof KeylessError && (code === undefined || error.code === code);
}
