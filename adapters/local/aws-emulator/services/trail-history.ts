/**
 * CloudTrail's event history as the emulator keeps it: one management event for every call it serves
 * with temporary credentials of a session it issued (access-portal role sessions, AssumeRole sessions),
 * answered by LookupEvents as AWS answers it.
 *
 * - Events are recorded in the Region of the call (global services such as IAM and STS in us-east-1),
 *   with the session's role as `userIdentity` (type AssumedRole) and its session name as the user name,
 *   the error code of a failed call, and `readOnly` from the operation. S3 object reads are data
 *   events and are not recorded.
 * - An event becomes visible `deliveryDelayMs` after the call (CloudTrail delivers minutes late).
 * - LookupEvents (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
 *   the caller's account (the session's, else the emulator's caller) and the request's Region; newest
 *   first; MaxResults 1–50 (default 50) else InvalidMaxResultsException; at most one lookup attribute
 *   else InvalidLookupAttributesException; StartTime after EndTime is InvalidTimeRangeException; a
 *   NextToken not issued for the same parameters is InvalidNextTokenException; beyond 2 calls per
 *   second per account and Region (a token bucket: two at once, then one per half second) is
 *   ThrottlingException.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsError, type JsonInput, type ServiceContext } from '../protocol';
import type { EmuSession } from './sessions';

export interface EmuTrailEvent {
  eventId: string;
  /** Epoch ms. */
  eventTime: number;
  /** When it shows in LookupEvents (epoch ms). */
  visibleAt: number;
  accountId: string;
  region: string;
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  errorCode?: string;
  errorMessage?: string;
  username: string;
  roleName: string;
  roleArn: string;
  accessKeyId: string;
}

const GLOBAL_SERVICES = new Set(['iam', 'sts', 'organizations']);
const READ_ONLY = /^(Get|List|Describe|Head|Lookup|Search|Check)/;
const SOURCE: Record<string, string> = { 'sso-admin': 'sso', portal: 'sso' };
const MAX_EVENTS = 200_000;
const LOOKUP_PER_SECOND = 2;
const ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;

export class TrailHistory {
  readonly events: EmuTrailEvent[] = [];
  /** How long after a call its event shows in LookupEvents. Default 0 (tests set minutes). */
  deliveryDelayMs = 0;
  private readonly lookups = new Map<string, { tokens: number; at: number }>();

  /** Records the management event of a call made with `session` (a no-op for S3 object reads). */
  record(
    session: EmuSession,
    call: {
      accessKeyId: string;
      service: string;
      operation: string;
      region: string | undefined;
      defaultRegion: string;
      at: number;
      errorCode?: string;
      errorMessage?: string;
    },
  ): void {
    if (call.service === 's3' && call.operation === 'GetObject') return;
    const service = SOURCE[call.service] ?? call.service;
    const region = GLOBAL_SERVICES.has(service) ? 'us-east-1' : (call.region ?? call.defaultRegion);
    if (this.events.length >= MAX_EVENTS) this.events.shift();
    this.events.push({
      eventId: randomUUID(),
      eventTime: call.at,
      visibleAt: call.at + this.deliveryDelayMs,
      accountId: session.accountId,
      region,
      eventSource: `${service}.amazonaws.com`,
      eventName: call.operation,
      readOnly: READ_ONLY.test(call.operation),
      ...(call.errorCode ? { errorCode: call.errorCode } : {}),
      ...(call.errorMessage ? { errorMessage: call.errorMessage.slice(0, 300) } : {}),
      username: session.sessionName,
      roleName: session.roleName,
      roleArn: session.roleArn ?? `arn:aws:iam::${session.accountId}:role/${session.roleName}`,
      accessKeyId: call.accessKeyId,
    });
  }

