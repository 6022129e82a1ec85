import {
  evaluateAccountSummary,
  evaluateCredentialReport,
  matchSlots,
  parseCredentialReport,
  parseCsv,
  scanRules,
  userKindOf,
  type EvaluateContext,
  type LiveKey,
} from '../../../src';
import { DAY, reportCsv, reportRoot, reportUser } from '../../builders/credential-report';

const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);
const ALERTS = { staleKeyDays: 90, unusedKeyDays: 45, newKeyGraceDays: 7, rootPasswordUsedDays: 30 };

function evaluate(csv: string, over: Partial<EvaluateContext> = {}) {
  return evaluateCredentialReport(parseCredentialReport(csv), {
    account: { id: '111111111111', name: 'prod' },
    now: NOW,
    reportGeneratedAt: NOW - 3600_000,
    rules: scanRules(ALERTS, { staleKeyDays: 365, unusedKeyDays: 120 }),
    userKind: (user) => userKindOf(user, undefined, { machineUserPattern: /^svc-/ }),
    ...over,
  });
}

const kinds = (csv: string, over: Partial<EvaluateContext> = {}) =>
  evaluate(csv, over)
    .map((f) => `${f.userName ?? 'root'}:${f.kind}`)
    .sort();

describe('credential report parsing', () => {
  it('reads quoted fields, doubled quotes and CRLF line ends', () => {
    expect(parseCsv('a,"b,c","d ""e"""\r\n1,2,3\r\n')).toEqual([
      ['a', 'b,c', 'd "e"'],
      ['1', '2', '3'],
    ]);
  });

  it('reads N/A as never used and no_information as unknown', () => {
    const [root, bob] = parseCredentialReport(reportCsv(reportRoot(), reportUser('bob', [{ createdAt: NOW - DAY }])));
    expect(root!.passwordLastUsed).toBeUndefined();
    expect(bob!.keys[0]).toMatchObject({ active: true, lastRotated: NOW - DAY, lastUsedAt: null });
    expect(bob!.keys[1]).toMatchObject({ active: false, lastRotated: undefined });
  });

  it('refuses a report without the columns keyless reads, naming them', () => {
    expect(() => parseCredentialReport('user,arn\nbob,arn:x\n')).toThrow(/user_creation_time/);
  });
});

