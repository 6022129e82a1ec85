import { z } from 'zod';
import { dedupeKeys, last4, type Finding, type FindingKind, type RootWindow } from './alert';
import { formatIssues } from './policy';

/**
 * Root activity as it happens: EventBridge events that carry CloudTrail records (console sign-in,
 * API calls) and AWS Health events, validated once here and classified by pure rules.
 *
 * Shapes: https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
 * https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html
 */

export const CONSOLE_SIGN_IN = 'AWS Console Sign In via CloudTrail';
/**
 * EventBridge's guide spells the sign-in detail-type "AWS Console Signin via CloudTrail"
 * (eb-service-event-cloudtrail), while delivered events carry "AWS Console Sign In via CloudTrail":
 * rules match both, and the parser reads the documented spelling as the delivered one.
 */
export const CONSOLE_SIGN_IN_AS_DOCUMENTED = 'AWS Console Signin via CloudTrail';
export const API_CALL = 'AWS API Call via CloudTrail';
export const HEALTH_EVENT = 'AWS Health Event';
export const SCHEDULED_EVENT = 'Scheduled Event';
export const CREDENTIALS_EXPOSED = 'AWS_RISK_CREDENTIALS_EXPOSED';
/** `userIdentity.inScopeOf.issuerType` of a privileged session opened with sts:AssumeRoot. */
export const ASSUME_ROOT_ISSUER = 'AWS::STS::AssumeRoot';

const isoTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date-time');
const stringMap = z.record(z.string(), z.unknown());

const userIdentity = z
  .object({
    type: z.string().min(1),
    principalId: z.string().optional(),
    arn: z.string().optional(),
    accountId: z.string().optional(),
    accessKeyId: z.string().optional(),
    userName: z.string().optional(),
    invokedBy: z.string().optional(),
    sessionContext: z
      .object({ attributes: z.object({ mfaAuthenticated: z.string().optional() }).passthrough().optional() })
      .passthrough()
      .optional(),
    inScopeOf: z
      .object({ issuerType: z.string().optional(), credentialsIssuedTo: z.string().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const cloudTrailDetailSchema = z
  .object({
    eventVersion: z.string().optional(),
    userIdentity,
    eventTime: isoTime,
    eventSource: z.string().min(1),
    eventName: z.string().min(1),
    awsRegion: z.string().min(1),
    sourceIPAddress: z.string().optional(),
    userAgent: z.string().optional(),
    requestParameters: stringMap.nullish(),
    responseElements: stringMap.nullish(),
    additionalEventData: stringMap.nullish(),
    eventID: z.string().min(1),
    eventType: z.string().optional(),
    readOnly: z.boolean().optional(),
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
    recipientAccountId: z.string().optional(),
  })
  .passthrough();

export const healthDetailSchema = z
  .object({
    eventArn: z.string().min(1),
    service: z.string().optional(),
    eventTypeCode: z.string().min(1),
    eventTypeCategory: z.string().optional(),
    startTime: isoTime.optional(),
    eventDescription: z
      .array(z.object({ language: z.string().optional(), latestDescription: z.string() }).passthrough())
      .optional(),
    affectedEntities: z.array(z.object({ entityValue: z.string() }).passthrough()).optional(),
  })
  .passthrough();

const envelope = z.object({
  version: z.string().optional(),
  id: z.string().min(1),
  source: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  time: isoTime,
  region: z.string().min(1),
  resources: z.array(z.string()).optional(),
});

export const securityEventSchema = z.discriminatedUnion('detail-type', [
  envelope.extend({ 'detail-type': z.literal(CONSOLE_SIGN_IN), detail: cloudTrailDetailSchema }),
  envelope.extend({ 'detail-type': z.literal(API_CALL), detail: cloudTrailDetailSchema }),
  envelope.extend({ 'detail-type': z.literal(HEALTH_EVENT), detail: healthDetailSchema }),
  envelope.extend({ 'detail-type': z.literal(SCHEDULED_EVENT), detail: z.unknown().optional() }),
]);

export type SecurityEvent = z.output<typeof securityEventSchema>;
export type CloudTrailEvent = Extract<SecurityEvent, { 'detail-type': typeof CONSOLE_SIGN_IN | typeof API_CALL }>;

/** Validates one event (a JSON string or an object). Never throws: a malformed event is data too. */
export function parseSecurityEvent(
  raw: unknown,
): { ok: true; event: SecurityEvent } | { ok: false; problems: string[] } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, problems: ['(root): not valid JSON'] };
    }
  }
  if (
    value &&
    typeof value === 'object' &&
    (value as Record<string, unknown>)['detail-type'] === CONSOLE_SIGN_IN_AS_DOCUMENTED
  ) {
    value = { ...(value as Record<string, unknown>), 'detail-type': CONSOLE_SIGN_IN };
  }
  const result = securityEventSchema.safeParse(value);
  return result.success ? { ok: true, event: result.data } : { ok: false, problems: formatIssues(result.error.issues) };
}

