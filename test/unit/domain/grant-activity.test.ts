import {
  activitySummaryText,
  summariseActivity,
  systemActor,
  transitionGrant,
  writeSignificance,
  type TrailEvent,
  type TrailLookup,
} from '../../../src';
import { aGrant, T0 } from '../../builders';

const ev = (eventName: string, eventSource: string, over: Partial<TrailEvent> = {}): TrailEvent => ({
  eventName,
  eventSource,
  eventTime: T0,
  region: 'eu-west-1',
  readOnly: /^(Get|List|Describe)/.test(eventName),
  ...over,
});
const lookup = (events: TrailEvent[], over: Partial<TrailLookup> = {}): TrailLookup => ({
  events,
  regions: ['eu-west-1', 'us-east-1'],
  truncated: false,
  unavailable: [],
  ...over,
});
const summarise = (l: TrailLookup, over: { writeKindsShown?: number; final?: boolean } = {}) =>
  summariseActivity({
    lookup: l,
    accountId: '111111111111',
    username: 'rita@example.com',
    from: T0 - 60_000,
    to: T0 + 3600_000,
    fetchedAt: T0 + 4000_000,
    final: over.final ?? false,
    ...(over.writeKindsShown !== undefined ? { writeKindsShown: over.writeKindsShown } : {}),
  });

