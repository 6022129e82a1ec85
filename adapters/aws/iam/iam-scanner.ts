/**
 * IAM in member accounts for the security feed: the audit role (credential report, account summary,
 * access keys, last use, user tags) and the remediation role (UpdateAccessKey; DeleteAccessKey for an approved rotation), each assumed
 * with STS AssumeRole and an ExternalId. Calls of one account share a pace (IAM's rates are token
 * buckets per account and API, not published); role sessions start through a global pace, which
 * staggers accounts. Throttling and `LimitExceeded` back off with jitter.
 */
import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
  DeleteAccessKeyCommand,
  type IAMClientConfig,
} from '@aws-sdk/client-iam';
import {
  ErrorCodes,
  KeylessError,
  silentLogger,
  type AccountSnapshot,
  type IamScanner,
  type KeyRemediator,
  type LiveKey,
  type Logger,
} from '../../../src';
import { Pace, sleep } from '../../shared/pace';
import { SlidingWindowLimit } from './window-limit';
import type { AwsSts, TemporaryCredentials } from '../sts/sts';

export interface IamRoleOptions {
  /** The audit role deployed in every member account (manifest/aws/member-roles.yml). */
  auditRoleName: string;
  /** The remediation role: UpdateAccessKey, and DeleteAccessKey for an approved rotation. */
  remediationRoleName: string;
  /** Sent with every AssumeRole: the member roles' trust policies require it (sts:ExternalId). */
  externalId: string;
  /** IAM calls per second per account. Default 5. */
  perAccountTps: number;
  /** Role sessions started per second across accounts (the stagger). Default 10. */
  assumeTps: number;
  /** Credential report: the longest poll interval while STARTED/INPROGRESS (polls start at 200 ms and double), and the longest wait. */
  reportPollMs: number;
  reportDeadlineMs: number;
  /** Attempts for throttled or LimitExceeded calls. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Extra SDK client settings (endpoint, region, request handler) for tests and the emulator. */
  client?: Omit<IAMClientConfig, 'credentials'>;
  logger?: Logger;
}

export const defaultIamRoleOptions: Omit<IamRoleOptions, 'auditRoleName' | 'remediationRoleName' | 'externalId'> = {
  perAccountTps: 5,
  assumeTps: 10,
  reportPollMs: 2000,
  reportDeadlineMs: 120_000,
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 5000,
};

