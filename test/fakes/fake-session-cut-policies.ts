import { ErrorCodes, KeylessError, type OwnedPolicy, type SessionCutPolicies } from '../../src';

/**
 * keyless's service control policies in memory, as strict as AWS Organizations:
 * - a policy's content is at most 5,120 characters (ConstraintViolationException
 *   POLICY_CONTENT_LIMIT_EXCEEDED) and must be a JSON policy document with at least one statement
 *   (MalformedPolicyDocumentException);
 * - at most 5 service control policies per target, one taken by FullAWSAccess: `maxOwned` (4 by
 *   default) of keyless's own (ConstraintViolationException POLICY_NUMBER_LIMIT_EXCEEDED);
 * - an update or a creation can fail with ConcurrentModificationException (`concurrentEvery`: every
 *   n-th write, or `failNext`), surfaced as the adapter does once its own retries are spent.
 *
 * It also answers what AWS would decide for a role session (`denies`), reading the stored documents
 * on its own (not with keyless's renderer), and keeps every accepted write with its time.
 */
export class FakeSessionCutPolicies implements SessionCutPolicies {
  readonly policies = new Map<string, OwnedPolicy>();
  readonly writes: { op: 'create' | 'update' | 'remove'; slot: number; at: number; chars: number }[] = [];
  /** The longest content ever accepted. */
  maxChars = 0;
  /** Writes refused for their size (keyless must never send one). */
  sizeRejections = 0;
  private seq = 0;
  private count = 0;
  private failures = 0;

  constructor(
    private readonly opts: { maxOwned?: number; maxChars?: number; concurrentEvery?: number; now?: () => number } = {},
  ) {}

  failNext(times = 1): void {
    this.failures += times;
  }

  async list(): Promise<OwnedPolicy[]> {
    return [...this.policies.values()].map((p) => ({ ...p }));
  }

  async create(slot: number, content: string): Promise<OwnedPolicy> {
    this.check(content);
    this.maybeConflict();
    const existing = [...this.policies.values()].find((p) => p.slot === slot);
    if (existing) {
      existing.content = content;
      this.accepted('update', slot, content);
      return { ...existing };
    }
    if (this.policies.size >= (this.opts.maxOwned ?? 4)) {
      throw new KeylessError(
        ErrorCodes.AwsAccessDenied,
        'ConstraintViolationException: POLICY_NUMBER_LIMIT_EXCEEDED (at most 5 service control policies per target).',
      );
    }
    const policy: OwnedPolicy = { id: `p-keyless${String(++this.seq).padStart(4, '0')}`, slot, content };
    this.policies.set(policy.id, policy);
    this.accepted('create', slot, content);
    return { ...policy };
  }

  async update(policyId: string, content: string): Promise<void> {
    this.check(content);
    const policy = this.policies.get(policyId);
    if (!policy) throw new KeylessError(ErrorCodes.InvalidInput, `PolicyNotFoundException: ${policyId}`);
    this.maybeConflict();
    policy.content = content;
    this.accepted('update', policy.slot, content);
  }

  async remove(policyId: string): Promise<void> {
    const policy = this.policies.get(policyId);
    if (!policy) return;
    this.maybeConflict();
    this.policies.delete(policyId);
    this.writes.push({ op: 'remove', slot: policy.slot, at: this.opts.now?.() ?? 0, chars: 0 });
  }

  /**
   * Would AWS deny a request made with a role session of Identity Center user `userId`, on role
   * `roleArn` (in account `accountId`), issued at `issuedAt` (epoch ms)?
   */
  denies(session: { userId: string; roleArn: string; accountId: string; issuedAt: number }): boolean {
    return [...this.policies.values()].some((p) => statementsOf(p.content).some((s) => matches(s, session)));
  }

  /** Statements per Identity Center user, across every policy (a person must appear at most once). */
  statementsPerUser(): Map<string, number> {
    const count = new Map<string, number>();
    for (const p of this.policies.values()) {
      for (const s of statementsOf(p.content)) {
        for (const id of values(condition(s, 'StringEquals', 'identitystore:UserId'))) {
          count.set(id, (count.get(id) ?? 0) + 1);
        }
      }
    }
    return count;
  }

  private check(content: string): void {
    if (content.length > (this.opts.maxChars ?? 5120)) {
      this.sizeRejections++;
      throw new KeylessError(
        ErrorCodes.InvalidInput,
        `ConstraintViolationException: POLICY_CONTENT_LIMIT_EXCEEDED (${content.length} characters).`,
      );
    }
    let doc: { Version?: unknown; Statement?: unknown };
    try {
      doc = JSON.parse(content) as typeof doc;
    } catch {
      throw new KeylessError(ErrorCodes.InvalidInput, 'MalformedPolicyDocumentException: not JSON.');
    }
    const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    if (doc.Version !== '2012-10-17' || statements.length === 0) {
      throw new KeylessError(ErrorCodes.InvalidInput, 'MalformedPolicyDocumentException: no statement.');
    }
  }

  private maybeConflict(): void {
    this.count++;
    const every = this.opts.concurrentEvery;
    if (this.failures > 0 || (every !== undefined && this.count % every === 0)) {
      if (this.failures > 0) this.failures--;
      throw new KeylessError(
        ErrorCodes.Throttled,
        'ConcurrentModificationException: the policy is being changed by another request; try again.',
      );
    }
  }

  private accepted(op: 'create' | 'update', slot: number, content: string): void {
    this.maxChars = Math.max(this.maxChars, content.length);
    this.writes.push({ op, slot, at: this.opts.now?.() ?? 0, chars: content.length });
  }
}

type Statement = {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

function statementsOf(content: string): Statement[] {
  const doc = JSON.parse(content) as { Statement: Statement | Statement[] };
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

function condition(s: Statement, operator: string, key: string): unknown {
  const block = s.Condition?.[operator];
  if (!block) return undefined;
  const found = Object.keys(block).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : block[found];
}

function values(v: unknown): string[] {
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function glob(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

/** A Deny of every action whose every condition holds for the session (keys are case-insensitive). */
function matches(
  s: Statement,
  session: { userId: string; roleArn: string; accountId: string; issuedAt: number },
): boolean {
  if (s.Effect !== 'Deny' || !values(s.Action).includes('*')) return false;
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    for (const [key, raw] of Object.entries(block)) {
      const want = values(raw);
      const k = key.toLowerCase();
      const ok =
        operator === 'StringEquals' && k === 'identitystore:userid'
          ? want.includes(session.userId)
          : operator === 'StringEquals' && k === 'aws:principalaccount'
            ? want.includes(session.accountId)
            : operator === 'DateLessThan' && k === 'aws:tokenissuetime'
              ? want.some((t) => session.issuedAt < Date.parse(t))
              : operator === 'ArnLike' && k === 'aws:principalarn'
                ? want.some((p) => glob(p, session.roleArn))
                : false; // a condition this fake does not know never matches (AWS: the key is absent)
      if (!ok) return false;
    }
  }
  return true;
}
