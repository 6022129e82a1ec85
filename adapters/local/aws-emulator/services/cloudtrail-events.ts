/**
 * EventBridge events as CloudTrail and AWS Health deliver them, for tests and the playground to
 * inject into the security feed's queue. Shapes follow the CloudTrail record and the EventBridge
 * envelope: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import { randomUUID } from 'node:crypto';

export interface RootEventOptions {
  account: string;
  /** Epoch ms of the CloudTrail event. Default: now. */
  at?: number;
  eventId?: string;
  region?: string;
  sourceIp?: string;
  userAgent?: string;
}

function envelope(detailType: string, source: string, o: RootEventOptions, region: string, detail: unknown) {
  const at = o.at ?? Date.now();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: o.account,
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [],
    detail,
  };
}

function rootIdentity(account: string, extra: Record<string, unknown> = {}) {
  return { type: 'Root', principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, ...extra };
}

function record(o: RootEventOptions, region: string, fields: Record<string, unknown>) {
  return {
    eventVersion: '1.08',
    eventTime: new Date(o.at ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    awsRegion: region,
    sourceIPAddress: o.sourceIp ?? '203.0.113.10',
    userAgent: o.userAgent ?? 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)',
    eventID: o.eventId ?? randomUUID(),
    recipientAccountId: o.account,
    ...fields,
  };
}

/** A root console sign-in (recorded in us-east-1), successful unless `failed`. */
export function rootConsoleSignIn(o: RootEventOptions & { mfa?: boolean; failed?: boolean }) {
  const region = 'us-east-1';
  return envelope(
    'AWS Console Sign In via CloudTrail',
    'aws.signin',
    o,
    region,
    record(o, region, {
      userIdentity: rootIdentity(o.account),
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      requestParameters: null,
      responseElements: { ConsoleLogin: o.failed ? 'Failure' : 'Success' },
      additionalEventData: {
        LoginTo: 'https://console.aws.amazon.com/console/home',
        MobileVersion: 'No',
        MFAUsed: o.mfa ? 'Yes' : 'No',
      },
      ...(o.failed ? { errorMessage: 'Failed authentication' } : {}),
    }),
  );
}

/** A root API call (IAM calls land in us-east-1, others where they happen). */
export function rootApiCall(
  o: RootEventOptions & {
    eventSource?: string;
    eventName?: string;
    readOnly?: boolean;
    invokedBy?: string;
    eventType?: string;
    assumedRoot?: string;
    requestParameters?: Record<string, unknown> | null;
  },
) {
  const region = o.region ?? 'us-east-1';
  const identity = rootIdentity(o.account, {
    ...(o.invokedBy ? { invokedBy: o.invokedBy } : {}),
    ...(o.assumedRoot ? { inScopeOf: { issuerType: 'AWS::STS::AssumeRoot', credentialsIssuedTo: o.assumedRoot } } : {}),
  });
  return envelope(
    'AWS API Call via CloudTrail',
    `aws.${(o.eventSource ?? 'iam.amazonaws.com').split('.')[0]}`,
    o,
    region,
    record(o, region, {
      userIdentity: identity,
      eventSource: o.eventSource ?? 'iam.amazonaws.com',
      eventName: o.eventName ?? 'CreateUser',
      eventType: o.eventType ?? 'AwsApiCall',
      readOnly: o.readOnly ?? false,
      requestParameters: o.requestParameters === undefined ? null : o.requestParameters,
      responseElements: null,
    }),
  );
}

export const rootAccessKeyCreated = (o: RootEventOptions) =>
  rootApiCall({ ...o, eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', requestParameters: null });

/** AWS Health: an access key found exposed publicly. */
export function credentialsExposed(o: RootEventOptions & { accessKeyId: string }) {
  const at = o.at ?? Date.now();
  return envelope('AWS Health Event', 'aws.health', o, 'us-east-1', {
    eventArn: `arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_${o.eventId ?? randomUUID()}`,
    service: 'RISK',
    eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
    eventTypeCategory: 'issue',
    startTime: new Date(at).toUTCString(),
    eventDescription: [{ language: 'en_US', latestDescription: 'Your AWS access key was found publicly available.' }],
    affectedEntities: [{ entityValue: o.accessKeyId }],
  });
}

/** An EventBridge scheduled event: the heartbeat each forwarded region sends. */
export function heartbeat(o: { account: string; region: string; at?: number }) {
  return envelope('Scheduled Event', 'aws.events', o, o.region, {});
}