describe('credential report rules', () => {
  it('finds an active key older than staleKeyDays', () => {
    expect(kinds(reportCsv(reportUser('bob', [{ createdAt: NOW - 91 * DAY, lastUsedAt: NOW - DAY }])))).toEqual([
      'bob:stale_access_key',
    ]);
  });

  it('finds an active key unused for unusedKeyDays', () => {
    expect(kinds(reportCsv(reportUser('bob', [{ createdAt: NOW - 60 * DAY, lastUsedAt: NOW - 46 * DAY }])))).toEqual([
      'bob:unused_access_key',
    ]);
  });

  it('leaves a brand-new key that was never used alone during the grace period', () => {
    expect(kinds(reportCsv(reportUser('bob', [{ createdAt: NOW - 6 * DAY, lastUsedAt: null }])))).toEqual([]);
  });

  it('finds a key never used once the grace period is over', () => {
    expect(kinds(reportCsv(reportUser('bob', [{ createdAt: NOW - 8 * DAY, lastUsedAt: null }])))).toEqual([
      'bob:never_used_access_key',
    ]);
  });

  it('ignores inactive keys', () => {
    expect(kinds(reportCsv(reportUser('bob', [{ active: false, createdAt: NOW - 400 * DAY }])))).toEqual([]);
  });

  it('finds a user with two active keys', () => {
    const csv = reportCsv(
      reportUser('bob', [
        { createdAt: NOW - 30 * DAY, lastUsedAt: NOW - DAY },
        { createdAt: NOW - 20 * DAY, lastUsedAt: NOW - DAY },
      ]),
    );
    expect(kinds(csv)).toEqual(['bob:two_active_keys']);
  });

  it('applies the machine thresholds to machine users (a name pattern here)', () => {
    const old = { createdAt: NOW - 200 * DAY, lastUsedAt: NOW - 100 * DAY };
    expect(kinds(reportCsv(reportUser('bob', [old]), reportUser('svc-deploy', [old])))).toEqual([
      'bob:stale_access_key',
      'bob:unused_access_key',
    ]);
  });

  it('tells machine users by a tag as well as by name', () => {
    const rule = { machineTag: { key: 'keyless:user-kind', value: 'machine' } };
    expect(userKindOf('deployer', { 'keyless:user-kind': 'machine' }, rule)).toBe('machine');
    expect(userKindOf('deployer', { 'keyless:user-kind': 'human' }, rule)).toBe('human');
    expect(userKindOf('deployer', undefined, rule)).toBe('human');
  });

  it('finds the root password used within rootPasswordUsedDays, not before', () => {
    expect(kinds(reportCsv(reportRoot(NOW - 3 * DAY)))).toEqual(['root:root_password_used']);
    expect(kinds(reportCsv(reportRoot(NOW - 31 * DAY)))).toEqual([]);
    expect(kinds(reportCsv(reportRoot(null)))).toEqual([]);
  });

  it('names candidates by slot, and confirmed findings by key id, with only its last 4 characters shown', () => {
    const csv = reportCsv(reportUser('bob', [{ createdAt: NOW - 100 * DAY, lastUsedAt: NOW - DAY }]));
    expect(evaluate(csv)[0]!.dedupeKey).toBe('keyslot:111111111111:bob:1:stale_access_key');
    const live = new Map<string, LiveKey[]>([
      [
        'bob',
        [{ accessKeyId: 'AKIAAAAAAAAAAAAA9XYZ', status: 'Active', createdAt: NOW - 100 * DAY, lastUsedAt: NOW - DAY }],
      ],
    ]);
    const [f] = evaluate(csv, { live });
    expect(f).toMatchObject({
      dedupeKey: 'key:111111111111:AKIAAAAAAAAAAAAA9XYZ:stale_access_key',
      accessKeyId: 'AKIAAAAAAAAAAAAA9XYZ',
      evidence: { keyLast4: '9XYZ', keyAgeDays: 100, lastUsedAt: NOW - DAY },
    });
  });

  it('trusts live last-used dates over the report, which may be 4 hours old', () => {
    const csv = reportCsv(reportUser('bob', [{ createdAt: NOW - 60 * DAY, lastUsedAt: NOW - 50 * DAY }]));
    expect(kinds(csv)).toEqual(['bob:unused_access_key']);
    const live = new Map<string, LiveKey[]>([
      [
        'bob',
        [
          {
            accessKeyId: 'AKIAAAAAAAAAAAAABBBB',
            status: 'Active',
            createdAt: NOW - 60 * DAY,
            lastUsedAt: NOW - 3600_000,
          },
        ],
      ],
    ]);
    expect(kinds(csv, { live })).toEqual([]);
  });

  it('maps key 1 and key 2 to key ids by creation time', () => {
    const [row] = parseCredentialReport(
      reportCsv(reportUser('bob', [{ createdAt: NOW - 30 * DAY }, { createdAt: NOW - 10 * DAY }])),
    );
    const newer: LiveKey = { accessKeyId: 'AKIANEWER00000000000', status: 'Active', createdAt: NOW - 10 * DAY };
    const older: LiveKey = { accessKeyId: 'AKIAOLDER00000000000', status: 'Active', createdAt: NOW - 30 * DAY };
    expect(matchSlots(row!, [newer, older]).map((k) => k?.accessKeyId)).toEqual([older.accessKeyId, newer.accessKeyId]);
  });
});

describe('account summary rules', () => {
  const ctx = { account: { id: '111111111111', name: 'prod' }, now: NOW };

  it('finds a root access key and a root user without MFA, in real time', () => {
    expect(
      evaluateAccountSummary({ accountAccessKeysPresent: 1, accountMfaEnabled: 0 }, ctx).map((f) => [
        f.kind,
        f.severity,
      ]),
    ).toEqual([
      ['root_access_key_present', 'critical'],
      ['root_mfa_disabled', 'high'],
    ]);
  });

  it('finds nothing in a well-kept account', () => {
    expect(evaluateAccountSummary({ accountAccessKeysPresent: 0, accountMfaEnabled: 1 }, ctx)).toEqual([]);
  });
});
