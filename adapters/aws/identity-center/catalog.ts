/**
 * The catalog: permission sets of the instance (ListPermissionSets + DescribePermissionSet) and the
 * organization's accounts with OU path and tags, cached and refreshed in the background.
 *
 * Accounts are read by walking the tree (ListRoots, ListOrganizationalUnitsForParent,
 * ListAccountsForParent) rather than ListAccounts + ListParents per account: the walk costs one
 * call per OU instead of one per account and yields the OU names for type-ahead on the way.
 * Tags still cost one ListTagsForResource per account. When Organizations access is not granted,
 * a configured static list is used instead.
 */
import {
  DescribePermissionSetCommand,
  ListPermissionSetsCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  ErrorCodes,
  KeylessError,
  isAccountId,
  isKeylessError,
  silentLogger,
  type Account,
  type AccountId,
  type Logger,
  type PermissionSet,
  type PermissionSetArn,
} from '../../../src';
import type { AwsCaller } from './aws-caller';

export interface CatalogOptions {
  instanceArn: string;
  /** Accounts to offer when keyless may not read AWS Organizations. */
  staticAccounts?: Account[];
  /** How long a loaded catalog is served before a reload is awaited. */
  ttlMs: number;
  /** Background refresh period (0: none). */
  refreshMs: number;
  /** A lookup that misses forces a reload at most this often. */
  missReloadMinMs: number;
  /** Parallel ListTagsForResource calls while loading. */
  tagConcurrency: number;
}

export const defaultCatalogOptions: Omit<CatalogOptions, 'instanceArn'> = {
  ttlMs: 15 * 60_000,
  refreshMs: 5 * 60_000,
  missReloadMinMs: 30_000,
  tagConcurrency: 4,
};

interface Snapshot<T> {
  items: T[];
  loadedAt: number;
}

/** A value loaded once, shared by concurrent readers, reloaded when stale or asked. */
class Reloadable<T> {
  private current: Snapshot<T> | undefined;
  private loading: Promise<Snapshot<T>> | undefined;

  constructor(
    private readonly load: () => Promise<T[]>,
    private readonly ttlMs: number,
  ) {}

  get loadedAt(): number | undefined {
    return this.current?.loadedAt;
  }

  async get(): Promise<T[]> {
    if (this.current && Date.now() - this.current.loadedAt < this.ttlMs) return this.current.items;
    return (await this.reload()).items;
  }

