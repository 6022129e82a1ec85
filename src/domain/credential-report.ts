import { DAY_MS, dedupeKeys, last4, type Finding, type FindingKind, type UserKind } from './alert';
import { ErrorCodes, KeylessError } from './errors';

/**
 * The IAM credential report (one CSV per account, every user's password and key dates, the
 * `<root_account>` row included) and the rules that turn it into findings. Pure: the rows, the
 * live key facts and `now` in, findings out.
 * Columns: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
 */

export const ROOT_ACCOUNT_ROW = '<root_account>';

export interface KeySlotReport {
  slot: 1 | 2;
  active: boolean;
  /** When the key was created or last rotated (epoch ms); undefined when the slot never held a key. */
  lastRotated: number | undefined;
  /** null: never used ("N/A"). */
  lastUsedAt: number | null;
  lastUsedRegion?: string;
  lastUsedService?: string;
}

export interface CredentialReportRow {
  user: string;
  arn: string;
  /** The user's IAM path, read from the ARN (`/` for most users). */
  path: string;
  /** When the console password was set (`password_last_changed`), when the report says. */
  passwordLastChanged?: number;
  userCreationTime: number | undefined;
  passwordEnabled: boolean;
  /** undefined: not applicable or no information; null: never used. */
  passwordLastUsed: number | null | undefined;
  mfaActive: boolean;
  keys: [KeySlotReport, KeySlotReport];
}

const REQUIRED = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
] as const;

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const NOT_A_DATE = new Set(['N/A', 'no_information', 'not_supported', '']);

