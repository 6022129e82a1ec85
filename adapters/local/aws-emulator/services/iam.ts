/**
 * IAM (Query protocol, XML answers) in member accounts, for the security feed: users and access keys
 * with creation and last-used dates in the past, the credential report (with its `<root_account>`
 * row, its generation states and its 4-hour reuse), the account summary, UpdateAccessKey.
 * The account of a call is read from the credentials STS issued for it (see `sessions.ts`).
 * Shapes: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
import { randomBytes } from 'node:crypto';
import { AwsError, xml, type QueryService, type ServiceContext } from '../protocol';
import type { IamSeed } from './security-seed';
import { sessionOf } from './sessions';

export { iamSeedSchema, type IamSeed, type IamSeedInput } from './security-seed';

const DAY = 86_400_000;
export const REPORT_REUSE_MS = 4 * 3_600_000;

export interface EmuAccessKey {
  id: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
  lastUsedAt: number | null;
  service: string;
  region: string;
}
export interface EmuIamUser {
  name: string;
  path: string;
  id: string;
  createdAt: number;
  passwordLastUsedAt: number | null | undefined;
  mfa: boolean;
  tags: Record<string, string>;
}
export interface EmuIamAccount {
  accountId: string;
  root: { passwordLastUsedAt: number | null | undefined; mfa: boolean; accessKeys: number };
  users: Map<string, EmuIamUser>;
  keys: Map<string, EmuAccessKey>;
  report?: { startedAt: number; completesAt: number; csv?: string };
}

/** One IAM call as a member account saw it: the per-account rate is read from these. */
export interface IamCall {
  at: number;
  accountId: string;
  operation: string;
  roleName?: string;
  externalId?: string;
}

