import {
  CONSOLE_SIGN_IN,
  CONSOLE_SIGN_IN_AS_DOCUMENTED,
  classifySecurityEvent,
  parseSecurityEvent,
  systemActor,
  type Finding,
  type RootWindow,
} from '../../../src';
import {
  credentialsExposed,
  heartbeat,
  rootAccessKeyCreated,
  rootApiCall,
  rootConsoleSignIn,
} from '../../../adapters/local/aws-emulator/services/cloudtrail-events';

const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);
const ACCOUNT = '111111111111';

function classify(raw: unknown, windows: RootWindow[] = []) {
  const parsed = parseSecurityEvent(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return classifySecurityEvent(parsed.event, { now: NOW, accountName: () => 'prod', windows });
}

function only(raw: unknown): Finding {
  const c = classify(raw);
  if (c.outcome !== 'finding') throw new Error(`expected a finding, got ${c.outcome}`);
  expect(c.findings).toHaveLength(1);
  return c.findings[0]!;
}

describe('root activity classification', () => {
  const at = NOW - 60_000;

  it.each([
    {
      name: 'a root console sign-in without MFA',
      event: rootConsoleSignIn({ account: ACCOUNT, at, mfa: false }),
      kind: 'root_console_login',
      severity: 'critical',
      delivery: 'immediate',
    },
    {
      name: 'a root console sign-in with MFA',
      event: rootConsoleSignIn({ account: ACCOUNT, at, mfa: true }),
      kind: 'root_console_login',
      severity: 'high',
      delivery: 'immediate',
    },
    {
      name: 'a failed root sign-in',
      event: rootConsoleSignIn({ account: ACCOUNT, at, failed: true }),
      kind: 'root_console_login_failed',
      severity: 'high',
      delivery: 'immediate',
    },
    {
      name: 'a root access key created',
      event: rootAccessKeyCreated({ account: ACCOUNT, at }),
      kind: 'root_access_key_created',
      severity: 'critical',
      delivery: 'immediate',
    },
    {
      name: 'a root API call that changes something',
      event: rootApiCall({ account: ACCOUNT, at, eventName: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com' }),
      kind: 'root_api_call',
      severity: 'high',
      delivery: 'immediate',
    },
    {
      name: 'a read-only root call',
      event: rootApiCall({ account: ACCOUNT, at, eventName: 'ListUsers', readOnly: true }),
      kind: 'root_read_only_call',
      severity: 'low',
      delivery: 'digest',
    },
    {
      name: 'an AssumeRoot privileged session',
      event: rootApiCall({
        account: ACCOUNT,
        at,
        eventName: 'DeleteBucketPolicy',
        eventSource: 's3.amazonaws.com',
        assumedRoot: 'arn:aws:sts::100000000001:assumed-role/Admin/ops',
      }),
      kind: 'root_assumed_session',
      severity: 'low',
      delivery: 'digest',
    },
    {
      name: 'an exposed access key (AWS Health)',
      event: credentialsExposed({ account: ACCOUNT, at, accessKeyId: 'AKIAABCDEFGHIJKL1234' }),
      kind: 'credentials_exposed',
      severity: 'critical',
      delivery: 'immediate',
    },
  ])('classifies $name as $kind, $severity, $delivery', ({ event, kind, severity, delivery }) => {
    const f = only(event);
    expect({ kind: f.kind, severity: f.severity, delivery: f.delivery }).toEqual({ kind, severity, delivery });
  });

  it('does not count root activity that an AWS service caused as a human using root', () => {
    expect(classify(rootApiCall({ account: ACCOUNT, at, invokedBy: 'support.amazonaws.com' })).outcome).toBe('ignored');
    expect(classify(rootApiCall({ account: ACCOUNT, at, eventType: 'AwsServiceEvent' })).outcome).toBe('ignored');
  });

  it('does not treat root creating a key for an IAM user as a root access key', () => {
    const f = only(
      rootApiCall({ account: ACCOUNT, at, eventName: 'CreateAccessKey', requestParameters: { userName: 'bob' } }),
    );
    expect(f.kind).toBe('root_api_call');
  });

  it('ignores identities that are not root, and Health events of other types', () => {
    const notRoot = rootApiCall({ account: ACCOUNT, at }) as { detail: { userIdentity: { type: string } } };
    notRoot.detail.userIdentity.type = 'IAMUser';
    expect(classify(notRoot).outcome).toBe('ignored');
    const other = credentialsExposed({ account: ACCOUNT, at, accessKeyId: 'AKIAABCDEFGHIJKL1234' }) as {
      detail: { eventTypeCode: string };
    };
    other.detail.eventTypeCode = 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED';
    expect(classify(other).outcome).toBe('ignored');
  });

  it('takes a scheduled event as the heartbeat of its region', () => {
    expect(classify(heartbeat({ account: ACCOUNT, region: 'eu-west-1', at }))).toMatchObject({
      outcome: 'heartbeat',
      region: 'eu-west-1',
    });
  });

  it('keeps the evidence: event time, source IP, user agent, MFA, region', () => {
    const f = only(rootConsoleSignIn({ account: ACCOUNT, at, mfa: false, sourceIp: '198.51.100.7', eventId: 'evt-1' }));
    expect(f.evidence).toMatchObject({
      eventTime: at,
      sourceIp: '198.51.100.7',
      mfaUsed: false,
      region: 'us-east-1',
      eventId: 'evt-1',
      eventName: 'ConsoleLogin',
    });
    expect(f.account).toEqual({ id: ACCOUNT, name: 'prod' });
    expect(f.dedupeKey).toBe(`root:${ACCOUNT}:root_console_login`);
  });

  it('labels root activity inside an announced window with who announced it', () => {
    const by = systemActor('sam');
    const window = {
      id: 'w1',
      accountId: ACCOUNT,
      from: at - 1000,
      until: at + 1000,
      reason: 'close the account',
      announcedBy: by,
    };
    const c = classify(rootConsoleSignIn({ account: ACCOUNT, at, mfa: true }), [window]);
    expect(c.outcome === 'finding' && c.findings[0]!.expected).toEqual({
      by,
      reason: 'close the account',
      until: at + 1000,
    });
    const outside = classify(rootConsoleSignIn({ account: ACCOUNT, at: at + 5000, mfa: true }), [window]);
    expect(outside.outcome === 'finding' && outside.findings[0]!.expected).toBeUndefined();
  });

  it('dedupes raw events by the CloudTrail event id, whatever the envelope id', () => {
    const a = rootConsoleSignIn({ account: ACCOUNT, at, eventId: 'same' });
    const b = rootConsoleSignIn({ account: ACCOUNT, at, eventId: 'same' });
    expect(a.id).not.toBe(b.id);
    expect(classify(a).eventId).toBe(classify(b).eventId);
  });
});

describe('security event validation', () => {
  it.each([
    ['text that is not JSON', '{not json'],
    [
      'an event without a detail type',
      { id: 'x', source: 'aws.signin', account: ACCOUNT, time: '2026-01-01T00:00:00Z', region: 'us-east-1' },
    ],
    [
      'a CloudTrail event without an event id',
      { ...rootConsoleSignIn({ account: ACCOUNT }), detail: { eventName: 'ConsoleLogin' } },
    ],
    ['an event whose account is not 12 digits', { ...rootConsoleSignIn({ account: ACCOUNT }), account: '42' }],
  ])('refuses %s with the problems listed, without throwing', (_name, raw) => {
    const result = parseSecurityEvent(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.length).toBeGreaterThan(0);
  });

  it('accepts an event given as JSON text', () => {
    expect(parseSecurityEvent(JSON.stringify(rootConsoleSignIn({ account: ACCOUNT }))).ok).toBe(true);
  });
});

describe('the sign-in detail-type', () => {
  it('reads the spelling of EventBridge’s guide ("Signin") as the delivered one ("Sign In")', () => {
    const delivered = rootConsoleSignIn({ account: '111111111111', at: NOW }) as unknown as Record<string, unknown>;
    expect(delivered['detail-type']).toBe(CONSOLE_SIGN_IN);
    const parsed = parseSecurityEvent({ ...delivered, 'detail-type': CONSOLE_SIGN_IN_AS_DOCUMENTED });
    expect(parsed.ok && parsed.event['detail-type']).toBe(CONSOLE_SIGN_IN);
    expect(parseSecurityEvent({ ...delivered, 'detail-type': 'AWS Console Sign-in' }).ok).toBe(false);
  });
});
