import { formatDuration, ABSOLUTE_MAX_SECONDS } from './duration';
import { ErrorCodes, KeylessError } from './errors';

/**
 * How long a grant may last, and how an approved request moves its end. Pure: times are epoch ms
 * given by the caller, durations whole seconds.
 *
 * The invariant (checked by the grant machine on every transition that moves the end): at every
 * moment, `expiresAt − windowStartAt ≤ capSeconds`, where the window starts at activation and moves
 * only when an approved request moves the end; `capSeconds` is the maximum of the rule that approved
 * the request that set the end (break-glass: its own cap). Never extended, that is
 * `expiresAt − activatedAt ≤` the rule's maximum. While provisioning, `durationSeconds ≤ capSeconds`.
 */
export interface GrantTerm {
  status: string;
  /** While provisioning: how long the grant lasts once active. Once active: expiresAt − activatedAt. */
  durationSeconds: number;
  /** The longest access, from the window start, that the rules behind the current end allow. */
  capSeconds?: number;
  activatedAt?: number;
  /** When the current window began: activation, or the last approved request that moved the end. */
  windowStartAt?: number;
  expiresAt?: number;
}

/**
 * `add`: the requester asked for more time on a grant (`extend`): the time is added to the end.
 * `later_end`: a second request for a live (user, account, permission set): the end becomes the later
 * of the two ends. Both are cut to the cap of the rule that approved the request.
 */
export type ExtensionMode = 'add' | 'later_end';

export interface ExtensionAsk {
  /** When the approved request is applied (epoch ms). */
  at: number;
  requestedSeconds: number;
  /** The maximum of the rule that approved the request. */
  capSeconds: number;
  mode: ExtensionMode;
}

export interface ExtensionOutcome {
  durationSeconds: number;
  capSeconds: number;
  windowStartAt?: number;
  expiresAt?: number;
  /** What the request really added (0 when the grant already ended later). */
  addedSeconds: number;
  /** True when the cap cut what was asked. */
  capped: boolean;
  moved: boolean;
}

/** The cap a grant lives under: grants recorded before caps were stored are capped at their duration. */
export function grantCapSeconds(g: Pick<GrantTerm, 'capSeconds' | 'durationSeconds'>): number {
  const cap = g.capSeconds;
  return typeof cap === 'number' && Number.isFinite(cap) && cap > 0 ? cap : g.durationSeconds;
}

/** A cap from a decision, bounded by what keyless ever grants. */
export function boundedCap(capSeconds: number | undefined, fallbackSeconds: number): number {
  const cap = capSeconds !== undefined && Number.isFinite(capSeconds) && capSeconds > 0 ? capSeconds : fallbackSeconds;
  return Math.min(Math.floor(cap), ABSOLUTE_MAX_SECONDS);
}

/** The term of a grant that becomes active at `at`: its duration, cut to its cap. */
export function activationTerm(
  g: Pick<GrantTerm, 'durationSeconds' | 'capSeconds'>,
  at: number,
): { activatedAt: number; windowStartAt: number; expiresAt: number; durationSeconds: number } {
  const seconds = Math.min(g.durationSeconds, grantCapSeconds(g));
  return { activatedAt: at, windowStartAt: at, expiresAt: at + seconds * 1000, durationSeconds: seconds };
}

/**
 * Where an approved request puts a live grant's end: the later of the current end and what was asked
 * (`later_end`), or the current end plus what was asked (`add`), never beyond `at + cap` (active) or
 * the cap (provisioning, measured from the coming activation). The end never moves earlier.
 */
export function extendTerm(g: GrantTerm, ask: ExtensionAsk): ExtensionOutcome {
  const cap = boundedCap(ask.capSeconds, ask.requestedSeconds);
  const current = {
    durationSeconds: g.durationSeconds,
    capSeconds: grantCapSeconds(g),
    ...(g.windowStartAt !== undefined ? { windowStartAt: g.windowStartAt } : {}),
    ...(g.expiresAt !== undefined ? { expiresAt: g.expiresAt } : {}),
  };
  if (g.expiresAt === undefined) {
    const wanted =
      ask.mode === 'add' ? g.durationSeconds + ask.requestedSeconds : Math.max(g.durationSeconds, ask.requestedSeconds);
    const next = Math.min(wanted, cap);
    if (next <= g.durationSeconds) return { ...current, addedSeconds: 0, capped: wanted > cap, moved: false };
    return {
      ...current,
      durationSeconds: next,
      capSeconds: cap,
      addedSeconds: next - g.durationSeconds,
      capped: wanted > cap,
      moved: true,
    };
  }
  const wanted = (ask.mode === 'add' ? g.expiresAt : ask.at) + ask.requestedSeconds * 1000;
  const limit = ask.at + cap * 1000;
  const next = Math.min(wanted, limit);
  if (next <= g.expiresAt) return { ...current, addedSeconds: 0, capped: wanted > limit, moved: false };
  const activatedAt = g.activatedAt ?? ask.at;
  return {
    durationSeconds: Math.round((next - activatedAt) / 1000),
    capSeconds: cap,
    windowStartAt: ask.at,
    expiresAt: next,
    addedSeconds: Math.round((next - g.expiresAt) / 1000),
    capped: wanted > limit,
    moved: true,
  };
}

/** The most `expiresAt − activatedAt` may be for this grant now: its cap, plus what extensions allowed. */
export function allowedSeconds(g: GrantTerm): number {
  const start = g.windowStartAt ?? g.activatedAt ?? 0;
  return grantCapSeconds(g) + Math.max(0, (start - (g.activatedAt ?? start)) / 1000);
}

/** Why a grant's term breaks the duration invariant, or undefined when it holds. */
export function termViolation(g: GrantTerm): string | undefined {
  const cap = grantCapSeconds(g);
  if (cap > ABSOLUTE_MAX_SECONDS)
    return `its cap ${formatDuration(cap)} is beyond ${formatDuration(ABSOLUTE_MAX_SECONDS)}`;
  if (g.expiresAt === undefined) {
    return g.durationSeconds > cap
      ? `it would last ${formatDuration(g.durationSeconds)}, beyond its cap of ${formatDuration(cap)}`
      : undefined;
  }
  if (g.activatedAt === undefined) return 'it has an end but no activation';
  const start = g.windowStartAt ?? g.activatedAt;
  if (start < g.activatedAt) return 'its window starts before its activation';
  if (g.expiresAt - start > cap * 1000) {
    return `it would end ${formatDuration((g.expiresAt - start) / 1000)} after its window start, beyond its cap of ${formatDuration(cap)}`;
  }
  return undefined;
}

/** Throws when a grant's term breaks the invariant (a bug: nothing may move an end past its cap). */
export function assertTerm(g: GrantTerm & { id: string }): void {
  const why = termViolation(g);
  if (why) {
    throw new KeylessError(ErrorCodes.DurationCapExceeded, `Grant ${g.id} cannot take this change: ${why}.`, {
      details: { grantId: g.id, capSeconds: grantCapSeconds(g), expiresAt: g.expiresAt ?? -1 },
    });
  }
}
