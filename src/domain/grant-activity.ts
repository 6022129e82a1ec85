/**
 * What a grant did (issue 18): the CloudTrail management events of the grantee's role sessions in
 * the grant's account during its window, summarised for people. Pure: the events come in, a summary
 * goes out, and the text both chat platforms show is drawn from it here (the adapters escape it).
 *
 * Nothing is dropped silently: every event counts in the totals; write actions beyond what a message
 * shows are counted in `otherWriteKinds`/`otherWrites`; a lookup stopped at its limit says so
 * (`truncated`), and a Region that could not be read is listed in `unavailable`.
 */

/** One CloudTrail management event, as much of it as the summary needs. */
export interface TrailEvent {
  /** e.g. `DeleteAccessKey`. */
  eventName: string;
  /** e.g. `iam.amazonaws.com`. */
  eventSource: string;
  /** Epoch ms. */
  eventTime: number;
  /** The Region the event was recorded in (`awsRegion`). */
  region: string;
  /** CloudTrail's `readOnly`; absent when CloudTrail did not say (counted as a write: the safe side). */
  readOnly?: boolean;
  /** e.g. `AccessDenied`, `NoSuchEntity`, `Client.UnauthorizedOperation`. */
  errorCode?: string;
}

/** What one lookup of a grant's window gave: the events, and what it could not read. */
export interface TrailLookup {
  events: TrailEvent[];
  /** The Regions looked in. */
  regions: string[];
  /** The lookup stopped at its limit of events: there are more in CloudTrail. */
  truncated: boolean;
  /** Regions (or `*`: all of them) that could not be read, and why. */
  unavailable: { region: string; message: string }[];
}

/** How much a kind of write matters to a reviewer: destructive first, then security services, then the rest. */
export type WriteSignificance = 'destructive' | 'security' | 'other';

export interface WriteActionGroup {
  /** `service:EventName`, e.g. `iam:DeleteAccessKey`. */
  action: string;
  significance: WriteSignificance;
  count: number;
  /** How many of them failed (any error code). */
  failed: number;
}

export interface ActivitySummary {
  /** The window looked at (epoch ms). */
  from: number;
  to: number;
  accountId: string;
  /** The CloudTrail user name looked up (the Identity Center user name, the role session's name). */
  username: string;
  calls: number;
  reads: number;
  writes: number;
  /** Calls that returned an error code, AccessDenied ones included. */
  errors: number;
  /** Calls refused for lack of permission (AccessDenied, UnauthorizedOperation…). */
  accessDenied: number;
  /** The Regions with calls, most calls first. */
  activeRegions: { region: string; calls: number }[];
  /** The Regions looked in. */
  regionsLooked: string[];
  /** Write actions, most significant first (destructive, then IAM/KMS/Organizations…, then others; by count). */
  writeActions: WriteActionGroup[];
  /** Kinds of write (and their calls) beyond `writeActions` (kept short for a chat message). */
  otherWriteKinds: number;
  otherWrites: number;
  truncated: boolean;
  unavailable: { region: string; message: string }[];
  /** When the lookup ran (epoch ms). */
  fetchedAt: number;
  /** The last lookup (CloudTrail had its time to deliver); false for the first, early one. */
  final: boolean;
  /** The CloudTrail console's event history filtered by the user name. */
  consoleUrl: string;
}

/** Where a grant is in its activity lookups (stored with the grant, in the audit export). */
export interface GrantActivity {
  /** Lookups stored so far: 0 none yet, 1 the early one, 2 the final one. */
  step: 0 | 1 | 2;
  /** When the next lookup is due (epoch ms); absent once the final one is stored. */
  dueAt?: number;
  summary?: ActivitySummary;
}

/** Services whose changes move who may do what (identity, keys, the organization, the audit trail itself). */
const SECURITY_SERVICES = new Set([
  'iam',
  'kms',
  'organizations',
  'sso',
  'sso-directory',
  'identitystore',
  'sts',
  'cloudtrail',
  'config',
  'guardduty',
  'securityhub',
  'secretsmanager',
  'access-analyzer',
  'account',
  'ram',
]);