  reload(): Promise<Snapshot<T>> {
    this.loading ??= this.load().then(
      (items) => {
        this.loading = undefined;
        this.current = { items, loadedAt: Date.now() };
        return this.current;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class AwsCatalog {
  private readonly accounts: Reloadable<Account>;
  private readonly permissionSets: Reloadable<PermissionSet>;
  private timer: NodeJS.Timeout | undefined;
  private lastMissReload = new Map<string, number>();
  private readonly options: CatalogOptions;

  constructor(
    private readonly sso: SSOAdminClient,
    private readonly organizations: OrganizationsClient | undefined,
    private readonly icCaller: AwsCaller,
    private readonly orgCaller: AwsCaller,
    options: Partial<CatalogOptions> & { instanceArn: string },
    private readonly logger: Logger = silentLogger,
  ) {
    this.options = { ...defaultCatalogOptions, ...options };
    this.accounts = new Reloadable(() => this.loadAccounts(), this.options.ttlMs);
    this.permissionSets = new Reloadable(() => this.loadPermissionSets(), this.options.ttlMs);
  }

  /** Starts the background refresh (the timer does not keep the process alive). */
  start(): void {
    if (this.timer || this.options.refreshMs <= 0) return;
    this.timer = setInterval(() => {
      for (const [name, r] of [
        ['accounts', this.accounts],
        ['permission sets', this.permissionSets],
      ] as const) {
        r.reload().catch((error: unknown) =>
          this.logger.warn({ err: error, code: (error as KeylessError).code }, `catalog refresh of ${name} failed`),
        );
      }
    }, this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  listAccounts(): Promise<Account[]> {
    return this.accounts.get();
  }

  listPermissionSets(): Promise<PermissionSet[]> {
    return this.permissionSets.get();
  }

  /** Throws UNKNOWN_ACCOUNT unless the account is in the organization (or the static list). */
  async requireAccount(accountId: AccountId): Promise<Account> {
    const found = await this.findWithReload('account', this.accounts, (a) => a.id === accountId);
    if (!found) {
      throw new KeylessError(ErrorCodes.UnknownAccount, `Account ${accountId} is not in your AWS organization.`, {
        hint: 'Pick an account from the list, or ask your AWS administrator whether the account id is right.',
        details: { accountId },
      });
    }
    return found;
  }

  /** Throws UNKNOWN_PERMISSION_SET unless the permission set belongs to this Identity Center instance. */
  async requirePermissionSet(arn: PermissionSetArn): Promise<PermissionSet> {
    const found = await this.findWithReload('permissionSet', this.permissionSets, (p) => p.arn === arn);
    if (!found) {
      throw new KeylessError(
        ErrorCodes.UnknownPermissionSet,
        `The permission set ${arn} does not exist in your IAM Identity Center.`,
        {
          hint: 'Pick a permission set from the list; it may have been deleted or renamed.',
          details: { permissionSet: arn },
        },
      );
    }
    return found;
  }

  private async findWithReload<T>(
    kind: string,
    source: Reloadable<T>,
    match: (item: T) => boolean,
  ): Promise<T | undefined> {
    const hit = (await source.get()).find(match);
    if (hit) return hit;
    // A new account or permission set may have appeared since the last load: reload, not too often.
    const last = this.lastMissReload.get(kind) ?? 0;
    if (Date.now() - last < this.options.missReloadMinMs || (source.loadedAt ?? 0) > Date.now() - 1000)
      return undefined;
    this.lastMissReload.set(kind, Date.now());
    return (await source.reload()).items.find(match);
  }

  private async loadPermissionSets(): Promise<PermissionSet[]> {
    const arns: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.icCaller.send({ action: 'sso:ListPermissionSets' }, () =>
        this.sso.send(
          new ListPermissionSetsCommand({ InstanceArn: this.options.instanceArn, MaxResults: 100, NextToken: token }),
        ),
      );
      arns.push(...(page.PermissionSets ?? []));
      token = page.NextToken;
    } while (token);
    const sets = await mapLimited(arns, 4, async (arn) => {
      const out = await this.icCaller.send(
        { action: 'sso:DescribePermissionSet', details: { permissionSet: arn } },
        () =>
          this.sso.send(
            new DescribePermissionSetCommand({ InstanceArn: this.options.instanceArn, PermissionSetArn: arn }),
          ),
      );
      const ps = out.PermissionSet;
      const set: PermissionSet = {
        arn: arn as PermissionSetArn,
        name: ps?.Name ?? arn,
        sessionDurationSeconds: isoDurationToSeconds(ps?.SessionDuration ?? 'PT1H'),
      };
      if (ps?.Description) set.description = ps.Description;
      return set;
    });
    return sets.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async loadAccounts(): Promise<Account[]> {
    if (!this.organizations) return this.staticAccountsOr('no Organizations client is configured');
    try {
      return await this.walkOrganization(this.organizations);
    } catch (error) {
      if (isKeylessError(error, ErrorCodes.AwsAccessDenied) && this.options.staticAccounts) {
        this.logger.warn(
          { code: error.code },
          'AWS Organizations is not readable; using the configured static account list',
        );
        return this.staticAccountsOr('');
      }
      throw error;
    }
  }

  private staticAccountsOr(why: string): Account[] {
    if (this.options.staticAccounts) return structuredClone(this.options.staticAccounts);
    throw new KeylessError(ErrorCodes.ConfigInvalid, `keyless cannot list AWS accounts: ${why}.`, {
      hint: 'Grant organizations:List* (manifest/aws/iam-policy.json) or configure a static account list.',
    });
  }

  private async pages<T>(
    action: string,
    fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
  ): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.orgCaller.send({ action }, () => fetch(token));
      out.push(...page.items);
      token = page.next;
    } while (token);
    return out;
  }

  private async walkOrganization(org: OrganizationsClient): Promise<Account[]> {
    const roots = await this.pages('organizations:ListRoots', async (t) => {
      const r = await org.send(new ListRootsCommand({ NextToken: t }));
      return { items: r.Roots ?? [], next: r.NextToken };
    });
    const found: { id: string; name: string; ouPath: string[]; ouNames: string[] }[] = [];
    const visit = async (parentId: string, ouPath: string[], ouNames: string[]): Promise<void> => {
      const [accounts, ous] = await Promise.all([
        this.pages('organizations:ListAccountsForParent', async (t) => {
          const r = await org.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken: t }));
          return { items: r.Accounts ?? [], next: r.NextToken };
        }),
        this.pages('organizations:ListOrganizationalUnitsForParent', async (t) => {
          const r = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: t }));
          return { items: r.OrganizationalUnits ?? [], next: r.NextToken };
        }),
      ]);
      for (const a of accounts) {
        const status = a.State ?? a.Status;
        if (a.Id && isAccountId(a.Id) && (status === undefined || status === 'ACTIVE')) {
          found.push({ id: a.Id, name: a.Name ?? a.Id, ouPath, ouNames });
        }
      }
      for (const ou of ous) {
        if (ou.Id) await visit(ou.Id, [...ouPath, ou.Id], [...ouNames, ou.Name ?? ou.Id]);
      }
    };
    for (const root of roots) if (root.Id) await visit(root.Id, [root.Id], [root.Name ?? 'Root']);
    const accounts = await mapLimited(found, this.options.tagConcurrency, async (a): Promise<Account> => {
      const tags = await this.pages('organizations:ListTagsForResource', async (t) => {
        const r = await org.send(new ListTagsForResourceCommand({ ResourceId: a.id, NextToken: t }));
        return { items: r.Tags ?? [], next: r.NextToken };
      });
      return {
        id: a.id as AccountId,
        name: a.name,
        ouPath: a.ouPath,
        ouNames: a.ouNames,
        tags: Object.fromEntries(tags.filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])),
      };
    });
    return accounts.sort((x, y) => x.name.localeCompare(y.name));
  }
}

/** `PT1H`, `PT8H30M` → seconds. */
export function isoDurationToSeconds(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  if (!m) return 3600;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
