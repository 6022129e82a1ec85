import { ErrorCodes, KeylessError } from './errors';
import type { PrincipalId } from './ids';

/**
 * Ending the live AWS sessions of a grant that ended early (README "Security model").
 *
 * Removing an Identity Center account assignment stops new sign-ins, but role credentials already
 * issued stay valid for the permission set's session duration (1 to 12 hours). Sessions of IAM
 * Identity Center users carry the Identity Center user id in the condition key
 * `identitystore:UserId`; a Deny on it, limited by `aws:TokenIssueTime` to credentials issued before
 * a moment T, ends those sessions and leaves a later grant to the same person untouched. keyless
 * writes these Deny statements into service control policies of its own (a port,
 * SessionCutPolicies), one statement per person at most, packed into as few policies as fit.
 *
 * This module is pure: the durable record of one person's cut (`SessionCut`), how a new cut merges
 * into it, and how the live cuts render into minified policy documents within AWS's limits.
 */

/** The largest service control policy AWS accepts, in characters (Organizations quota). */
export const SCP_MAX_CHARS = 5120;
/** Policies of one type attached to a target (AWS quota), one of them usually FullAWSAccess. */
export const SCP_MAX_PER_TARGET = 5;

/** One (account, permission set) pair whose sessions a cut ends. */
export interface SessionCutTarget {
  accountId: string;
  permissionSetName: string;
}

/** A grant whose early end a cut covers, not yet marked `sessionsCutAt`. */
export interface PendingCutGrant {
  grantId: string;
  /** When its assignment was confirmed removed (epoch ms). */
  removedAt: number;
}

/** The durable record of one person's cut: one item per person in the store. */
export interface SessionCut {
  principalId: PrincipalId;
  /** T: credentials issued before this moment are denied (epoch ms, whole seconds). */
  cutFrom: number;
  /** The pairs cut, sorted and unique. */
  targets: SessionCutTarget[];
  /** The statement may go once this has passed: T + the longest session duration + a margin. */
  retainUntil: number;
  /** Grants covered by this cut whose record does not say so yet. */
  pending: PendingCutGrant[];
  /** Bumped on every write (conditional writes). */
  version: number;
}

/** One early end to add to a person's cut. */
export interface CutInput {
  principalId: PrincipalId;
  cutFrom: number;
  target: SessionCutTarget;
  retainUntil: number;
  grant: PendingCutGrant;
}

const targetKey = (t: SessionCutTarget) => `${t.accountId}#${t.permissionSetName}`;

/** T rounded up to a whole second (aws:TokenIssueTime is compared at second precision). */
export function cutMoment(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}

/**
 * Adds an early end to a person's cut: the latest T, the union of the pairs, the furthest
 * retention, and the grant among the pending ones. The result has the next version.
 */
export function mergeCut(existing: SessionCut | undefined, input: CutInput): SessionCut {
  const targets = new Map<string, SessionCutTarget>();
  for (const t of [...(existing?.targets ?? []), input.target]) targets.set(targetKey(t), { ...t });
  const pending = new Map<string, PendingCutGrant>();
  for (const p of existing?.pending ?? []) pending.set(p.grantId, p);
  if (!pending.has(input.grant.grantId)) pending.set(input.grant.grantId, { ...input.grant });
  return {
    principalId: input.principalId,
    cutFrom: Math.max(existing?.cutFrom ?? 0, cutMoment(input.cutFrom)),
    targets: [...targets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t),
    retainUntil: Math.max(existing?.retainUntil ?? 0, input.retainUntil),
    pending: [...pending.values()].sort((a, b) => (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0)),
    version: (existing?.version ?? 0) + 1,
  };
}

/** A cut whose statement must still be in force at `nowMs`. */
export function cutInForce(cut: Pick<SessionCut, 'retainUntil'>, nowMs: number): boolean {
  return nowMs < cut.retainUntil;
}

/**
 * The ARN pattern of the roles Identity Center creates for a permission set in an account:
 * `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<name>_<hash>`
 * (the Region segment appears for instances outside us-east-1). The pattern also matches a
 * permission set whose name extends this one after an underscore (`Admin` matches `Admin_Full`):
 * for the same person only, so at worst another of their sessions issued before T is ended.
 */
