/** Credential report CSV for tests, in IAM's column order and value spellings. */
const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

export const DAY = 86_400_000;
const d = (ms: number | null | undefined, none = 'N/A') =>
  ms === null || ms === undefined ? none : new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export interface ReportKey {
  active?: boolean;
  createdAt: number;
  lastUsedAt?: number | null;
}

/** A console password (absent: the user has none) and MFA, and the user's IAM path. */
export interface ReportUserOptions {
  /** Set: the user has a console password, last used then (null: never used, `no_information`). */
  password?: { lastUsedAt: number | null; setAt?: number };
  mfa?: boolean;
  path?: string;
}

export function reportUser(
  name: string,
  keys: ReportKey[] = [],
  createdAt = Date.UTC(2024, 0, 1),
  options: ReportUserOptions = {},
): string {
  const pwd = options.password;
  const slot = (k: ReportKey | undefined) =>
    k
      ? [
          String(k.active ?? true),
          d(k.createdAt),
          d(k.lastUsedAt),
          k.lastUsedAt ? 'us-east-1' : 'N/A',
          k.lastUsedAt ? 's3' : 'N/A',
        ]
      : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  return [
    name,
    `arn:aws:iam::111111111111:user${options.path ?? '/'}${name}`,
    d(createdAt),
    String(pwd !== undefined),
    pwd ? d(pwd.lastUsedAt, 'no_information') : 'N/A',
    pwd ? d(pwd.setAt ?? createdAt) : 'N/A',
    'N/A',
    String(options.mfa ?? false),
    ...slot(keys[0]),
    ...slot(keys[1]),
    'false',
    'N/A',
    'false',
    'N/A',
  ].join(',');
}

export function reportRoot(passwordLastUsed?: number | null): string {
  return [
    '<root_account>',
    'arn:aws:iam::111111111111:root',
    d(Date.UTC(2020, 0, 1)),
    'not_supported',
    passwordLastUsed === undefined ? 'no_information' : d(passwordLastUsed),
    'not_supported',
    'not_supported',
    'true',
    ...['false', 'N/A', 'N/A', 'N/A', 'N/A'],
    ...['false', 'N/A', 'N/A', 'N/A', 'N/A'],
    'false',
    'N/A',
    'false',
    'N/A',
  ].join(',');
}

export const reportCsv = (...rows: string[]): string => [HEADER, ...rows].join('\n') + '\n';
