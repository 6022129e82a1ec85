/**
 * What a grant did, read from CloudTrail's event history in the grant's account (issue 18), through
 * the member audit role (sts:AssumeRole with the ExternalId, as the alert scanners do).
 *
 * - LookupEvents with one lookup attribute, `Username`: for the role sessions of an IAM Identity
 *   Center user (roles `AWSReservedSSO_<permission set>_<hash>`) it is the role session name, the
 *   user's Identity Center user name. Events of the user's other roles are left out by the role name
 *   in each event's `userIdentity.sessionContext.sessionIssuer.userName`.
 *   https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * - 50 events per page (the maximum), pages followed with NextToken, at most `maxEvents` read; the
 *   lookup says when it stopped with more left (`truncated`).
 * - CloudTrail allows 2 lookups per second per account and Region: every call takes a token of that
 *   account and Region's bucket first, shared by every lookup of this process.
 * - Event history is per Region (global services land in us-east-1): each configured Region is read;
 *   one that cannot be read is reported in `unavailable`, never skipped silently.
 */
import {
  CloudTrailClient,
  LookupEventsCommand,
  type CloudTrailClientConfig,
  type Event as CloudTrailEvent,
} from '@aws-sdk/client-cloudtrail';
import { silentLogger, type ActivityTrail, type Logger, type TrailEvent, type TrailLookup } from '../../../src';
import { TokenBucket } from '../../shared/pace';
import type { AwsSts, TemporaryCredentials } from '../sts/sts';

export interface ActivityTrailOptions {
  /** The member audit role's name (KEYLESS_ALERTS_AUDIT_ROLE): it may cloudtrail:LookupEvents. */
  auditRoleName: string;
  /** Sent with every sts:AssumeRole into member accounts. */
  externalId: string;
  /** The Regions whose event history is read (global services' events are in us-east-1). */
  regions: string[];
  /** LookupEvents per second per account and Region. Default 2 (CloudTrail's limit). */
  lookupsPerSecond?: number;
  /** Extra client settings (an endpoint for the local emulator, retries). */
  client?: Omit<CloudTrailClientConfig, 'credentials' | 'region'>;
  logger?: Logger;
}

/**
 * The Regions whose event history keyless reads for a grant: the Region keyless runs in, and
 * us-east-1, where global services such as IAM record their events.
 */
export function activityRegions(region: string): string[] {
  return [...new Set([region, 'us-east-1'])];
}

/** The largest page LookupEvents answers. */
export const LOOKUP_PAGE = 50;

interface Session {
  credentials: TemporaryCredentials;
  clients: Map<string, CloudTrailClient>;
}

export class AwsActivityTrail implements ActivityTrail {
  private readonly sessions = new Map<string, Promise<Session>>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly logger: Logger;

