import {
  evaluateAccountSummary,
  evaluateCredentialReport,
  evaluateUserHygiene,
  iamPathOf,
  userKindRuleOf,
  matchSlots,
  parseCredentialReport,
  parseCsv,
  scanRules,
  userKindOf,
  type EvaluateContext,
  type LiveKey,
  type UserKindRule,
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

describe('IAM user hygiene rules', () => {
  const EVERYONE = { ...ALERTS, passwordUnusedDays: 90, passwordNeverUsedGraceDays: 7 };
  function hygiene(
    csv: string,
    alerts: Parameters<typeof scanRules>[0] = EVERYONE,
    rule: UserKindRule = { machineUserPattern: /^svc-/ },
  ) {
    return evaluateUserHygiene(parseCredentialReport(csv), {
      account: { id: '111111111111', name: 'prod' },
      now: NOW,
      reportGeneratedAt: NOW - 3600_000,
      rules: scanRules(alerts),
      userKind: (user, path) => userKindOf(user, undefined, rule, path),
    })
      .map((f) => `${f.userName}:${f.kind}`)
      .sort();
  }
  const recent = { lastUsedAt: NOW - DAY };

  it('finds a console password without MFA, and not one with MFA', () => {
    expect(hygiene(reportCsv(reportUser('ana', [], NOW - 400 * DAY, { password: recent })))).toEqual([
      'ana:console_user_without_mfa',
    ]);
    expect(hygiene(reportCsv(reportUser('ana', [], NOW - 400 * DAY, { password: recent, mfa: true })))).toEqual([]);
  });

  it('does not ask a user without a console password for MFA', () => {
    expect(hygiene(reportCsv(reportUser('ana', [], NOW - 400 * DAY, { mfa: false })))).toEqual([]);
  });

  it('finds a console password unused for passwordUnusedDays, not one used the day before the threshold', () => {
    const at = (days: number) => ({ password: { lastUsedAt: NOW - days * DAY }, mfa: true });
    expect(hygiene(reportCsv(reportUser('ana', [], NOW - 400 * DAY, at(90))))).toEqual(['ana:console_password_unused']);
    expect(hygiene(reportCsv(reportUser('ana', [], NOW - 400 * DAY, at(89))))).toEqual([]);
  });

  it('finds a console password never used once it was set passwordNeverUsedGraceDays ago', () => {
    const set = (days: number) => ({ password: { lastUsedAt: null, setAt: NOW - days * DAY }, mfa: true });
    expect(hygiene(reportCsv(reportUser('ana', [], NOW - 400 * DAY, set(8))))).toEqual([
      'ana:console_password_never_used',
    ]);
    expect(hygiene(reportCsv(reportUser('ana', [], NOW - 400 * DAY, set(6))))).toEqual([]);
  });

  it('tells a person on an IAM user with an active key to move to Identity Center, not a machine user', () => {
    const key = [{ createdAt: NOW - 10 * DAY, lastUsedAt: NOW - DAY }];
    expect(hygiene(reportCsv(reportUser('ana', key), reportUser('svc-ci', key)))).toEqual([
      'ana:human_user_with_access_keys',
    ]);
    expect(hygiene(reportCsv(reportUser('ana', [{ ...key[0]!, active: false }])))).toEqual([]);
  });

  it('applies per-kind thresholds from the policy: machine users may keep a password unused longer', () => {
    const alerts = { ...EVERYONE, machine: { passwordUnusedDays: 365 }, human: { passwordUnusedDays: 30 } };
    const old = { password: { lastUsedAt: NOW - 100 * DAY }, mfa: true };
    const csv = reportCsv(reportUser('ana', [], NOW - 400 * DAY, old), reportUser('svc-ci', [], NOW - 400 * DAY, old));
    expect(hygiene(csv, alerts)).toEqual(['ana:console_password_unused']);
    const month = { password: { lastUsedAt: NOW - 40 * DAY }, mfa: true };
    expect(hygiene(reportCsv(reportUser('ana', [], NOW - 400 * DAY, month)), alerts)).toEqual([
      'ana:console_password_unused',
    ]);
  });

  it('tells machine users by IAM path, as the policy names it', () => {
    const rule = userKindRuleOf({ pathPrefix: '/machine/' });
    const key = [{ createdAt: NOW - 10 * DAY, lastUsedAt: NOW - DAY }];
    const csv = reportCsv(reportUser('deployer', key, undefined, { path: '/machine/ci/' }), reportUser('ana', key));
    expect(hygiene(csv, EVERYONE, rule)).toEqual(['ana:human_user_with_access_keys']);
    expect(iamPathOf('arn:aws:iam::111111111111:user/machine/ci/deployer')).toBe('/machine/ci/');
    expect(iamPathOf('arn:aws:iam::111111111111:user/ana')).toBe('/');
  });

  it('reads the policy machineUsers block as a rule: name pattern, path and tag', () => {
    const rule = userKindRuleOf({ namePattern: '^ci-', pathPrefix: '/svc/', tag: { key: 'kind', value: 'machine' } });
    expect(userKindOf('ci-build', undefined, rule, '/')).toBe('machine');
    expect(userKindOf('ana', undefined, rule, '/svc/')).toBe('machine');
    expect(userKindOf('ana', { kind: 'machine' }, rule, '/')).toBe('machine');
    expect(userKindOf('ana', { kind: 'human' }, rule, '/')).toBe('human');
  });

  it('names each finding by user and kind, carries the report time, and says which thresholds applied', () => {
    const [f] = evaluateUserHygiene(
      parseCredentialReport(reportCsv(reportUser('ana', [], NOW - 400 * DAY, { password: recent }))),
      {
        account: { id: '111111111111', name: 'prod' },
        now: NOW,
        reportGeneratedAt: NOW - 3600_000,
        rules: scanRules(EVERYONE),
        userKind: () => 'human',
      },
    );
    expect(f).toMatchObject({
      dedupeKey: 'user:111111111111:ana:console_user_without_mfa',
      severity: 'high',
      delivery: 'digest',
      source: 'scan',
      principal: { type: 'iam_user', name: 'ana', userKind: 'human' },
      evidence: { reportGeneratedAt: NOW - 3600_000 },
    });
    expect(f!.advice).toMatch(/MFA/);
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
