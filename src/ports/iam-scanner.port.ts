import type { AccountSummary, LiveKey } from '../domain';

/** One account's credential report and account summary, as read by the audit role. */
export interface AccountSnapshot {
  accountId: string;
  /** The report's CSV, decoded. */
  reportCsv: string;
  /** When IAM generated the report (a report is reused for up to 4 hours). */
  reportGeneratedAt: number;
  /** Read in real time on every scan. */
  summary: AccountSummary;
}

/**
 * What the scans need from IAM in member accounts (through an audit role assumed with an ExternalId).
 * Adapters pace calls per account and back off on throttling; a failure rejects with a KeylessError.
 */
export interface IamScanner {
  readAccount(accountId: string): Promise<AccountSnapshot>;
  /** ListAccessKeys: ids, status and creation time of a user's keys. */
  listAccessKeys(accountId: string, userName: string): Promise<LiveKey[]>;
  /** GetAccessKeyLastUsed: the user owning the key and its last use (null when never used). */
  keyLastUsed(
    accountId: string,
    accessKeyId: string,
  ): Promise<{ userName: string; lastUsedAt: number | null; service?: string; region?: string }>;
  /** ListUserTags, when machine users are marked by a tag. */
  listUserTags?(accountId: string, userName: string): Promise<Record<string, string>>;
}

/**
 * UpdateAccessKey (and, for the rotation assistant's last step, DeleteAccessKey) through a separate
 * remediation role that may do only these. keyless deletes a key only after an approval, once it
 * was inactive and unused for the rotation's whole waiting period.
 */
export interface KeyRemediator {
  setAccessKeyStatus(
    accountId: string,
    userName: string,
    accessKeyId: string,
    status: 'Active' | 'Inactive',
  ): Promise<void>;
  /** DeleteAccessKey: irreversible. Optional: without it, the rotation stops at deactivation. */
  deleteAccessKey?(accountId: string, userName: string, accessKeyId: string): Promise<void>;
}
