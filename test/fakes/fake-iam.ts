import {
  ErrorCodes,
  KeylessError,
  type AccountSnapshot,
  type IamScanner,
  type KeyRemediator,
  type LiveKey,
} from '../../src';
import { IamState, iamSeedSchema, type IamSeedInput } from '../../adapters/local/aws-emulator/services/iam';

/**
 * IamScanner and KeyRemediator in process, over the AWS emulator's IAM model (same report CSV, same
 * keys), for engine tests. `failing` accounts reject as an unreachable audit role would.
 */
export class FakeIam implements IamScanner, KeyRemediator {
  readonly state: IamState;
  readonly failing = new Set<string>();
  readonly statusChanges: { accountId: string; accessKeyId: string; status: string }[] = [];
  calls = 0;

  constructor(seed: IamSeedInput, now: () => number) {
    this.state = new IamState(iamSeedSchema.parse(seed), now);
    this.now = now;
  }

  private readonly now: () => number;

  private check(accountId: string): void {
    this.calls++;
    if (this.failing.has(accountId)) {
      throw new KeylessError(ErrorCodes.AwsAccessDenied, `keyless may not assume the audit role in ${accountId}.`);
    }
  }

  async readAccount(accountId: string): Promise<AccountSnapshot> {
    this.check(accountId);
    const a = this.state.account(accountId);
    return {
      accountId,
      reportCsv: this.state.reportCsv(accountId),
      reportGeneratedAt: this.now(),
      summary: { accountAccessKeysPresent: a.root.accessKeys, accountMfaEnabled: a.root.mfa ? 1 : 0 },
    };
  }

  async listAccessKeys(accountId: string, userName: string): Promise<LiveKey[]> {
    this.check(accountId);
    return this.state
      .keysOf(accountId, userName)
      .map((k) => ({ accessKeyId: k.id, status: k.status, createdAt: k.createdAt }));
  }

  async keyLastUsed(accountId: string, accessKeyId: string) {
    this.check(accountId);
    const k = this.state.findKey(accountId, accessKeyId);
    if (!k) throw new KeylessError(ErrorCodes.InvalidInput, 'no such key');
    return {
      userName: k.userName,
      lastUsedAt: k.lastUsedAt,
      ...(k.lastUsedAt === null ? {} : { service: k.service, region: k.region }),
    };
  }

  async listUserTags(accountId: string, userName: string): Promise<Record<string, string>> {
    this.check(accountId);
    const user = this.state.account(accountId).users.get(userName);
    if (!user) throw new KeylessError(ErrorCodes.InvalidInput, 'no such user');
    return { ...user.tags };
  }

  async setAccessKeyStatus(accountId: string, userName: string, accessKeyId: string, status: 'Active' | 'Inactive') {
    this.check(accountId);
    const k = this.state.findKey(accountId, accessKeyId);
    if (!k || k.userName !== userName) throw new KeylessError(ErrorCodes.InvalidInput, 'no such key');
    k.status = status;
    this.statusChanges.push({ accountId, accessKeyId, status });
  }

  readonly deletions: { accountId: string; accessKeyId: string }[] = [];

  async deleteAccessKey(accountId: string, userName: string, accessKeyId: string) {
    this.check(accountId);
    const a = this.state.account(accountId);
    const k = a.keys.get(accessKeyId);
    if (!k || k.userName !== userName) throw new KeylessError(ErrorCodes.InvalidInput, 'no such key');
    a.keys.delete(accessKeyId);
    this.deletions.push({ accountId, accessKeyId });
  }

  /** The id of a user's key, by position (oldest first). */
  keyId(accountId: string, userName: string, index = 0): string {
    return this.state.keysOf(accountId, userName)[index]!.id;
  }
}