const name = (e: unknown): string => (e as { name?: string } | undefined)?.name ?? 'Error';
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'LimitExceeded',
  'LimitExceededException',
  'TooManyRequestsException',
]);
const isThrottled = (e: unknown) =>
  THROTTLED.has(name(e)) || (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 429;

interface Session {
  client: IAMClient;
  expiresAt: number;
}

export class AwsIamScanner implements IamScanner, KeyRemediator {
  private readonly options: IamRoleOptions;
  private readonly sessions = new Map<string, Promise<Session>>();
  private readonly paces = new Map<string, SlidingWindowLimit>();
  private readonly assumePace: Pace;
  private readonly logger: Logger;

  constructor(
    private readonly sts: Pick<AwsSts, 'assumeRole'>,
    options: Partial<IamRoleOptions> & Pick<IamRoleOptions, 'auditRoleName' | 'remediationRoleName' | 'externalId'>,
  ) {
    this.options = { ...defaultIamRoleOptions, ...options };
    this.assumePace = new Pace({ tps: this.options.assumeTps, maxOutstanding: 1000 });
    this.logger = options.logger ?? silentLogger;
  }

  private pace(accountId: string): SlidingWindowLimit {
    let p = this.paces.get(accountId);
    if (!p) {
      p = new SlidingWindowLimit(this.options.perAccountTps);
      this.paces.set(accountId, p);
    }
    return p;
  }

  private session(accountId: string, role: 'audit' | 'remediation'): Promise<Session> {
    const key = `${role}#${accountId}`;
    const cached = this.sessions.get(key);
    const fresh = async (): Promise<Session> => {
      const roleName = role === 'audit' ? this.options.auditRoleName : this.options.remediationRoleName;
      const creds: TemporaryCredentials = await this.assumePace.call(() =>
        this.sts.assumeRole(accountId, roleName, this.options.externalId, `keyless-${role}`),
      );
      const client = new IAMClient({ region: 'us-east-1', maxAttempts: 1, ...this.options.client, credentials: creds });
      return { client, expiresAt: creds.expiration.getTime() };
    };
    const next = (cached ?? Promise.reject(new Error('none')))
      .then((s) => (s.expiresAt - Date.now() > 5 * 60_000 ? s : fresh()))
      .catch(() => fresh());
    this.sessions.set(key, next);
    next.catch(() => this.sessions.delete(key));
    return next;
  }

  /** One IAM call in an account: paced, retried with backoff when throttled, translated when it fails. */
  private async call<T>(
    accountId: string,
    role: 'audit' | 'remediation',
    action: string,
    send: (client: IAMClient) => Promise<T>,
  ): Promise<T> {
    const { client } = await this.session(accountId, role);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.pace(accountId).take();
        return await send(client);
      } catch (error) {
        if (isThrottled(error) && attempt + 1 < this.options.maxAttempts) {
          const cap = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** attempt);
          await sleep(Math.max(1, Math.floor(Math.random() * cap)));
          continue;
        }
        throw this.translate(error, accountId, action);
      }
    }
  }

  private translate(error: unknown, accountId: string, action: string): KeylessError {
    if (error instanceof KeylessError) return error;
    const n = name(error);
    const details = { accountId, action, awsError: n };
    if (n === 'AccessDenied' || n === 'AccessDeniedException') {
      return new KeylessError(ErrorCodes.AwsAccessDenied, `keyless may not call ${action} in account ${accountId}.`, {
        hint: 'Deploy manifest/aws/member-roles.yml in the account (the audit and remediation roles).',
        details,
        cause: error,
      });
    }
    if (isThrottled(error)) {
      return new KeylessError(ErrorCodes.Throttled, `IAM is rate-limiting keyless in ${accountId} (${action}).`, {
        details,
        cause: error,
      });
    }
    return new KeylessError(
      ErrorCodes.Unavailable,
      `IAM refused ${action} in ${accountId}: ${(error as Error).message}`,
      {
        details,
        cause: error,
      },
    );
  }

  /**
   * The credential report: GenerateCredentialReport until COMPLETE (IAM reuses a report younger than
   * 4 hours, so this is cheap when one exists), then GetCredentialReport; and the account summary.
   */
  async readAccount(accountId: string): Promise<AccountSnapshot> {
    const deadline = Date.now() + this.options.reportDeadlineMs;
    for (let poll = 0; ; poll++) {
      const out = await this.call(accountId, 'audit', 'iam:GenerateCredentialReport', (c) =>
        c.send(new GenerateCredentialReportCommand({})),
      );
      if (out.State === 'COMPLETE') break;
      const wait = Math.min(this.options.reportPollMs, 200 * 2 ** poll);
      if (Date.now() + wait > deadline) {
        throw new KeylessError(ErrorCodes.Unavailable, `The credential report of ${accountId} took too long.`, {
          details: { accountId, state: out.State ?? 'unknown' },
        });
      }
      await sleep(wait);
    }
    const [report, summary] = await Promise.all([
      this.call(accountId, 'audit', 'iam:GetCredentialReport', (c) => c.send(new GetCredentialReportCommand({}))),
      this.call(accountId, 'audit', 'iam:GetAccountSummary', (c) => c.send(new GetAccountSummaryCommand({}))),
    ]);
    if (!report.Content)
      throw new KeylessError(ErrorCodes.Unavailable, `IAM returned an empty report for ${accountId}.`);
    return {
      accountId,
      // The SDK decodes the base64 `Content` blob into bytes.
      reportCsv: Buffer.from(report.Content).toString('utf8'),
      reportGeneratedAt: report.GeneratedTime?.getTime() ?? Date.now(),
      summary: {
        accountAccessKeysPresent: summary.SummaryMap?.['AccountAccessKeysPresent'] ?? 0,
        accountMfaEnabled: summary.SummaryMap?.['AccountMFAEnabled'] ?? 0,
      },
    };
  }

  async listAccessKeys(accountId: string, userName: string): Promise<LiveKey[]> {
    const keys: LiveKey[] = [];
    let marker: string | undefined;
    do {
      const out = await this.call(accountId, 'audit', 'iam:ListAccessKeys', (c) =>
        c.send(new ListAccessKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) })),
      );
      for (const k of out.AccessKeyMetadata ?? []) {
        if (!k.AccessKeyId) continue;
        keys.push({
          accessKeyId: k.AccessKeyId,
          status: k.Status === 'Inactive' ? 'Inactive' : 'Active',
          createdAt: k.CreateDate?.getTime() ?? 0,
        });
      }
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
    return keys;
  }

  async keyLastUsed(accountId: string, accessKeyId: string) {
    const out = await this.call(accountId, 'audit', 'iam:GetAccessKeyLastUsed', (c) =>
      c.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })),
    );
    const used = out.AccessKeyLastUsed;
    const known = (v: string | undefined) => (v && v !== 'N/A' ? v : undefined);
    const service = known(used?.ServiceName);
    const region = known(used?.Region);
    return {
      userName: out.UserName ?? '',
      lastUsedAt: used?.LastUsedDate?.getTime() ?? null,
      ...(service ? { service } : {}),
      ...(region ? { region } : {}),
    };
  }

  async listUserTags(accountId: string, userName: string): Promise<Record<string, string>> {
    const out = await this.call(accountId, 'audit', 'iam:ListUserTags', (c) =>
      c.send(new ListUserTagsCommand({ UserName: userName })),
    );
    return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  }

  /**
   * DeleteAccessKey through the remediation role: only the rotation assistant's approved last step
   * calls it (the engine re-checks that the key is inactive and unused first). Irreversible.
   */
  async deleteAccessKey(accountId: string, userName: string, accessKeyId: string): Promise<void> {
    await this.call(accountId, 'remediation', 'iam:DeleteAccessKey', (c) =>
      c.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId })),
    );
  }

  /** UpdateAccessKey through the remediation role: Inactive is reversible. */
  async setAccessKeyStatus(accountId: string, userName: string, accessKeyId: string, status: 'Active' | 'Inactive') {
    await this.call(accountId, 'remediation', 'iam:UpdateAccessKey', (c) =>
      c.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: status })),
    );
    this.logger.info({ accountId, keyLast4: accessKeyId.slice(-4), status }, 'access key status changed');
  }

  stop(): void {
    for (const s of this.sessions.values()) s.then((x) => x.client.destroy()).catch(() => undefined);
    this.sessions.clear();
  }
}