/** The id raw events are deduped by: CloudTrail's own event id survives forwarding between buses. */
export function securityEventId(event: SecurityEvent): string {
  switch (event['detail-type']) {
    case CONSOLE_SIGN_IN:
    case API_CALL:
      return `cloudtrail:${event.detail.eventID}`;
    case HEALTH_EVENT:
      return `health:${event.detail.eventArn}:${event.account}`;
    default:
      return `event:${event.id}`;
  }
}

/** The region a record comes from (sign-in and IAM land in us-east-1, other calls where they happen). */
export function securityEventRegion(event: SecurityEvent): string {
  return event['detail-type'] === CONSOLE_SIGN_IN || event['detail-type'] === API_CALL
    ? event.detail.awsRegion
    : event.region;
}

export interface ClassifyContext {
  /** Epoch ms of receipt. */
  now: number;
  accountName: (accountId: string) => string;
  /** Root windows announced for the event's account. */
  windows: readonly RootWindow[];
}

export type Classification =
  | { outcome: 'finding'; findings: Finding[]; eventId: string; region: string }
  | { outcome: 'ignored'; reason: string; eventId: string; region: string }
  | { outcome: 'heartbeat'; eventId: string; region: string };

const ADVICE: Partial<Record<FindingKind, string>> = {
  root_console_login:
    'Confirm with the account owner that this root sign-in was planned. If nobody claims it, reset the root password, check root MFA, and review what the session did in CloudTrail.',
  root_console_login_failed:
    'Someone is trying the root password. Check that root MFA is on; if the attempts go on, reset the password and contact AWS Support.',
  root_api_call:
    'Root credentials were used. Confirm it was planned; everyday work belongs in a role, and root should be used only for the tasks that need it.',
  root_read_only_call: 'A read-only call with root credentials. Confirm it was planned.',
  root_access_key_created:
    'Delete the root access key unless a documented task needs it for minutes; root keys should not exist.',
  root_assumed_session:
    'A privileged root session (sts:AssumeRoot) from the management account. Check that it matches a planned task.',
  credentials_exposed:
    'AWS found this access key exposed publicly. Deactivate it now, create a replacement, and review its recent activity in CloudTrail.',
};

const isRoot = (e: CloudTrailEvent) => e.detail.userIdentity.type === 'Root';

function rootKind(e: CloudTrailEvent): { kind: FindingKind; failed: boolean } {
  const d = e.detail;
  if (e['detail-type'] === CONSOLE_SIGN_IN && d.eventName === 'ConsoleLogin') {
    const failed = String(d.responseElements?.['ConsoleLogin'] ?? '') === 'Failure' || d.errorMessage !== undefined;
    return { kind: failed ? 'root_console_login_failed' : 'root_console_login', failed };
  }
  if (d.userIdentity.inScopeOf?.issuerType === ASSUME_ROOT_ISSUER)
    return { kind: 'root_assumed_session', failed: false };
  if (
    d.eventSource === 'iam.amazonaws.com' &&
    d.eventName === 'CreateAccessKey' &&
    d.requestParameters?.['userName'] === undefined &&
    d.errorCode === undefined
  ) {
    return { kind: 'root_access_key_created', failed: false };
  }
  if (d.readOnly === true) return { kind: 'root_read_only_call', failed: false };
  return { kind: 'root_api_call', failed: false };
}

function mfaUsed(e: CloudTrailEvent): boolean | undefined {
  const fromSignIn = e.detail.additionalEventData?.['MFAUsed'];
  if (fromSignIn === 'Yes') return true;
  if (fromSignIn === 'No') return false;
  const fromSession = e.detail.userIdentity.sessionContext?.attributes?.mfaAuthenticated;
  return fromSession === undefined ? undefined : fromSession === 'true';
}

const TITLES: Record<string, (e: CloudTrailEvent) => string> = {
  root_console_login: (e) => `Root console sign-in${mfaUsed(e) === false ? ' without MFA' : ''}`,
  root_console_login_failed: () => 'Failed root sign-in',
  root_api_call: (e) => `Root API call: ${e.detail.eventName}`,
  root_read_only_call: (e) => `Read-only root call: ${e.detail.eventName}`,
  root_access_key_created: () => 'Root access key created',
  root_assumed_session: (e) => `Privileged root session: ${e.detail.eventName}`,
};