/** Verbs that destroy, detach or switch something off. */
const DESTRUCTIVE =
  /^(Delete|Remove|Terminate|Detach|Disable|Deactivate|Revoke|Deregister|Disassociate|Stop|Purge|Cancel|ScheduleKeyDeletion|Leave)/;

const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|UnauthorizedAccess|Forbidden|NotAuthorized/i;

/** How many kinds of write a summary keeps by name (the rest are counted). */
export const ACTIVITY_WRITE_KINDS_SHOWN = 12;

export const serviceOf = (eventSource: string): string => eventSource.replace(/\.amazonaws\.com$/, '');

export function writeSignificance(eventSource: string, eventName: string): WriteSignificance {
  if (DESTRUCTIVE.test(eventName)) return 'destructive';
  if (SECURITY_SERVICES.has(serviceOf(eventSource))) return 'security';
  return 'other';
}

const RANK: Record<WriteSignificance, number> = { destructive: 0, security: 1, other: 2 };

/** Destructive before security before other; within one, security services first, then most calls, then by name. */
function compareGroups(a: WriteActionGroup, b: WriteActionGroup): number {
  const bySignificance = RANK[a.significance] - RANK[b.significance];
  if (bySignificance !== 0) return bySignificance;
  const aSec = SECURITY_SERVICES.has(a.action.split(':')[0]!) ? 0 : 1;
  const bSec = SECURITY_SERVICES.has(b.action.split(':')[0]!) ? 0 : 1;
  if (aSec !== bSec) return aSec - bSec;
  if (a.count !== b.count) return b.count - a.count;
  return a.action < b.action ? -1 : a.action > b.action ? 1 : 0;
}

/**
 * The CloudTrail console's event history filtered by user name (and the window), in the Region
 * given (the console shows one Region at a time; global services land in us-east-1).
 */
export function cloudTrailConsoleUrl(region: string, username: string, from: number, to: number): string {
  const r = encodeURIComponent(region);
  const q = new URLSearchParams({
    Username: username,
    StartTime: new Date(from).toISOString(),
    EndTime: new Date(to).toISOString(),
  });
  return `https://${r}.console.aws.amazon.com/cloudtrailv2/home?region=${r}#/events?${q.toString()}`;
}

/** Summarises one lookup of a grant's window. Every event counts; nothing is dropped. */
export function summariseActivity(input: {
  lookup: TrailLookup;
  accountId: string;
  username: string;
  from: number;
  to: number;
  fetchedAt: number;
  final: boolean;
  /** The Region of the console link (the first looked in when absent). */
  consoleRegion?: string;
  /** Kinds of write kept by name (default ACTIVITY_WRITE_KINDS_SHOWN). */
  writeKindsShown?: number;
}): ActivitySummary {
  const { lookup } = input;
  let reads = 0;
  let errors = 0;
  let accessDenied = 0;
  const regions = new Map<string, number>();
  const groups = new Map<string, WriteActionGroup>();
  for (const e of lookup.events) {
    regions.set(e.region, (regions.get(e.region) ?? 0) + 1);
    if (e.errorCode) {
      errors++;
      if (ACCESS_DENIED.test(e.errorCode)) accessDenied++;
    }
    if (e.readOnly === true) {
      reads++;
      continue;
    }
    const action = `${serviceOf(e.eventSource)}:${e.eventName}`;
    const group = groups.get(action) ?? {
      action,
      significance: writeSignificance(e.eventSource, e.eventName),
      count: 0,
      failed: 0,
    };
    group.count++;
    if (e.errorCode) group.failed++;
    groups.set(action, group);
  }
  const sorted = [...groups.values()].sort(compareGroups);
  const shown = Math.max(0, input.writeKindsShown ?? ACTIVITY_WRITE_KINDS_SHOWN);
  const kept = sorted.slice(0, shown);
  const rest = sorted.slice(shown);
  const calls = lookup.events.length;
  const activeRegions = [...regions.entries()]
    .map(([region, n]) => ({ region, calls: n }))
    .sort((a, b) => b.calls - a.calls || (a.region < b.region ? -1 : 1));
  const consoleRegion = input.consoleRegion ?? activeRegions[0]?.region ?? lookup.regions[0] ?? 'us-east-1';
  return {
    from: input.from,
    to: input.to,
    accountId: input.accountId,
    username: input.username,
    calls,
    reads,
    writes: calls - reads,
    errors,
    accessDenied,
    activeRegions,
    regionsLooked: [...lookup.regions],
    writeActions: kept,
    otherWriteKinds: rest.length,
    otherWrites: rest.reduce((n, g) => n + g.count, 0),
    truncated: lookup.truncated,
    unavailable: lookup.unavailable.map((u) => ({ ...u })),
    fetchedAt: input.fetchedAt,
    final: input.final,
    consoleUrl: cloudTrailConsoleUrl(consoleRegion, input.username, input.from, input.to),
  };
}