export function permissionSetRolePattern(t: SessionCutTarget): string {
  return `arn:aws:iam::${t.accountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${t.permissionSetName}_*`;
}

/** The ISO 8601 form `aws:TokenIssueTime` conditions compare (UTC, whole seconds). */
export function tokenIssueTime(ms: number): string {
  return new Date(cutMoment(ms)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** How statements are written, from the most precise to the most compact. */
export type CutPacking =
  /** One statement per person, narrowed to the roles of the pairs cut. */
  | 'narrowed'
  /** One statement per person, every role of that person (they sign in again elsewhere too). */
  | 'per_person'
  /**
   * People whose T fall within one window share a statement with the window's end as T: each
   * person in exactly one statement; their sessions issued before that later T are ended.
   */
  | 'grouped';

export interface PackOptions {
  /** How many policies keyless may use (5 per target, minus FullAWSAccess and any others). */
  slots: number;
  maxChars?: number;
  /** Where each person's statement is now (principal id → slot), so that statements stay put. */
  previous?: ReadonlyMap<string, number>;
  /** The window of the `grouped` form. Default 60 s. */
  groupWindowMs?: number;
}

export interface PackedCuts {
  /** One minified document per slot in use, slot 0 first. */
  documents: string[];
  /** Which people each document holds. */
  members: string[][];
  packing: CutPacking;
  /** The longest document. */
  maxChars: number;
}

interface Unit {
  members: string[];
  text: string;
}

const DOC_PREFIX = '{"Version":"2012-10-17","Statement":[';
const DOC_SUFFIX = ']}';

function statement(userIds: string[], cutFrom: number, roles?: string[]): string {
  const condition: Record<string, Record<string, string | string[]>> = {
    StringEquals: { 'identitystore:UserId': userIds.length === 1 ? userIds[0]! : userIds },
    DateLessThan: { 'aws:TokenIssueTime': tokenIssueTime(cutFrom) },
  };
  if (roles) condition.ArnLike = { 'aws:PrincipalArn': roles.length === 1 ? roles[0]! : roles };
  return JSON.stringify({ Effect: 'Deny', Action: '*', Resource: '*', Condition: condition });
}

/** The document of a set of statements, minified. */
export function cutDocument(statements: readonly string[]): string {
  return `${DOC_PREFIX}${statements.join(',')}${DOC_SUFFIX}`;
}

function units(cuts: readonly SessionCut[], packing: CutPacking, maxChars: number, windowMs: number): Unit[] {
  const sorted = [...cuts].sort((a, b) => (a.principalId < b.principalId ? -1 : a.principalId > b.principalId ? 1 : 0));
  if (packing !== 'grouped') {
    return sorted.map((c) => ({
      members: [c.principalId],
      text: statement(
        [c.principalId],
        c.cutFrom,
        packing === 'narrowed' ? c.targets.map(permissionSetRolePattern) : undefined,
      ),
    }));
  }
  const windows = new Map<number, string[]>();
  for (const c of sorted) {
    const end = Math.ceil(c.cutFrom / windowMs) * windowMs;
    windows.set(end, [...(windows.get(end) ?? []), c.principalId]);
  }
  const room = maxChars - DOC_PREFIX.length - DOC_SUFFIX.length;
  const out: Unit[] = [];
  for (const [end, ids] of [...windows.entries()].sort(([a], [b]) => a - b)) {
    let chunk: string[] = [];
    for (const id of ids) {
      if (chunk.length && statement([...chunk, id], end).length > room) {
        out.push({ members: chunk, text: statement(chunk, end) });
        chunk = [];
      }
      chunk.push(id);
    }
    if (chunk.length) out.push({ members: chunk, text: statement(chunk, end) });
  }
  return out;
}

function place(
  all: Unit[],
  slots: number,
  maxChars: number,
  previous: ReadonlyMap<string, number> | undefined,
): Unit[][] | undefined {
  const bins: Unit[][] = Array.from({ length: slots }, () => []);
  // A document's length: prefix + statements joined by commas + suffix.
  const lengths: number[] = Array.from({ length: slots }, () => DOC_PREFIX.length + DOC_SUFFIX.length);
  const fits = (i: number, u: Unit) => lengths[i]! + u.text.length + (bins[i]!.length ? 1 : 0) <= maxChars;
  const put = (i: number, u: Unit) => {
    lengths[i]! += u.text.length + (bins[i]!.length ? 1 : 0);
    bins[i]!.push(u);
  };
  const rest: Unit[] = [];
  for (const u of all) {
    const was = previous?.get(u.members[0]!);
    if (was !== undefined && was < slots && fits(was, u)) put(was, u);
    else rest.push(u);
  }
  for (const u of rest) {
    const i = bins.findIndex((_, j) => fits(j, u));
    if (i < 0) return undefined;
    put(i, u);
  }
  return bins;
}

/**
 * Renders the cuts in force into policy documents: deterministic (people sorted by id, first fit,
 * a person kept in the slot that holds them when it still fits), each document at most
 * `maxChars`, at most one statement per person. It uses the most precise form that fits; when even
 * the most compact does not fit, it throws SESSION_CUT_NO_ROOM: a cut is never dropped silently.
 * Slots left empty are not rendered (the caller removes their policies: an SCP needs a statement).
 */
export function packSessionCuts(cuts: readonly SessionCut[], options: PackOptions): PackedCuts {
  const maxChars = options.maxChars ?? SCP_MAX_CHARS;
  const windowMs = options.groupWindowMs ?? 60_000;
  for (const packing of ['narrowed', 'per_person', 'grouped'] as const) {
    const all = units(cuts, packing, maxChars, windowMs);
    const bins =
      place(all, options.slots, maxChars, options.previous) ?? place(all, options.slots, maxChars, undefined);
    if (!bins) continue;
    const used = bins.slice(
      0,
      bins.reduce((last, b, i) => (b.length ? i + 1 : last), 0),
    );
    // A gap (an empty slot between used ones) is filled with nothing: the caller removes it.
    const documents = used.map((b) => (b.length ? cutDocument(b.map((u) => u.text)) : ''));
    return {
      documents,
      members: used.map((b) => b.flatMap((u) => u.members)),
      packing,
      maxChars: Math.max(0, ...documents.map((d) => d.length)),
    };
  }
  throw new KeylessError(
    ErrorCodes.SessionCutNoRoom,
    `The session cuts of ${cuts.length} people do not fit in ${options.slots} service control policies of ${maxChars} characters.`,
    {
      hint: 'Free policy slots on the targets (at most 5 per target) or shorten the retention; no cut was dropped.',
      details: { people: cuts.length, slots: options.slots },
    },
  );
}

/** The people (Identity Center user ids) each of keyless's documents names, by slot. */
export function membersOfDocument(content: string): string[] {
  try {
    const doc = JSON.parse(content) as { Statement?: unknown };
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    return statements.flatMap((s: unknown) => {
      const v = (s as { Condition?: { StringEquals?: Record<string, unknown> } })?.Condition?.StringEquals?.[
        'identitystore:UserId'
      ];
      return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    });
  } catch {
    return [];
  }
}

/** How long a cut is kept: T + the longest session of the permission set + the margin. */
export function cutRetainUntil(cutFrom: number, sessionDurationSeconds: number, marginSeconds: number): number {
  return cutMoment(cutFrom) + (sessionDurationSeconds + marginSeconds) * 1000;
}

/**
 * The line a grant-ended message carries about the sessions already open, or undefined when
 * keyless does not end them (the feature is off, or the grant ended at its expiry).
 */
export function sessionCutLine(g: {
  sessionCut?: { from: number } | { skipped: 'management_account' };
}): string | undefined {
  if (!g.sessionCut) return undefined;
  if ('skipped' in g.sessionCut) {
    return 'Sessions in the management account are not ended (service control policies do not reach it): they last until their own session duration ends.';
  }
  return 'Console or CLI sessions opened before now are being ended (within minutes); sign in again if you get access again.';
}