const keyId = (): string => `AKIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
const userId = (): string => `AIDA${randomBytes(10).toString('hex').toUpperCase().slice(0, 17)}`;
const csvDate = (ms: number | null | undefined, none: string): string =>
  ms === null || ms === undefined ? none : new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
const isoDate = (ms: number): string => new Date(ms).toISOString();

export class IamState {
  readonly accounts = new Map<string, EmuIamAccount>();
  readonly calls: IamCall[] = [];
  reportDelayMs: number;
  /** The next `n` GenerateCredentialReport calls answer LimitExceeded. */
  limitExceededNext = 0;

  constructor(
    seed: IamSeed,
    private readonly now: () => number = Date.now,
  ) {
    this.reportDelayMs = seed.reportDelayMs;
    const t = now();
    for (const a of seed.accounts) {
      const account: EmuIamAccount = {
        accountId: a.accountId,
        root: {
          passwordLastUsedAt:
            a.root.passwordLastUsedDaysAgo === undefined
              ? undefined
              : a.root.passwordLastUsedDaysAgo === null
                ? null
                : t - a.root.passwordLastUsedDaysAgo * DAY,
          mfa: a.root.mfa,
          accessKeys: a.root.accessKeys,
        },
        users: new Map(),
        keys: new Map(),
      };
      for (const u of a.users) {
        account.users.set(u.name, {
          name: u.name,
          path: u.path,
          id: userId(),
          createdAt: t - u.createdDaysAgo * DAY,
          passwordLastUsedAt:
            u.passwordLastUsedDaysAgo === undefined
              ? undefined
              : u.passwordLastUsedDaysAgo === null
                ? null
                : t - u.passwordLastUsedDaysAgo * DAY,
          mfa: u.mfa,
          tags: { ...u.tags },
        });
        for (const k of u.keys) {
          const id = k.id ?? keyId();
          account.keys.set(id, {
            id,
            userName: u.name,
            status: k.status,
            createdAt: t - k.createdDaysAgo * DAY,
            lastUsedAt:
              k.lastUsedDaysAgo === undefined || k.lastUsedDaysAgo === null ? null : t - k.lastUsedDaysAgo * DAY,
            service: k.service,
            region: k.region,
          });
        }
      }
      this.accounts.set(a.accountId, account);
    }
  }

  account(accountId: string): EmuIamAccount {
    const a = this.accounts.get(accountId);
    if (!a) throw new AwsError('AccessDenied', `No IAM is emulated for account ${accountId}.`, 403);
    return a;
  }

  keysOf(accountId: string, userName: string): EmuAccessKey[] {
    return [...this.account(accountId).keys.values()]
      .filter((k) => k.userName === userName)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  findKey(accountId: string, accessKeyId: string): EmuAccessKey | undefined {
    return this.account(accountId).keys.get(accessKeyId);
  }

  /** Tests and the playground: the key is used now (or at `at`). */
  useKey(accountId: string, accessKeyId: string, at = this.now(), service = 's3', region = 'us-east-1'): void {
    const k = this.findKey(accountId, accessKeyId);
    if (!k) throw new Error(`no key ${accessKeyId} in ${accountId}`);
    Object.assign(k, { lastUsedAt: at, service, region });
  }

  /**
   * Tests and the playground: the user creates a key (as they would in the IAM console). The secret
   * is never kept: keyless never sees one. At most 2 keys per user, as IAM allows.
   */
  createKey(accountId: string, userName: string, at = this.now()): EmuAccessKey {
    const a = this.account(accountId);
    if (!a.users.has(userName))
      throw new AwsError('NoSuchEntity', `The user with name ${userName} cannot be found.`, 404);
    if (this.keysOf(accountId, userName).length >= 2) {
      throw new AwsError('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
    }
    const key: EmuAccessKey = {
      id: keyId(),
      userName,
      status: 'Active',
      createdAt: at,
      lastUsedAt: null,
      service: 's3',
      region: 'us-east-1',
    };
    a.keys.set(key.id, key);
    return key;
  }

  /** The credential report's CSV as of now (a report is this snapshot, frozen at generation). */
  reportCsv(accountId: string): string {
    const a = this.account(accountId);
    const header =
      'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
      'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
      'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
      'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
    const slot = (k: EmuAccessKey | undefined) =>
      k
        ? [
            String(k.status === 'Active'),
            csvDate(k.createdAt, 'N/A'),
            csvDate(k.lastUsedAt, 'N/A'),
            k.lastUsedAt === null ? 'N/A' : k.region,
            k.lastUsedAt === null ? 'N/A' : k.service,
          ]
        : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
    const rootCreated = Date.UTC(2020, 0, 1);
    const rootKeys = Array.from({ length: 2 }, (_, i) =>
      i < a.root.accessKeys ? ['true', csvDate(rootCreated, 'N/A'), 'N/A', 'N/A', 'N/A'] : slot(undefined),
    );
    const lines = [
      header,
      [
        '<root_account>',
        `arn:aws:iam::${accountId}:root`,
        csvDate(rootCreated, 'N/A'),
        'not_supported',
        a.root.passwordLastUsedAt === undefined ? 'no_information' : csvDate(a.root.passwordLastUsedAt, 'N/A'),
        'not_supported',
        'not_supported',
        String(a.root.mfa),
        ...rootKeys[0]!,
        ...rootKeys[1]!,
        'false',
        'N/A',
        'false',
        'N/A',
      ].join(','),
    ];
    for (const u of a.users.values()) {
      const keys = this.keysOf(accountId, u.name);
      const pwd = u.passwordLastUsedAt !== undefined;
      lines.push(
        [
          u.name,
          `arn:aws:iam::${accountId}:user${u.path}${u.name}`,
          csvDate(u.createdAt, 'N/A'),
          String(pwd),
          pwd ? csvDate(u.passwordLastUsedAt, 'no_information') : 'N/A',
          pwd ? csvDate(u.createdAt, 'N/A') : 'N/A',
          'N/A',
          String(u.mfa),
          ...slot(keys[0]),
          ...slot(keys[1]),
          'false',
          'N/A',
          'false',
          'N/A',
        ].join(','),
      );
    }
    return `${lines.join('\n')}\n`;
  }

  /** The highest number of IAM calls any one account saw in a sliding second. */
  maxTpsPerAccount(): number {
    const byAccount = new Map<string, number[]>();
    for (const c of this.calls) {
      const list = byAccount.get(c.accountId) ?? [];
      list.push(c.at);
      byAccount.set(c.accountId, list);
    }
    let best = 0;
    for (const times of byAccount.values()) {
      times.sort((a, b) => a - b);
      let start = 0;
      for (let end = 0; end < times.length; end++) {
        while (times[end]! - times[start]! >= 1000) start++;
        best = Math.max(best, end - start + 1);
      }
    }
    return best;
  }
}

function accountOf(state: IamState, ctx: ServiceContext, operation: string): EmuIamAccount {
  const session = sessionOf(ctx.accessKeyId);
  const accountId = session?.accountId ?? ctx.world.caller.account;
  state.calls.push({
    at: ctx.now(),
    accountId,
    operation,
    ...(session ? { roleName: session.roleName } : {}),
    ...(session?.externalId ? { externalId: session.externalId } : {}),
  });
  return state.account(accountId);
}

function userOf(account: EmuIamAccount, params: URLSearchParams): EmuIamUser {
  const name = params.get('UserName') ?? '';
  const user = account.users.get(name);
  if (!user) throw new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`, 404);
  return user;
}