  constructor(
    private readonly sts: Pick<AwsSts, 'assumeRole'>,
    private readonly options: ActivityTrailOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async lookup(query: Parameters<ActivityTrail['lookup']>[0]): Promise<TrailLookup> {
    const session = await this.session(query.accountId);
    const events: TrailEvent[] = [];
    const unavailable: TrailLookup['unavailable'] = [];
    let read = 0;
    let truncated = false;
    for (const region of this.options.regions) {
      if (read >= query.maxEvents) {
        // The limit was reached in an earlier Region: this one was not read at all.
        truncated = true;
        unavailable.push({ region, message: `not read: the lookup stopped after ${query.maxEvents} events` });
        continue;
      }
      const client = this.client(session, region);
      let token: string | undefined;
      try {
        do {
          await this.bucket(query.accountId, region).take();
          const out = await client.send(
            new LookupEventsCommand({
              LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: query.username }],
              StartTime: new Date(query.from),
              EndTime: new Date(query.to),
              MaxResults: LOOKUP_PAGE,
              ...(token ? { NextToken: token } : {}),
            }),
          );
          for (const e of out.Events ?? []) {
            if (read >= query.maxEvents) {
              truncated = true;
              break;
            }
            read++;
            const parsed = parseEvent(e, region);
            if (parsed && parsed.roleName?.startsWith(query.roleNamePrefix)) events.push(parsed.event);
          }
          token = out.NextToken;
          if (token && read >= query.maxEvents) truncated = true;
        } while (token && !truncated);
      } catch (error) {
        const name = (error as { name?: string }).name ?? 'Error';
        const message = `${name}: ${(error as Error).message}`.slice(0, 300);
        this.logger.warn({ accountId: query.accountId, region, code: name }, 'CloudTrail lookup failed in a Region');
        unavailable.push({ region, message });
      }
    }
    return { events, regions: [...this.options.regions], truncated, unavailable };
  }

  private bucket(accountId: string, region: string): TokenBucket {
    const key = `${accountId}#${region}`;
    let b = this.buckets.get(key);
    if (!b) {
      // Burst 1: calls evenly spaced, so no one-second window ever holds more than the rate.
      b = new TokenBucket({ ratePerSecond: this.options.lookupsPerSecond ?? 2, burst: 1 });
      this.buckets.set(key, b);
    }
    return b;
  }

  private client(session: Session, region: string): CloudTrailClient {
    let c = session.clients.get(region);
    if (!c) {
      c = new CloudTrailClient({ ...this.options.client, region, credentials: session.credentials });
      session.clients.set(region, c);
    }
    return c;
  }

  /** The audit role's credentials in an account, reused until 5 minutes before they expire. */
  private session(accountId: string): Promise<Session> {
    const cached = this.sessions.get(accountId);
    const fresh = async (): Promise<Session> => {
      const credentials = await this.sts.assumeRole(
        accountId,
        this.options.auditRoleName,
        this.options.externalId,
        'keyless-activity',
      );
      return { credentials, clients: new Map() };
    };
    const next = (cached ?? Promise.reject(new Error('none')))
      .then((s) => (s.credentials.expiration.getTime() - Date.now() > 5 * 60_000 ? s : fresh()))
      .catch(() => fresh());
    this.sessions.set(accountId, next);
    next.catch(() => this.sessions.delete(accountId));
    return next;
  }

  /** Closes the SDK clients (shutdown, tests). */
  destroy(): void {
    for (const s of this.sessions.values()) {
      void s.then((session) => session.clients.forEach((c) => c.destroy())).catch(() => undefined);
    }
    this.sessions.clear();
  }
}

/**
 * One LookupEvents event as the summary needs it, with the role it was made with. The full record
 * (`CloudTrailEvent`, a JSON string) holds the Region, the error code and the session's role.
 */
export function parseEvent(
  e: CloudTrailEvent,
  region: string,
): { event: TrailEvent; roleName: string | undefined } | undefined {
  if (!e.EventName || !e.EventSource) return undefined;
  let record: {
    awsRegion?: unknown;
    errorCode?: unknown;
    readOnly?: unknown;
    userIdentity?: { sessionContext?: { sessionIssuer?: { userName?: unknown } }; arn?: unknown };
  } = {};
  try {
    record = e.CloudTrailEvent ? (JSON.parse(e.CloudTrailEvent) as typeof record) : {};
  } catch {
    record = {};
  }
  const issuer = record.userIdentity?.sessionContext?.sessionIssuer?.userName;
  const arnRole =
    typeof record.userIdentity?.arn === 'string'
      ? /:assumed-role\/([^/]+)\//.exec(record.userIdentity.arn)?.[1]
      : undefined;
  const readOnly =
    e.ReadOnly === 'true' || record.readOnly === true
      ? true
      : e.ReadOnly === 'false' || record.readOnly === false
        ? false
        : undefined;
  const event: TrailEvent = {
    eventName: e.EventName,
    eventSource: e.EventSource,
    eventTime: e.EventTime instanceof Date ? e.EventTime.getTime() : Date.parse(String(e.EventTime)),
    region: typeof record.awsRegion === 'string' ? record.awsRegion : region,
    ...(readOnly !== undefined ? { readOnly } : {}),
    ...(typeof record.errorCode === 'string' && record.errorCode ? { errorCode: record.errorCode } : {}),
  };
  return { event, roleName: typeof issuer === 'string' ? issuer : arnRole };
}