function dateOf(value: string | undefined): number | undefined {
  if (value === undefined || NOT_A_DATE.has(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

const usedAt = (value: string | undefined): number | null => dateOf(value) ?? null;
const optional = (value: string | undefined): string | undefined =>
  value === undefined || NOT_A_DATE.has(value) ? undefined : value;

/** The IAM path of a user ARN (`arn:aws:iam::123456789012:user/division/ana` → `/division/`). */
export function iamPathOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  if (!resource.startsWith('user/')) return '/';
  const parts = resource.slice('user/'.length).split('/');
  return parts.length <= 1 ? '/' : `/${parts.slice(0, -1).join('/')}/`;
}

/** Parses the report's CSV; a report without the columns keyless reads is refused, naming them. */
export function parseCredentialReport(csv: string): CredentialReportRow[] {
  const [header, ...lines] = parseCsv(csv);
  const index = new Map((header ?? []).map((name, i) => [name.trim(), i]));
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new KeylessError(ErrorCodes.InvalidInput, `The credential report lacks columns: ${missing.join(', ')}.`);
  }
  return lines.map((cells) => {
    const get = (c: (typeof REQUIRED)[number]) => cells[index.get(c)!];
    const slot = (n: 1 | 2): KeySlotReport => {
      const region = optional(get(`access_key_${n}_last_used_region`));
      const service = optional(get(`access_key_${n}_last_used_service`));
      return {
        slot: n,
        active: get(`access_key_${n}_active`) === 'true',
        lastRotated: dateOf(get(`access_key_${n}_last_rotated`)),
        lastUsedAt: usedAt(get(`access_key_${n}_last_used_date`)),
        ...(region ? { lastUsedRegion: region } : {}),
        ...(service ? { lastUsedService: service } : {}),
      };
    };
    const pwd = get('password_last_used');
    const arn = get('arn') ?? '';
    const changed = index.has('password_last_changed') ? dateOf(cells[index.get('password_last_changed')!]) : undefined;
    return {
      user: get('user') ?? '',
      arn,
      path: iamPathOf(arn),
      ...(changed !== undefined ? { passwordLastChanged: changed } : {}),
      userCreationTime: dateOf(get('user_creation_time')),
      passwordEnabled: get('password_enabled') === 'true',
      passwordLastUsed: pwd === 'N/A' ? null : dateOf(pwd),
      mfaActive: get('mfa_active') === 'true',
      keys: [slot(1), slot(2)],
    };
  });
}

export interface KeyThresholds {
  /** An active key older than this is stale (rotate it). */
  staleKeyDays: number;
  /** An active key not used for this long is unused. */
  unusedKeyDays: number;
  /** A key never used is reported only once it is this old: a brand-new key is not stale. */
  newKeyGraceDays: number;
}

/** Thresholds that apply per kind of user (human, machine). */
export interface UserThresholds extends KeyThresholds {
  /** A console password not used for this long is reported. */
  passwordUnusedDays: number;
  /** A console password never used is reported once it was set this long ago. */
  passwordNeverUsedGraceDays: number;
}

export interface ScanRules {
  human: UserThresholds;
  machine: UserThresholds;
  rootPasswordUsedDays: number;
}

/** The policy's `alerts` block as the scan reads it: defaults, then per-kind overrides. */
export interface AlertThresholdsConfig extends KeyThresholds {
  rootPasswordUsedDays: number;
  passwordUnusedDays?: number;
  passwordNeverUsedGraceDays?: number;
  human?: Partial<UserThresholds>;
  machine?: Partial<UserThresholds>;
}

const defined = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * Rules from the policy's `alerts` block: its top-level thresholds apply to everyone, `human` and
 * `machine` override them per kind; `machine` (the engine option) overrides the policy's machine ones.
 */
export function scanRules(alerts: AlertThresholdsConfig, machine: Partial<KeyThresholds> = {}): ScanRules {
  const base: UserThresholds = {
    staleKeyDays: alerts.staleKeyDays,
    unusedKeyDays: alerts.unusedKeyDays,
    newKeyGraceDays: alerts.newKeyGraceDays,
    passwordUnusedDays: alerts.passwordUnusedDays ?? 90,
    passwordNeverUsedGraceDays: alerts.passwordNeverUsedGraceDays ?? 7,
  };
  return {
    human: { ...base, ...defined(alerts.human) },
    machine: { ...base, ...defined(alerts.machine), ...defined(machine) },
    rootPasswordUsedDays: alerts.rootPasswordUsedDays,
  };
}

export interface UserKindRule {
  /** A user name matching this is a machine user (for example `^(svc|ci|app)-`). */
  machineUserPattern?: RegExp;
  /** A tag that marks machine users: `{ key: 'keyless:user-kind', value: 'machine' }`. */
  machineTag?: { key: string; value?: string };
  /** An IAM path that marks machine users: `/machine/` (the user's path starts with it). */
  machinePathPrefix?: string;
}

/** The policy's `alerts.machineUsers` as a rule (its pattern was checked to compile when the policy loaded). */
export function userKindRuleOf(spec: {
  namePattern?: string | undefined;
  pathPrefix?: string | undefined;
  tag?: { key: string; value?: string | undefined } | undefined;
}): UserKindRule {
  return {
    ...(spec.namePattern ? { machineUserPattern: new RegExp(spec.namePattern) } : {}),
    ...(spec.pathPrefix ? { machinePathPrefix: spec.pathPrefix } : {}),
    ...(spec.tag
      ? { machineTag: { key: spec.tag.key, ...(spec.tag.value !== undefined ? { value: spec.tag.value } : {}) } }
      : {}),
  };
}

/** Machine when the tag, the path or the name says so; human otherwise. */
export function userKindOf(
  userName: string,
  tags: Record<string, string> | undefined,
  rule: UserKindRule,
  path?: string,
): UserKind {
  if (rule.machineTag && tags) {
    const value = tags[rule.machineTag.key];
    if (value !== undefined && (rule.machineTag.value === undefined || value === rule.machineTag.value))
      return 'machine';
  }
  if (rule.machinePathPrefix && path?.startsWith(rule.machinePathPrefix)) return 'machine';
  return rule.machineUserPattern?.test(userName) ? 'machine' : 'human';
}

/** A key's facts read in real time: ListAccessKeys (id, status, creation) and GetAccessKeyLastUsed. */
export interface LiveKey {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
  /** null: never used. undefined: not looked up. */
  lastUsedAt?: number | null;
  lastUsedService?: string;
  lastUsedRegion?: string;
}

export interface EvaluateContext {
  account: { id: string; name: string };
  now: number;
  reportGeneratedAt: number;
  rules: ScanRules;
  /** The kind of an IAM user, from its name and its path (and the tags the scan read). */
  userKind: (userName: string, path: string) => UserKind;
  /** Live keys per user, in creation order; when given for a user, they replace the report's key columns. */
  live?: ReadonlyMap<string, readonly LiveKey[]>;
}

const ADVICE: Partial<Record<FindingKind, string>> = {
  stale_access_key:
    'Rotate this key: create a new one, move its users to it, then deactivate the old one. Better, replace it with a role.',
  unused_access_key: 'Nobody has used this key for a long time: deactivate it (reversible), then delete it later.',
  never_used_access_key: 'This key was never used since it was created: deactivate it unless it is about to be.',
  two_active_keys:
    'Two active keys usually means a rotation that was never finished: deactivate the older key once the new one is in use.',
  root_password_used:
    'The root password was used recently. Confirm it was for a task that needs root, and that root MFA is on.',
  root_access_key_present: 'The root user has an access key. Delete it: root keys should not exist.',
  root_mfa_disabled: 'The root user has no MFA. Enable MFA on root now (a hardware key or passkey is best).',
  console_user_without_mfa:
    'This user signs in to the console with a password alone. Enable MFA for them now, or remove the password if they do not need the console.',
  console_password_unused:
    'This console password has not been used for a long time: remove it (the user keeps their other credentials).',
  console_password_never_used:
    'This user has a console password but has never signed in: remove the password unless they are about to use it.',
  human_user_with_access_keys:
    'A person with long-lived access keys should be in Identity Center: give them a permission set (short-lived credentials through `aws sso login` or keyless), then deactivate and delete these keys.',
};

export const adviceFor = (kind: FindingKind): string => ADVICE[kind] ?? '';

/**
 * Maps the report's key slots to live keys: key 1 and key 2 are matched by creation time (the
 * report's `last_rotated` is the key's creation date), else by order.
 */
export function matchSlots(
  row: CredentialReportRow,
  keys: readonly LiveKey[],
): [LiveKey | undefined, LiveKey | undefined] {
  const sorted = [...keys].sort((a, b) => a.createdAt - b.createdAt);
  const used = new Set<string>();
  const byTime = (slot: KeySlotReport) => {
    if (slot.lastRotated === undefined) return undefined;
    const k = sorted.find((x) => !used.has(x.accessKeyId) && Math.abs(x.createdAt - slot.lastRotated!) < 1000);
    if (k) used.add(k.accessKeyId);
    return k;
  };
  const first = byTime(row.keys[0]);
  const second = byTime(row.keys[1]);
  const rest = sorted.filter((k) => !used.has(k.accessKeyId));
  return [
    first ?? (row.keys[0].lastRotated !== undefined ? rest.shift() : undefined),
    second ?? (row.keys[1].lastRotated !== undefined ? rest.shift() : undefined),
  ];
}

interface KeyFacts {
  slot: 1 | 2;
  accessKeyId?: string;
  createdAt: number | undefined;
  lastUsedAt: number | null;
  service?: string;
  region?: string;
  checkedAt?: number;
}

function activeKeys(row: CredentialReportRow, ctx: EvaluateContext): KeyFacts[] {
  const live = ctx.live?.get(row.user);
  if (!live) {
    return row.keys
      .filter((k) => k.active)
      .map((k) => ({
        slot: k.slot,
        createdAt: k.lastRotated ?? row.userCreationTime,
        lastUsedAt: k.lastUsedAt,
        ...(k.lastUsedService ? { service: k.lastUsedService } : {}),
        ...(k.lastUsedRegion ? { region: k.lastUsedRegion } : {}),
      }));
  }
  const slots = matchSlots(row, live);
  const out: KeyFacts[] = [];
  const seen = new Set<string>();
  const add = (k: LiveKey, slot: 1 | 2) => {
    if (k.status !== 'Active' || seen.has(k.accessKeyId)) return;
    seen.add(k.accessKeyId);
    const reportSlot = row.keys[slot - 1]!;
    const lastUsedAt = k.lastUsedAt === undefined ? reportSlot.lastUsedAt : k.lastUsedAt;
    const service = k.lastUsedAt === undefined ? reportSlot.lastUsedService : k.lastUsedService;
    const region = k.lastUsedAt === undefined ? reportSlot.lastUsedRegion : k.lastUsedRegion;
    out.push({
      slot,
      accessKeyId: k.accessKeyId,
      createdAt: k.createdAt,
      lastUsedAt,
      ...(service ? { service } : {}),
      ...(region ? { region } : {}),
      ...(k.lastUsedAt !== undefined ? { checkedAt: ctx.now } : {}),
    });
  };
  slots.forEach((k, i) => k && add(k, (i + 1) as 1 | 2));
  // Keys created after the report was generated are live facts too.
  live.forEach((k) => add(k, out.length === 0 ? 1 : 2));
  return out;
}

/**
 * The findings of one credential report:
 * - root password used within `rootPasswordUsedDays`;
 * - an active key older than `staleKeyDays`;
 * - an active key never used, once older than `newKeyGraceDays`;
 * - an active key last used more than `unusedKeyDays` ago;
 * - two active keys on one user.
 * Thresholds are the machine ones for machine users. Without live key ids, the dedupe keys name the
 * slot (candidates, to be confirmed); with them, the key.
 */
export function evaluateCredentialReport(rows: readonly CredentialReportRow[], ctx: EvaluateContext): Finding[] {
  const findings: Finding[] = [];
  const base = {
    source: 'scan' as const,
    account: ctx.account,
    observedAt: ctx.now,
  };
  for (const row of rows) {
    if (row.user === ROOT_ACCOUNT_ROW) {
      const used = row.passwordLastUsed;
      if (typeof used === 'number' && ctx.now - used <= ctx.rules.rootPasswordUsedDays * DAY_MS) {
        findings.push({
          ...base,
          dedupeKey: dedupeKeys.root(ctx.account.id, 'root_password_used'),
          kind: 'root_password_used',
          severity: 'high',
          delivery: 'immediate',
          principal: { type: 'root', name: 'root', arn: row.arn },
          title: `Root password used within ${ctx.rules.rootPasswordUsedDays} days`,
          advice: adviceFor('root_password_used'),
          evidence: { lastUsedAt: used, reportGeneratedAt: ctx.reportGeneratedAt },
        });
      }
      continue;
    }
    const userKind = ctx.userKind(row.user, row.path);
    const t = ctx.rules[userKind];
    const keys = activeKeys(row, ctx);
    const principal = { type: 'iam_user' as const, name: row.user, arn: row.arn, userKind };
    for (const k of keys) {
      const keyFinding = (kind: FindingKind, severity: Finding['severity'], title: string): Finding => ({
        ...base,
        dedupeKey: k.accessKeyId
          ? dedupeKeys.key(ctx.account.id, k.accessKeyId, kind)
          : dedupeKeys.keySlot(ctx.account.id, row.user, k.slot, kind),
        kind,
        severity,
        delivery: 'digest',
        principal,
        title,
        advice: adviceFor(kind),
        evidence: {
          ...(k.accessKeyId ? { keyLast4: last4(k.accessKeyId) } : {}),
          ...(k.createdAt !== undefined
            ? { keyCreatedAt: k.createdAt, keyAgeDays: Math.floor((ctx.now - k.createdAt) / DAY_MS) }
            : {}),
          lastUsedAt: k.lastUsedAt,
          ...(k.service ? { lastUsedService: k.service } : {}),
          ...(k.region ? { lastUsedRegion: k.region } : {}),
          reportGeneratedAt: ctx.reportGeneratedAt,
          ...(k.checkedAt !== undefined ? { checkedAt: k.checkedAt } : {}),
        },
        ...(k.accessKeyId ? { accessKeyId: k.accessKeyId } : {}),
        userName: row.user,
      });
      const ageMs = k.createdAt === undefined ? 0 : ctx.now - k.createdAt;
      if (ageMs >= t.staleKeyDays * DAY_MS) {
        findings.push(keyFinding('stale_access_key', 'medium', `Access key older than ${t.staleKeyDays} days`));
      }
      if (k.lastUsedAt === null) {
        if (ageMs >= t.newKeyGraceDays * DAY_MS) {
          findings.push(keyFinding('never_used_access_key', 'low', 'Active access key never used'));
        }
      } else if (ctx.now - k.lastUsedAt >= t.unusedKeyDays * DAY_MS) {
        findings.push(keyFinding('unused_access_key', 'low', `Access key unused for ${t.unusedKeyDays}+ days`));
      }
    }
    if (keys.length >= 2) {
      findings.push({
        ...base,
        dedupeKey: dedupeKeys.user(ctx.account.id, row.user, 'two_active_keys'),
        kind: 'two_active_keys',
        severity: 'low',
        delivery: 'digest',
        principal,
        title: 'Two active access keys',
        advice: adviceFor('two_active_keys'),
        evidence: {
          reportGeneratedAt: ctx.reportGeneratedAt,
          ...(keys[0]?.accessKeyId ? { keyLast4: keys.map((k) => last4(k.accessKeyId ?? '????')).join(', ') } : {}),
        },
        userName: row.user,
      });
    }
  }
  return findings;
}

/**
 * The findings about IAM users themselves, read from the credential report alone (no live lookup:
 * the card says how old the report is, and the next scan resolves what was fixed):
 * - a console password without MFA;
 * - a console password not used for `passwordUnusedDays`;
 * - a console password never used, once set more than `passwordNeverUsedGraceDays` ago;
 * - a human user with an active access key: people belong in Identity Center.
 * Thresholds are the ones of the user's kind.
 */
export function evaluateUserHygiene(
  rows: readonly CredentialReportRow[],
  ctx: Omit<EvaluateContext, 'live'>,
): Finding[] {
  const findings: Finding[] = [];
  for (const row of rows) {
    if (row.user === ROOT_ACCOUNT_ROW) continue;
    const userKind = ctx.userKind(row.user, row.path);
    const t = ctx.rules[userKind];
    const finding = (
      kind: FindingKind,
      severity: Finding['severity'],
      title: string,
      evidence: Finding['evidence'] = {},
    ): Finding => ({
      source: 'scan',
      account: ctx.account,
      observedAt: ctx.now,
      dedupeKey: dedupeKeys.user(ctx.account.id, row.user, kind),
      kind,
      severity,
      delivery: 'digest',
      principal: { type: 'iam_user', name: row.user, arn: row.arn, userKind },
      title,
      advice: adviceFor(kind),
      evidence: { ...evidence, reportGeneratedAt: ctx.reportGeneratedAt },
      userName: row.user,
    });
    if (row.passwordEnabled) {
      if (!row.mfaActive) {
        findings.push(finding('console_user_without_mfa', 'high', 'Console password without MFA'));
      }
      const used = row.passwordLastUsed;
      if (typeof used === 'number') {
        if (ctx.now - used >= t.passwordUnusedDays * DAY_MS) {
          findings.push(
            finding('console_password_unused', 'medium', `Console password unused for ${t.passwordUnusedDays}+ days`, {
              lastUsedAt: used,
            }),
          );
        }
      } else {
        const setAt = row.passwordLastChanged ?? row.userCreationTime;
        if (setAt === undefined || ctx.now - setAt >= t.passwordNeverUsedGraceDays * DAY_MS) {
          findings.push(
            finding('console_password_never_used', 'medium', 'Console password never used', { lastUsedAt: null }),
          );
        }
      }
    }
    if (userKind === 'human') {
      const active = row.keys.filter((k) => k.active);
      if (active.length > 0) {
        findings.push(
          finding(
            'human_user_with_access_keys',
            'medium',
            `A person on an IAM user with ${active.length} active access key${active.length > 1 ? 's' : ''}: should be in Identity Center`,
            { count: active.length },
          ),
        );
      }
    }
  }
  return findings;
}

/** Users whose keys need a live look (ListAccessKeys, GetAccessKeyLastUsed) before findings are final. */
export function usersToConfirm(candidates: readonly Finding[]): string[] {
  return [...new Set(candidates.filter((f) => f.userName !== undefined).map((f) => f.userName!))].sort();
}

/** GetAccountSummary, in real time (no 4-hour lag): root keys present, root MFA. */
export interface AccountSummary {
  accountAccessKeysPresent: number;
  accountMfaEnabled: number;
}

export function evaluateAccountSummary(
  summary: AccountSummary,
  ctx: { account: { id: string; name: string }; now: number },
): Finding[] {
  const findings: Finding[] = [];
  const base = {
    source: 'scan' as const,
    account: ctx.account,
    observedAt: ctx.now,
    delivery: 'immediate' as const,
    principal: { type: 'root' as const, name: 'root' },
    evidence: { checkedAt: ctx.now },
  };
  if (summary.accountAccessKeysPresent > 0) {
    findings.push({
      ...base,
      dedupeKey: dedupeKeys.root(ctx.account.id, 'root_access_key_present'),
      kind: 'root_access_key_present',
      severity: 'critical',
      title: 'The root user has an access key',
      advice: adviceFor('root_access_key_present'),
    });
  }
  if (summary.accountMfaEnabled === 0) {
    findings.push({
      ...base,
      dedupeKey: dedupeKeys.root(ctx.account.id, 'root_mfa_disabled'),
      kind: 'root_mfa_disabled',
      severity: 'high',
      title: 'The root user has no MFA',
      advice: adviceFor('root_mfa_disabled'),
    });
  }
  return findings;
}
