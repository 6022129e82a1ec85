import type { Actor } from './chat-user';

/**
 * The security feed (issue 7): findings from CloudTrail root activity, AWS Health and the scheduled
 * IAM scans become alerts with a life. A finding is what one source saw once; an alert is the
 * stored record of one dedupe key: posted once, updated in place, resolved when it goes away.
 */

export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const FINDING_KINDS = [
  // Root activity, as it happens (CloudTrail through EventBridge, AWS Health).
  'root_console_login',
  'root_console_login_failed',
  'root_api_call',
  'root_read_only_call',
  'root_access_key_created',
  'root_assumed_session',
  'credentials_exposed',
  // Scheduled scans: credential report and account summary.
  'root_password_used',
  'root_access_key_present',
  'root_mfa_disabled',
  'stale_access_key',
  'unused_access_key',
  'never_used_access_key',
  'two_active_keys',
  // Scheduled scans: IAM user hygiene (the credential report's password and MFA columns).
  'console_user_without_mfa',
  'console_password_unused',
  'console_password_never_used',
  'human_user_with_access_keys',
  // The rotation assistant: the old key was used again after it was deactivated.
  'key_rotation_rolled_back',
  // The scanner saying it is blind.
  'account_not_scanned',
  'region_silent',
  // The reconciler: Identity Center and the grants disagree (design §6).
  'unknown_assignment',
  'outlived_grant',
  'vanished_assignment',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/**
 * Where a finding comes from; `scan` findings resolve when a later scan of the account no longer sees
 * them, `reconcile` findings when a later reconcile no longer finds the drift.
 */
export type FindingSource = 'cloudtrail' | 'health' | 'scan' | 'monitor' | 'reconcile';

/** Immediate: its own message. Digest: one line in the daily digest. */
export type AlertDelivery = 'immediate' | 'digest';

export type UserKind = 'human' | 'machine';

export interface AlertPrincipal {
  /** `person`: an Identity Center user (the reconciler's findings). */
  type: 'root' | 'iam_user' | 'account' | 'region' | 'person';
  /** What a person reads: `root`, the IAM user name, the region, the Identity Center user's name. */
  name: string;
  arn?: string;
  /** For IAM users: which thresholds applied. */
  userKind?: UserKind;
}

/** The facts behind a finding, each optional: what the card shows as evidence. */
export interface AlertEvidence {
  /** Epoch ms of the CloudTrail event (or the Health event's start). */
  eventTime?: number;
  eventName?: string;
  eventId?: string;
  region?: string;
  sourceIp?: string;
  userAgent?: string;
  mfaUsed?: boolean;
  /** Only the last 4 characters of an access key id are shown. */
  keyLast4?: string;
  keyCreatedAt?: number;
  keyAgeDays?: number;
  /** Epoch ms of the last use; null when the key was never used. */
  lastUsedAt?: number | null;
  lastUsedService?: string;
  lastUsedRegion?: string;
  /** When the credential report that showed it was generated (it may be up to 4 hours old). */
  reportGeneratedAt?: number;
  /** When keyless checked the facts in real time (account summary, GetAccessKeyLastUsed). */
  checkedAt?: number;
  /** How many events one incident has collected (a burst of failed sign-ins). */
  count?: number;
  /** A short free text: an error, a Health description. */
  detail?: string;
  /** The permission set's name (reconciler findings), or its ARN when the name could not be read. */
  permissionSet?: string;
  /** The Identity Center group (reconciler findings about a governed group's membership). */
  group?: string;
  /** The grant the assignment belongs (or belonged) to. */
  grantId?: string;
  /** keyless removed the assignment (policy `reconcile.removeUnknown`). */
  removed?: boolean;
  /** Names that could not be looked up, so the card shows an id instead (and says so). */
  unresolvedNames?: string;
}

export interface Finding {
  dedupeKey: string;
  kind: FindingKind;
  severity: AlertSeverity;
  delivery: AlertDelivery;
  source: FindingSource;
  account: { id: string; name: string };
  principal: AlertPrincipal;
  title: string;
  /** What to do about it, in one or two sentences. */
  advice: string;
  evidence: AlertEvidence;
  /** Epoch ms when keyless learned it. */
  observedAt: number;
  /** The full key id, for Deactivate; never rendered (cards show `keyLast4`). */
  accessKeyId?: string;
  /** The IAM user that owns `accessKeyId`. */
  userName?: string;
  /** Set when root use was announced for this account and time (`root-window`). */
  expected?: { by: Actor; reason: string; until: number };
}

export type AlertStatus = 'open' | 'acknowledged' | 'snoozed' | 'resolved';

export type RemediationStatus = 'none' | 'pending_approval' | 'approved' | 'done' | 'failed' | 'denied' | 'reverted';

/** Deactivate key: requested, approved by a security approver, applied, and reversible for a while. */
export interface Remediation {
  status: RemediationStatus;
  accessKeyId: string;
  userName: string;
  requestedBy?: Actor;
  requestedAt?: number;
  decidedBy?: Actor;
  decidedAt?: number;
  reason?: string;
  doneAt?: number;
  /** Reactivate is offered until then. */
  reversibleUntil?: number;
  revertedBy?: Actor;
  revertedAt?: number;
  failure?: string;
  /** The key's state as re-checked before acting. */
  checked?: { status: 'Active' | 'Inactive'; lastUsedAt: number | null; service?: string; region?: string; at: number };
}

/** The rotation assistant's steps (key-rotation.ts derives them from the live keys). */
export const ROTATION_STEPS = [
  'waiting_new_key',
  'new_key_unused',
  'ready_to_deactivate',
  'old_key_deactivated',
  'ready_to_delete',
  'rolled_back',
  'deleted',
] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export type DeletionStatus = 'none' | 'pending_approval' | 'approved' | 'done' | 'denied' | 'failed';

export interface KeyDeletion {
  status: DeletionStatus;
  requestedBy?: Actor;
  requestedAt?: number;
  decidedBy?: Actor;
  decidedAt?: number;
  reason?: string;
  doneAt?: number;
  failure?: string;
}

export interface KeyRotation {
  step: RotationStep;
  startedAt: number;
  /** The owner's email, from the user's owner tag; absent: the security channel is told instead. */
  owner?: string;
  /** The newer key, as last seen (id shown by its last 4 characters only). */
  newKey?: { accessKeyId: string; createdAt: number; lastUsedAt: number | null };
  /** The old key's last use, as last seen. */
  oldKeyLastUsedAt?: number | null;
  /** When keyless first saw the old key inactive (it may be deactivated outside keyless too). */
  oldInactiveSince?: number;
  /** When a use of the old key after its deactivation was seen: a rollback. */
  rolledBackAt?: number;
  deletion: KeyDeletion;
  /** The one rotation message (the owner's DM, or the security channel), updated in place. */
  messages: AlertMessageRef[];
  checkedAt: number;
}

/** Where an alert (or a digest) was posted, so that it can be updated in place or replied to. */
export interface AlertMessageRef {
  platform: 'slack' | 'teams';
  channel: string;
  /** Slack `ts`, Teams activity id. */
  messageId: string;
}

/** One accepted change of an alert: its audit trail, stored with it. */
export interface AlertAuditEntry {
  version: number;
  event: string;
  from: string;
  to: string;
  actor: Actor;
  at: number;
  reason?: string;
  details?: Record<string, string | number | boolean>;
}

export interface Alert {
  dedupeKey: string;
  version: number;
  status: AlertStatus;
  /** The latest finding for the key. */
  finding: Finding;
  /** Incidents of one key: a repeat after the incident window, or after resolution, is a new incident. */
  incident: number;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Findings seen in this incident (repeats included). */
  occurrences: number;
  acknowledged?: { by: Actor; at: number };
  snoozed?: { by: Actor; at: number; until: number; reason: string };
  resolvedAt?: number;
  remediation?: Remediation;
  /** Messages of the current incident (immediate alerts). */
  messages: AlertMessageRef[];
  /** The digest it was listed in (digest alerts). */
  digestId?: string;
  /** The rotation assistant's state, for a key past its rotation age (stale_access_key). */
  rotation?: KeyRotation;
  history: AlertAuditEntry[];
}

/** The daily digest: the digest-class alerts first seen since the previous digest. */
export interface AlertDigest {
  id: string;
  /** YYYY-MM-DD (UTC). */
  date: string;
  version: number;
  createdAt: number;
  dedupeKeys: string[];
  messages: AlertMessageRef[];
}

/** `/aws-access root-window <account> <duration> <reason>`: root use announced in advance. */
export interface RootWindow {
  id: string;
  accountId: string;
  from: number;
  until: number;
  reason: string;
  announcedBy: Actor;
}

export const severityRank = (s: AlertSeverity): number => ALERT_SEVERITIES.indexOf(s);

export function isLiveAlert(a: Pick<Alert, 'status'>): boolean {
  return a.status !== 'resolved';
}

/** The card's freshness line: how old the facts are. */
export function dataAsOf(f: Pick<Finding, 'evidence' | 'observedAt'>): number {
  return f.evidence.eventTime ?? f.evidence.reportGeneratedAt ?? f.evidence.checkedAt ?? f.observedAt;
}

/**
 * How fresh a finding's facts are, each with its time: the event, the credential report, the live
 * check; when none of these is known, when it was seen. Both chats render this as "Data as of".
 */
export function freshnessOf(
  f: Pick<Finding, 'evidence' | 'observedAt'>,
): { source: 'event' | 'credential report' | 'checked live' | 'seen'; at: number }[] {
  const e = f.evidence;
  const parts: ReturnType<typeof freshnessOf> = [];
  if (e.eventTime !== undefined) parts.push({ source: 'event', at: e.eventTime });
  if (e.reportGeneratedAt !== undefined) parts.push({ source: 'credential report', at: e.reportGeneratedAt });
  if (e.checkedAt !== undefined) parts.push({ source: 'checked live', at: e.checkedAt });
  if (parts.length === 0) parts.push({ source: 'seen', at: dataAsOf(f) });
  return parts;
}

export const last4 = (accessKeyId: string): string => accessKeyId.slice(-4);

/** Dedupe keys: stable over scans and deliveries, and free of secrets (key ids are identifiers). */
export const dedupeKeys = {
  key: (accountId: string, accessKeyId: string, kind: FindingKind) => `key:${accountId}:${accessKeyId}:${kind}`,
  /** Before ListAccessKeys maps slot → id (a candidate only). */
  keySlot: (accountId: string, userName: string, slot: 1 | 2, kind: FindingKind) =>
    `keyslot:${accountId}:${userName}:${slot}:${kind}`,
  user: (accountId: string, userName: string, kind: FindingKind) => `user:${accountId}:${userName}:${kind}`,
  root: (accountId: string, kind: FindingKind) => `root:${accountId}:${kind}`,
  health: (accountId: string, eventArn: string) => `health:${accountId}:${eventArn}`,
  account: (accountId: string, kind: FindingKind) => `account:${accountId}:${kind}`,
  region: (region: string) => `region:${region}:region_silent`,
  /** One drift fact: its kind, who, where and which permission set (the ARN's last part, which is unique). */
  drift: (kind: FindingKind, principalId: string, accountId: string, permissionSetArn: string) =>
    `drift:${kind}:${principalId}:${accountId}:${permissionSetArn.split('/').pop() ?? permissionSetArn}`,
};

/** Findings of the reconciler (design §6): resolved when a later reconcile no longer finds them. */
export const DRIFT_FINDING_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>([
  'unknown_assignment',
  'outlived_grant',
  'vanished_assignment',
]);

/** The UTC day of an instant, as digests are named. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export const DAY_MS = 86_400_000;

/** Findings about the root user: their alerts offer "Announce root use". */
export const ROOT_FINDING_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>([
  'root_console_login',
  'root_console_login_failed',
  'root_api_call',
  'root_read_only_call',
  'root_access_key_created',
  'root_assumed_session',
]);

export type AlertAction =
  | 'acknowledge'
  | 'snooze'
  | 'deactivate'
  | 'approve_deactivation'
  | 'deny_deactivation'
  | 'reactivate'
  | 'announce_root'
  | 'delete_key'
  | 'approve_deletion'
  | 'deny_deletion';

/**
 * What a person may do with an alert in its present state, in display order. Both chat platforms
 * render their buttons from this one answer, so they never offer different actions.
 */
export function availableAlertActions(a: Alert, now: number): AlertAction[] {
  const r = a.remediation?.status ?? 'none';
  const live = a.status !== 'resolved';
  const actions: AlertAction[] = [];
  if (live && a.status !== 'acknowledged') actions.push('acknowledge');
  if (live) actions.push('snooze');
  if (live && a.finding.accessKeyId && ['none', 'denied', 'failed', 'reverted'].includes(r)) actions.push('deactivate');
  if (r === 'pending_approval') actions.push('approve_deactivation', 'deny_deactivation');
  // A deleted key has nothing to reactivate: deletion is never undone.
  if (r === 'done' && (a.remediation?.reversibleUntil ?? 0) >= now && a.rotation?.step !== 'deleted')
    actions.push('reactivate');
  if (live && ROOT_FINDING_KINDS.has(a.finding.kind)) actions.push('announce_root');
  const d = a.rotation?.deletion.status ?? 'none';
  if (a.rotation?.step === 'ready_to_delete' && ['none', 'denied', 'failed'].includes(d)) actions.push('delete_key');
  if (a.rotation && d === 'pending_approval') actions.push('approve_deletion', 'deny_deletion');
  return actions;
}
