import type { AccountId, PermissionSetArn } from './ids';

/** An AWS account as the catalog knows it. */
export interface Account {
  id: AccountId;
  name: string;
  /** Organizational unit ids from the root down to the account's parent, for example ['r-ab12', 'ou-ab12-11111111']. */
  ouPath: string[];
  /** Human-readable OU path, for display. */
  ouNames?: string[];
  tags: Record<string, string>;
}

export interface PermissionSet {
  arn: PermissionSetArn;
  name: string;
  description?: string;
  /** Session duration in seconds (1–12 h in Identity Center). */
  sessionDurationSeconds: number;
}

export function accountLabel(account: Pick<Account, 'id' | 'name'>): string {
  return `${account.name} (${account.id})`;
}

/**
 * Finds an account by id or by name (case-insensitive). Typed text is matched exactly; no fuzzy
 * guess is made for an access decision.
 */
export function findAccount(accounts: readonly Account[], text: string): Account | undefined {
  const needle = text.trim().toLowerCase();
  return accounts.find((a) => a.id === needle) ?? accounts.find((a) => a.name.toLowerCase() === needle);
}

export function findPermissionSet(sets: readonly PermissionSet[], text: string): PermissionSet | undefined {
  const needle = text.trim().toLowerCase();
  return sets.find((p) => p.arn === text.trim()) ?? sets.find((p) => p.name.toLowerCase() === needle);
}

/** Type-ahead over accounts: id prefix, or every word of the query in the name or OU names. */
export function searchAccounts(accounts: readonly Account[], query: string, limit = 100): Account[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return accounts.slice(0, limit);
  const out: Account[] = [];
  for (const account of accounts) {
    const hay = `${account.id} ${account.name} ${(account.ouNames ?? []).join(' ')}`.toLowerCase();
    if (words.every((w) => hay.includes(w))) {
      out.push(account);
      if (out.length >= limit) break;
    }
  }
  return out;
}