function keyMember(k: EmuAccessKey): string {
  return `<member>${xml('UserName', k.userName)}${xml('AccessKeyId', k.id)}${xml('Status', k.status)}${xml('CreateDate', isoDate(k.createdAt))}</member>`;
}

/** IAM's pagination: `Marker`/`MaxItems` in, `IsTruncated`/`Marker` out. */
function page<T>(items: readonly T[], params: URLSearchParams, max = 100): { items: T[]; tail: string } {
  const start = Number(params.get('Marker') ?? 0) || 0;
  const size = Number(params.get('MaxItems') ?? max) || max;
  const slice = items.slice(start, start + size);
  const next = start + size;
  return {
    items: slice,
    tail:
      next < items.length ? `${xml('IsTruncated', 'true')}${xml('Marker', String(next))}` : xml('IsTruncated', 'false'),
  };
}

export function createIamService(state: IamState): QueryService {
  return {
    name: 'iam',
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    throttleCode: 'Throttling',
    operations: {
      GenerateCredentialReport(_params, ctx) {
        const a = accountOf(state, ctx, 'GenerateCredentialReport');
        const now = ctx.now();
        if (state.limitExceededNext > 0) {
          state.limitExceededNext--;
          throw new AwsError('LimitExceeded', 'Credential report generation is rate limited.', 409);
        }
        const r = a.report;
        if (r && now - r.startedAt < REPORT_REUSE_MS) {
          if (r.completesAt <= now) {
            r.csv ??= state.reportCsv(a.accountId);
            return xml('State', 'COMPLETE') + xml('Description', 'Report is complete.');
          }
          return xml('State', 'INPROGRESS') + xml('Description', 'Report generation in progress.');
        }
        const completesAt = now + state.reportDelayMs;
        a.report = {
          startedAt: now,
          completesAt,
          ...(state.reportDelayMs === 0 ? { csv: state.reportCsv(a.accountId) } : {}),
        };
        return xml('State', 'STARTED') + xml('Description', 'No report exists. Starting a new report generation task');
      },
      GetCredentialReport(_params, ctx) {
        const a = accountOf(state, ctx, 'GetCredentialReport');
        const r = a.report;
        if (!r) throw new AwsError('ReportNotPresent', 'Credential report not present.', 410);
        if (r.completesAt > ctx.now())
          throw new AwsError('ReportInProgress', 'Credential report is being generated.', 404);
        r.csv ??= state.reportCsv(a.accountId);
        return (
          xml('Content', Buffer.from(r.csv, 'utf8').toString('base64')) +
          xml('ReportFormat', 'text/csv') +
          xml('GeneratedTime', isoDate(r.completesAt))
        );
      },
      GetAccountSummary(_params, ctx) {
        const a = accountOf(state, ctx, 'GetAccountSummary');
        const entries: [string, number][] = [
          ['Users', a.users.size],
          ['AccountAccessKeysPresent', a.root.accessKeys],
          ['AccountMFAEnabled', a.root.mfa ? 1 : 0],
          ['AccessKeysPerUserQuota', 2],
        ];
        return `<SummaryMap>${entries.map(([k, v]) => `<entry>${xml('key', k)}${xml('value', v)}</entry>`).join('')}</SummaryMap>`;
      },
      ListUsers(params, ctx) {
        const a = accountOf(state, ctx, 'ListUsers');
        const { items, tail } = page([...a.users.values()], params);
        const members = items
          .map(
            (u) =>
              `<member>${xml('Path', u.path)}${xml('UserName', u.name)}${xml('UserId', u.id)}${xml('Arn', `arn:aws:iam::${a.accountId}:user${u.path}${u.name}`)}${xml('CreateDate', isoDate(u.createdAt))}${typeof u.passwordLastUsedAt === 'number' ? xml('PasswordLastUsed', isoDate(u.passwordLastUsedAt)) : ''}</member>`,
          )
          .join('');
        return `<Users>${members}</Users>${tail}`;
      },
      ListAccessKeys(params, ctx) {
        const a = accountOf(state, ctx, 'ListAccessKeys');
        const user = userOf(a, params);
        const { items, tail } = page(state.keysOf(a.accountId, user.name), params);
        return `${xml('UserName', user.name)}<AccessKeyMetadata>${items.map(keyMember).join('')}</AccessKeyMetadata>${tail}`;
      },
      GetAccessKeyLastUsed(params, ctx) {
        const a = accountOf(state, ctx, 'GetAccessKeyLastUsed');
        const id = params.get('AccessKeyId') ?? '';
        const k = a.keys.get(id);
        if (!k) throw new AwsError('AccessDenied', `The access key ${id} does not belong to this account.`, 403);
        const used =
          k.lastUsedAt === null
            ? xml('ServiceName', 'N/A') + xml('Region', 'N/A')
            : xml('LastUsedDate', isoDate(k.lastUsedAt)) + xml('ServiceName', k.service) + xml('Region', k.region);
        return `${xml('UserName', k.userName)}<AccessKeyLastUsed>${used}</AccessKeyLastUsed>`;
      },
      ListUserTags(params, ctx) {
        const a = accountOf(state, ctx, 'ListUserTags');
        const user = userOf(a, params);
        const tags = Object.entries(user.tags)
          .map(([k, v]) => `<member>${xml('Key', k)}${xml('Value', v)}</member>`)
          .join('');
        return `<Tags>${tags}</Tags>${xml('IsTruncated', 'false')}`;
      },
      CreateAccessKey(params, ctx) {
        const a = accountOf(state, ctx, 'CreateAccessKey');
        const user = userOf(a, params);
        const k = state.createKey(a.accountId, user.name, ctx.now());
        // IAM returns the secret once; the emulator makes one up and forgets it.
        const secret = randomBytes(30).toString('base64').slice(0, 40);
        return `<AccessKey>${xml('UserName', k.userName)}${xml('AccessKeyId', k.id)}${xml('Status', k.status)}${xml('SecretAccessKey', secret)}${xml('CreateDate', isoDate(k.createdAt))}</AccessKey>`;
      },
      DeleteAccessKey(params, ctx) {
        const a = accountOf(state, ctx, 'DeleteAccessKey');
        const user = userOf(a, params);
        const id = params.get('AccessKeyId') ?? '';
        const k = a.keys.get(id);
        if (!k || k.userName !== user.name) {
          throw new AwsError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`, 404);
        }
        a.keys.delete(id);
        return '';
      },
      UpdateAccessKey(params, ctx) {
        const a = accountOf(state, ctx, 'UpdateAccessKey');
        const user = userOf(a, params);
        const id = params.get('AccessKeyId') ?? '';
        const status = params.get('Status');
        const k = a.keys.get(id);
        if (!k || k.userName !== user.name) {
          throw new AwsError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`, 404);
        }
        if (status !== 'Active' && status !== 'Inactive') {
          throw new AwsError('ValidationError', `Status must be Active or Inactive.`);
        }
        k.status = status;
        return '';
      },
    },
  };
}