describe('the activity summary of a grant', () => {
  it('orders writes most significant first: destructive, then IAM/KMS/Organizations changes, then the rest by count', () => {
    const s = summarise(
      lookup([
        ev('RunInstances', 'ec2.amazonaws.com'),
        ev('RunInstances', 'ec2.amazonaws.com'),
        ev('RunInstances', 'ec2.amazonaws.com'),
        ev('PutObjectAcl', 's3.amazonaws.com'),
        ev('AttachRolePolicy', 'iam.amazonaws.com'),
        ev('CreateKey', 'kms.amazonaws.com'),
        ev('CreateKey', 'kms.amazonaws.com'),
        ev('DeleteBucket', 's3.amazonaws.com'),
        ev('DeleteUser', 'iam.amazonaws.com'),
        ev('ListUsers', 'iam.amazonaws.com'),
      ]),
    );
    expect(s.writeActions.map((g) => `${g.significance} ${g.action} ${g.count}`)).toEqual([
      'destructive iam:DeleteUser 1',
      'destructive s3:DeleteBucket 1',
      'security kms:CreateKey 2',
      'security iam:AttachRolePolicy 1',
      'other ec2:RunInstances 3',
      'other s3:PutObjectAcl 1',
    ]);
    expect(writeSignificance('organizations.amazonaws.com', 'MoveAccount')).toBe('security');
    expect(writeSignificance('cloudtrail.amazonaws.com', 'StopLogging')).toBe('destructive');
  });

  it('summarises large volumes without dropping anything: every call counts, the rest of the writes are counted', () => {
    const reads = Array.from({ length: 3214 }, (_, i) => ev(i % 2 ? 'GetObject' : 'ListBuckets', 's3.amazonaws.com'));
    const writes = Array.from({ length: 12 }, (_, i) => ev(`PutThing${i % 6}`, 'dynamodb.amazonaws.com'));
    const s = summarise(lookup([...reads, ...writes]), { writeKindsShown: 2 });
    expect(s).toMatchObject({ calls: 3226, reads: 3214, writes: 12, otherWriteKinds: 4, otherWrites: 8 });
    expect(s.writeActions.reduce((n, g) => n + g.count, 0) + s.otherWrites).toBe(s.writes);
    const t = activitySummaryText(s);
    expect(t.headline).toBe('3,214 read calls, 12 writes in eu-west-1');
    expect(t.writes.at(-1)).toBe('…and 4 other kinds of write (8 calls)');
  });

  it('counts errors and AccessDenied, lists the Regions with calls, and counts a call CloudTrail did not mark read-only as a write', () => {
    const s = summarise(
      lookup([
        ev('DescribeInstances', 'ec2.amazonaws.com', { errorCode: 'Client.UnauthorizedOperation' }),
        ev('GetObject', 's3.amazonaws.com', { errorCode: 'AccessDenied', region: 'us-east-1' }),
        ev('DeleteAccessKey', 'iam.amazonaws.com', { errorCode: 'NoSuchEntity', region: 'us-east-1' }),
        ev('DeleteAccessKey', 'iam.amazonaws.com', { region: 'us-east-1' }),
        ev('SomethingNew', 'foo.amazonaws.com', { readOnly: undefined }),
      ]),
    );
    expect(s).toMatchObject({ calls: 5, reads: 2, writes: 3, errors: 3, accessDenied: 2 });
    expect(s.activeRegions).toEqual([
      { region: 'us-east-1', calls: 3 },
      { region: 'eu-west-1', calls: 2 },
    ]);
    expect(s.writeActions[0]).toMatchObject({ action: 'iam:DeleteAccessKey', count: 2, failed: 1 });
    const t = activitySummaryText(s);
    expect(t.headline).toBe('2 read calls, 3 writes, 3 errors (2 AccessDenied) in us-east-1, eu-west-1');
    expect(t.writes[0]).toBe('iam:DeleteAccessKey ×2 (1 failed) — destructive');
  });

  it('says when the lookup stopped at its limit, which Regions could not be read, and whether it is final', () => {
    const s = summarise(
      lookup([ev('ListBuckets', 's3.amazonaws.com')], {
        truncated: true,
        unavailable: [{ region: 'us-east-1', message: 'AccessDeniedException: not authorized' }],
      }),
    );
    const t = activitySummaryText(s);
    expect(t.headline).toBe('at least 1 read call, 0 writes in eu-west-1');
    expect(t.notes).toEqual([
      'The lookup stopped at its limit: CloudTrail holds more events than counted here.',
      'us-east-1 could not be read: AccessDeniedException: not authorized',
      'Looked in eu-west-1, us-east-1. CloudTrail delivers events minutes late: this summary is updated once more.',
    ]);
    expect(activitySummaryText(summarise(lookup([]), { final: true })).headline).toBe('No AWS calls recorded');
    expect(activitySummaryText(summarise(lookup([]), { final: true })).notes).toEqual([
      'Looked in eu-west-1, us-east-1.',
    ]);
  });

  it('links the CloudTrail event history filtered by the user name and the window', () => {
    const s = summarise(lookup([ev('ListBuckets', 's3.amazonaws.com')]));
    const url = new URL(s.consoleUrl);
    expect(url.host).toBe('eu-west-1.console.aws.amazon.com');
    const q = new URLSearchParams(url.hash.replace(/^#\/events\?/, ''));
    expect(q.get('Username')).toBe('rita@example.com');
    expect(q.get('StartTime')).toBe(new Date(T0 - 60_000).toISOString());
  });
});

describe('the lookups stored with a grant', () => {
  const actor = systemActor('test');
  const at = T0 + 3600_000;
  const s = summarise(lookup([ev('DeleteUser', 'iam.amazonaws.com')]));
  const ending = aGrant({ status: 'deprovisioning', activatedAt: T0, expiresAt: at, endReason: 'revoked' });
  const ended = transitionGrant(ending, {
    type: 'unassignment_confirmed',
    actor,
    at,
    activityDueAt: at + 300_000,
  })!.next;

  it('schedules the first lookup when a grant that was active ends, and none for one never active', () => {
    expect(ended.activity).toEqual({ step: 0, dueAt: at + 300_000 });
    const never = { ...ending, activatedAt: undefined } as typeof ending;
    expect(
      transitionGrant(never, { type: 'unassignment_confirmed', actor, at, activityDueAt: at + 1 })!.next.activity,
    ).toBeUndefined();
  });

  it('stores each step once and in order, then none is due', () => {
    const first = transitionGrant(ended, {
      type: 'activity_summarised',
      actor,
      at: at + 300_000,
      step: 1,
      summary: s,
      nextDueAt: at + 1_200_000,
    })!;
    expect(first.next.activity).toEqual({ step: 1, summary: s, dueAt: at + 1_200_000 });
    expect(first.audit.details).toMatchObject({ activityStep: 1, calls: 1, writes: 1 });
    // The archive and the export read the rest of the summary from the event itself.
    expect(first.audit.details).toMatchObject({
      writeActions: 'iam:DeleteUser',
      regions: 'eu-west-1',
      complete: false,
    });
    // A repeat of step 1, or step 2 before step 1, changes nothing.
    expect(
      transitionGrant(first.next, { type: 'activity_summarised', actor, at, step: 1, summary: s }),
    ).toBeUndefined();
    expect(transitionGrant(ended, { type: 'activity_summarised', actor, at, step: 2, summary: s })).toBeUndefined();
    const final = transitionGrant(first.next, {
      type: 'activity_summarised',
      actor,
      at: at + 1_200_000,
      step: 2,
      summary: { ...s, final: true },
      nextDueAt: at + 9_999_999,
    })!;
    expect(final.next.activity).toEqual({ step: 2, summary: { ...s, final: true } });
  });

  it('ends the lookups when the first one is already the final one (after an outage)', () => {
    const late = transitionGrant(ended, {
      type: 'activity_summarised',
      actor,
      at: at + 5_000_000,
      step: 1,
      summary: { ...s, final: true },
    })!;
    expect(late.next.activity).toEqual({ step: 1, summary: { ...s, final: true } });
  });
});