  /** LookupEvents for `accountId` in `region`. */
  lookup(input: JsonInput, accountId: string, region: string, now: number): Record<string, unknown> {
    // Two per second per account and Region, as a token bucket (two at once, then one per half second).
    const key = `${accountId}#${region}`;
    const bucket = this.lookups.get(key) ?? { tokens: LOOKUP_PER_SECOND, at: now };
    bucket.tokens = Math.min(LOOKUP_PER_SECOND, bucket.tokens + ((now - bucket.at) / 1000) * LOOKUP_PER_SECOND);
    bucket.at = now;
    this.lookups.set(key, bucket);
    if (bucket.tokens < 1) throw new AwsError('ThrottlingException', 'Rate exceeded');
    bucket.tokens -= 1;

    const max = input.MaxResults ?? 50;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 50) {
      throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    }
    const attributes = input.LookupAttributes ?? [];
    if (!Array.isArray(attributes)) throw new AwsError('SerializationException', 'LookupAttributes must be a list.');
    if (attributes.length > 1) {
      throw new AwsError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    }
    const attribute = attributes[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | undefined;
    if (
      attribute &&
      (!ATTRIBUTE_KEYS.includes(attribute.AttributeKey as (typeof ATTRIBUTE_KEYS)[number]) ||
        typeof attribute.AttributeValue !== 'string' ||
        attribute.AttributeValue.length < 1 ||
        attribute.AttributeValue.length > 2000)
    ) {
      throw new AwsError('InvalidLookupAttributesException', 'The lookup attribute is not valid.');
    }
    const time = (v: unknown, name: string): number | undefined => {
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new AwsError('SerializationException', `${name} must be a timestamp.`);
      }
      return v * 1000;
    };
    const start = time(input.StartTime, 'StartTime');
    const end = time(input.EndTime, 'EndTime');
    if (start !== undefined && end !== undefined && start > end) {
      throw new AwsError('InvalidTimeRangeException', 'Start time must be before end time.');
    }
    if (input.EventCategory !== undefined && input.EventCategory !== 'insight') {
      throw new AwsError('InvalidEventCategoryException', 'EventCategory must be insight.');
    }
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([accountId, region, attribute ?? null, start ?? null, end ?? null, input.EventCategory ?? null]),
      )
      .digest('hex')
      .slice(0, 16);
    // Newest first; the token is the position after the last event of the previous page.
    const matching = (input.EventCategory === 'insight' ? [] : this.events)
      .filter(
        (e) =>
          e.accountId === accountId &&
          e.region === region &&
          e.visibleAt <= now &&
          (start === undefined || e.eventTime >= start) &&
          (end === undefined || e.eventTime <= end) &&
          (!attribute || matches(e, String(attribute.AttributeKey), String(attribute.AttributeValue))),
      )
      .sort((a, b) => b.eventTime - a.eventTime || (a.eventId < b.eventId ? -1 : 1));
    let from = 0;
    if (input.NextToken !== undefined) {
      const token = typeof input.NextToken === 'string' ? input.NextToken : '';
      const [print, time, id] = Buffer.from(token, 'base64url').toString('utf8').split('|');
      if (print !== fingerprint || !time || !id) {
        throw new AwsError(
          'InvalidNextTokenException',
          'A token that is not valid, or a token that was previously used in a request with different parameters.',
        );
      }
      const t = Number(time);
      from = matching.findIndex((e) => e.eventTime < t || (e.eventTime === t && e.eventId > id));
      if (from < 0) from = matching.length;
    }
    const page = matching.slice(from, from + max);
    const last = page.at(-1);
    const more = from + max < matching.length && last;
    return {
      Events: page.map(shape),
      ...(more
        ? { NextToken: Buffer.from(`${fingerprint}|${last.eventTime}|${last.eventId}`).toString('base64url') }
        : {}),
    };
  }
}

function matches(e: EmuTrailEvent, key: string, value: string): boolean {
  switch (key) {
    case 'EventId':
      return e.eventId === value;
    case 'EventName':
      return e.eventName === value;
    case 'ReadOnly':
      return String(e.readOnly) === value;
    case 'Username':
      return e.username === value;
    case 'EventSource':
      return e.eventSource === value;
    case 'AccessKeyId':
      return e.accessKeyId === value;
    default:
      // The emulator records no resources.
      return false;
  }
}

function shape(e: EmuTrailEvent): Record<string, unknown> {
  const iso = new Date(e.eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const record = {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEMULATOR:${e.username}`,
      arn: `arn:aws:sts::${e.accountId}:assumed-role/${e.roleName}/${e.username}`,
      accountId: e.accountId,
      accessKeyId: e.accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEMULATOR',
          arn: e.roleArn,
          accountId: e.accountId,
          userName: e.roleName,
        },
        attributes: { creationDate: iso, mfaAuthenticated: 'false' },
      },
    },
    eventTime: iso,
    eventSource: e.eventSource,
    eventName: e.eventName,
    awsRegion: e.region,
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2',
    ...(e.errorCode ? { errorCode: e.errorCode, errorMessage: e.errorMessage ?? '' } : {}),
    requestParameters: null,
    responseElements: null,
    eventID: e.eventId,
    readOnly: e.readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: e.accountId,
    eventCategory: 'Management',
  };
  return {
    EventId: e.eventId,
    EventName: e.eventName,
    ReadOnly: String(e.readOnly),
    AccessKeyId: e.accessKeyId,
    EventTime: e.eventTime / 1000,
    EventSource: e.eventSource,
    Username: e.username,
    Resources: [],
    CloudTrailEvent: JSON.stringify(record),
  };
}

const histories = new WeakMap<object, TrailHistory>();

/** The event history of one emulator world (a reset starts an empty one with the new world). */
export function trailHistoryOf(world: object): TrailHistory {
  let h = histories.get(world);
  if (!h) {
    h = new TrailHistory();
    histories.set(world, h);
  }
  return h;
}

/** The account a LookupEvents call reads: the session's, else the emulator's own caller. */
export function lookupAccount(ctx: ServiceContext, session: EmuSession | undefined): string {
  return session?.accountId ?? ctx.world.caller.account;
}