function cloudTrailFinding(e: CloudTrailEvent, ctx: ClassifyContext): Finding {
  const { kind } = rootKind(e);
  const d = e.detail;
  const accountId = d.recipientAccountId && /^\d{12}$/.test(d.recipientAccountId) ? d.recipientAccountId : e.account;
  const mfa = mfaUsed(e);
  const eventTime = Date.parse(d.eventTime);
  const severity =
    kind === 'root_access_key_created' || (kind === 'root_console_login' && mfa === false)
      ? 'critical'
      : kind === 'root_read_only_call' || kind === 'root_assumed_session'
        ? 'low'
        : 'high';
  const window = ctx.windows.find((w) => w.accountId === accountId && w.from <= eventTime && eventTime <= w.until);
  return {
    dedupeKey: dedupeKeys.root(accountId, kind),
    kind,
    severity,
    delivery: severity === 'low' ? 'digest' : 'immediate',
    source: 'cloudtrail',
    account: { id: accountId, name: ctx.accountName(accountId) },
    principal: { type: 'root', name: 'root', ...(d.userIdentity.arn ? { arn: d.userIdentity.arn } : {}) },
    title: (TITLES[kind] ?? (() => kind))(e),
    advice: ADVICE[kind] ?? '',
    evidence: {
      eventTime,
      eventName: d.eventName,
      eventId: d.eventID,
      region: d.awsRegion,
      ...(d.sourceIPAddress ? { sourceIp: d.sourceIPAddress } : {}),
      ...(d.userAgent ? { userAgent: d.userAgent.slice(0, 200) } : {}),
      ...(mfa !== undefined ? { mfaUsed: mfa } : {}),
      ...(d.errorMessage ? { detail: d.errorMessage.slice(0, 200) } : {}),
      ...(kind === 'root_assumed_session' && d.userIdentity.inScopeOf?.credentialsIssuedTo
        ? { detail: `issued to ${d.userIdentity.inScopeOf.credentialsIssuedTo}` }
        : {}),
      count: 1,
    },
    observedAt: ctx.now,
    ...(window ? { expected: { by: window.announcedBy, reason: window.reason, until: window.until } } : {}),
  };
}

function healthFindings(e: Extract<SecurityEvent, { 'detail-type': typeof HEALTH_EVENT }>, ctx: ClassifyContext) {
  const d = e.detail;
  const entities = d.affectedEntities?.map((x) => x.entityValue).filter((v) => /^A[KS]IA[A-Z0-9]{12,124}$/.test(v));
  const keys = entities && entities.length > 0 ? entities : [undefined];
  const eventTime = d.startTime ? Date.parse(d.startTime) : Date.parse(e.time);
  const description = d.eventDescription?.[0]?.latestDescription;
  return keys.map((key): Finding => ({
    dedupeKey: key ? dedupeKeys.key(e.account, key, 'credentials_exposed') : dedupeKeys.health(e.account, d.eventArn),
    kind: 'credentials_exposed',
    severity: 'critical',
    delivery: 'immediate',
    source: 'health',
    account: { id: e.account, name: ctx.accountName(e.account) },
    principal: { type: 'iam_user', name: key ? `access key …${last4(key)}` : 'unknown key' },
    title: 'Access key exposed publicly (AWS Health)',
    advice: ADVICE.credentials_exposed ?? '',
    evidence: {
      eventTime,
      eventName: d.eventTypeCode,
      region: e.region,
      ...(key ? { keyLast4: last4(key) } : {}),
      ...(description ? { detail: description.slice(0, 300) } : {}),
    },
    observedAt: ctx.now,
    ...(key ? { accessKeyId: key } : {}),
  }));
}

/**
 * What an event means. Root activity caused by AWS services (`invokedBy`, `AwsServiceEvent`) is not
 * a person using root; AssumeRoot sessions and read-only root calls are low and go to the digest;
 * a root sign-in without MFA, a root access key created and an exposed key are critical.
 */
export function classifySecurityEvent(event: SecurityEvent, ctx: ClassifyContext): Classification {
  const eventId = securityEventId(event);
  const region = securityEventRegion(event);
  switch (event['detail-type']) {
    case SCHEDULED_EVENT:
      return { outcome: 'heartbeat', eventId, region };
    case HEALTH_EVENT:
      if (event.detail.eventTypeCode !== CREDENTIALS_EXPOSED) {
        return { outcome: 'ignored', reason: `health event ${event.detail.eventTypeCode}`, eventId, region };
      }
      return { outcome: 'finding', findings: healthFindings(event, ctx), eventId, region };
    default: {
      if (!isRoot(event)) return { outcome: 'ignored', reason: 'not a root identity', eventId, region };
      if (event.detail.userIdentity.invokedBy || event.detail.eventType === 'AwsServiceEvent') {
        return { outcome: 'ignored', reason: 'caused by an AWS service', eventId, region };
      }
      return { outcome: 'finding', findings: [cloudTrailFinding(event, ctx)], eventId, region };
    }
  }
}

/** A burst of failed sign-ins is one alert whose count grows, not one message per attempt. */
export function collapsesIntoOneMessage(kind: FindingKind): boolean {
  return kind === 'root_console_login_failed';
}