const count = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, one: string, many: string): string => `${count(n)} ${n === 1 ? one : many}`;

/**
 * The summary as people read it, the same on Slack and Teams. Plain text: the adapters escape it
 * (action names and Region names come from AWS, the user name from the identity store).
 * - `headline`: "3,214 read calls, 12 writes, 2 errors (1 AccessDenied) in eu-west-1, us-east-1"
 * - `writes`: one line per kind of write, most significant first, and one for the rest
 * - `notes`: what the numbers do not cover (a lookup cut short, a Region not read, not final yet)
 */
export function activitySummaryText(s: ActivitySummary): { headline: string; writes: string[]; notes: string[] } {
  const atLeast = s.truncated ? 'at least ' : '';
  const parts =
    s.calls === 0
      ? [`No AWS calls recorded`]
      : [`${atLeast}${plural(s.reads, 'read call', 'read calls')}`, plural(s.writes, 'write', 'writes')];
  if (s.errors > 0) {
    parts.push(
      `${plural(s.errors, 'error', 'errors')}${s.accessDenied > 0 ? ` (${count(s.accessDenied)} AccessDenied)` : ''}`,
    );
  }
  const where = s.activeRegions.length > 0 ? ` in ${s.activeRegions.map((r) => r.region).join(', ')}` : '';
  const headline = `${parts.join(', ')}${where}`;
  const writes = s.writeActions.map(
    (g) =>
      `${g.action}${g.count > 1 ? ` ×${count(g.count)}` : ''}${g.failed > 0 ? ` (${count(g.failed)} failed)` : ''}${g.significance === 'destructive' ? ' — destructive' : ''}`,
  );
  if (s.otherWriteKinds > 0) {
    writes.push(
      `…and ${plural(s.otherWriteKinds, 'other kind', 'other kinds')} of write (${plural(s.otherWrites, 'call', 'calls')})`,
    );
  }
  const notes: string[] = [];
  if (s.truncated) notes.push('The lookup stopped at its limit: CloudTrail holds more events than counted here.');
  for (const u of s.unavailable) {
    notes.push(
      u.region === '*' ? `CloudTrail could not be read: ${u.message}` : `${u.region} could not be read: ${u.message}`,
    );
  }
  notes.push(
    s.final
      ? `Looked in ${s.regionsLooked.join(', ')}.`
      : `Looked in ${s.regionsLooked.join(', ')}. CloudTrail delivers events minutes late: this summary is updated once more.`,
  );
  return { headline, writes, notes };
}

/**
 * Whether a summary is the whole story: the final lookup (CloudTrail had its time to deliver),
 * not stopped at its limit, and every Region read.
 */
export function activityComplete(s: ActivitySummary): boolean {
  return s.final && !s.truncated && s.unavailable.length === 0;
}

/**
 * The grouped write actions on one line, most significant first, as the summary keeps them
 * (`iam:DeleteAccessKey ×2 (1 failed); iam:CreateAccessKey; +3 other kinds (7 calls)`).
 */
export function activityWritesLine(s: ActivitySummary): string {
  const kinds = s.writeActions.map(
    (g) => `${g.action}${g.count > 1 ? ` ×${g.count}` : ''}${g.failed > 0 ? ` (${g.failed} failed)` : ''}`,
  );
  if (s.otherWriteKinds > 0) {
    kinds.push(
      `+${s.otherWriteKinds} other kind${s.otherWriteKinds === 1 ? '' : 's'} (${s.otherWrites} call${s.otherWrites === 1 ? '' : 's'})`,
    );
  }
  return kinds.join('; ');
}
