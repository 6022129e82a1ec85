/**
 * Service control policies as AWS applies them, kept small and strict:
 * - the document checks of Organizations (size, JSON, SCP grammar);
 * - the evaluation of a call made with a role session in a member account: the call must be allowed
 *   at every level of the account's path (root, each OU, the account) and denied by no statement
 *   attached anywhere on it. SCPs never apply to the management account.
 * Condition operators the emulator does not know are refused when the policy is stored, never ignored
 * at evaluation (an ignored condition would widen or narrow a deny without anyone seeing it).
 *
 * References: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
import { AwsError } from '../protocol';

/** Organizations' quota: an SCP document is at most 5,120 characters, whitespace included. */
export const SCP_MAX_CHARACTERS = 5120;
/** Organizations' quota: at most 5 SCPs attached to one root, OU or account. */
export const SCP_MAX_PER_TARGET = 5;

/** The operators the evaluator implements; anything else is refused. */
const OPERATORS = new Set(['StringEquals', 'StringLike', 'ArnLike', 'ArnEquals', 'DateLessThan', 'DateGreaterThan']);

export interface ScpStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions?: string[];
  /** operator → key → values */
  conditions: Record<string, Record<string, string[]>>;
}

/** What a request carries that a condition may read. */
export interface RequestContext {
  /** `service:Action`, e.g. `s3:ListAllMyBuckets`. */
  action: string;
  /** Condition keys with their values (for example `identitystore:UserId`, `aws:TokenIssueTime`). */
  keys: Record<string, string>;
}

const malformed = (why: string): AwsError =>
  new AwsError(
    'MalformedPolicyDocumentException',
    `The provided policy document doesn't meet the requirements of the specified policy type. ${why}`,
  );

const strings = (value: unknown, what: string): string[] => {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) {
    throw malformed(`${what} must be a string or a list of strings.`);
  }
  return list as string[];
};

/**
 * Checks an SCP document as Organizations does on CreatePolicy/UpdatePolicy and returns its
 * statements: size first (ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED), then grammar.
 */
export function parseScp(content: string): ScpStatement[] {
  if (content.length > SCP_MAX_CHARACTERS) {
    throw new AwsError(
      'ConstraintViolationException',
      'You attempted to create a policy that is larger than the maximum size.',
      400,
      { Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED' },
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    throw malformed('The document is not valid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed('The document is not an object.');
  const { Version, Statement, ...rest } = doc as Record<string, unknown>;
  if (Object.keys(rest).some((k) => k !== 'Id')) throw malformed(`Unknown element ${Object.keys(rest)[0]}.`);
  if (Version !== '2012-10-17') throw malformed('Version must be "2012-10-17".');
  const list = Array.isArray(Statement) ? Statement : [Statement];
  if (list.length === 0 || list.some((s) => typeof s !== 'object' || s === null || Array.isArray(s))) {
    throw malformed('Statement must be an object or a list of objects.');
  }
  return (list as Record<string, unknown>[]).map((s) => {
    for (const key of Object.keys(s)) {
      if (!['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'].includes(key)) {
        // Principal and NotPrincipal are not allowed in an SCP.
        throw malformed(`${key} is not allowed in a service control policy statement.`);
      }
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed('Effect must be Allow or Deny.');
    if ((s.Action === undefined) === (s.NotAction === undefined))
      throw malformed('A statement has Action or NotAction.');
    const statement: ScpStatement = {
      effect: s.Effect,
      actions: s.Action === undefined ? [] : strings(s.Action, 'Action'),
      conditions: {},
    };
    if (s.NotAction !== undefined) statement.notActions = strings(s.NotAction, 'NotAction');
    if (s.Resource !== undefined) strings(s.Resource, 'Resource');
    if (s.Condition !== undefined) {
      if (typeof s.Condition !== 'object' || s.Condition === null || Array.isArray(s.Condition)) {
        throw malformed('Condition must be an object.');
      }
      for (const [operator, block] of Object.entries(s.Condition as Record<string, unknown>)) {
        if (!OPERATORS.has(operator)) {
          throw malformed(`The local AWS emulator does not evaluate the condition operator ${operator}.`);
        }
        if (typeof block !== 'object' || block === null || Array.isArray(block)) {
          throw malformed(`${operator} must map condition keys to values.`);
        }
        statement.conditions[operator] = Object.fromEntries(
          Object.entries(block as Record<string, unknown>).map(([key, values]) => [key, strings(values, key)]),
        );
      }
    }
    return statement;
  });
}

/** IAM wildcards: `*` any run of characters, `?` one character; case-sensitive unless `fold`. */
function wildcard(pattern: string, value: string, fold = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, fold ? 'is' : 's').test(value);
}

/** ArnLike: the six colon-separated parts matched one by one, wildcards within a part. */
function arnLike(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return false;
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(':')];
  const [hp, hv] = [head(p), head(v)];
  return hp.every((part, i) => wildcard(part, hv[i]!));
}

function operatorMatches(operator: string, pattern: string, value: string): boolean {
  switch (operator) {
    case 'StringEquals':
      return pattern === value;
    case 'StringLike':
      return wildcard(pattern, value);
    case 'ArnEquals':
      return pattern === value;
    case 'ArnLike':
      return arnLike(pattern, value);
    case 'DateLessThan':
    case 'DateGreaterThan': {
      const [a, b] = [Date.parse(value), Date.parse(pattern)];
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return operator === 'DateLessThan' ? a < b : a > b;
    }
    default:
      // parseScp refused it already; never ignore an operator.
      throw new Error(`unknown condition operator ${operator}`);
  }
}

/**
 * Every key of every operator must match (AND); any value of a key may (OR). A missing key: no match.
 * Condition key names are case-insensitive in IAM (AWS's own example spells identitystore:userId).
 */
function conditionsHold(statement: ScpStatement, request: RequestContext): boolean {
  const keys = new Map(Object.entries(request.keys).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(statement.conditions).every(([operator, block]) =>
    Object.entries(block).every(([key, patterns]) => {
      const value = keys.get(key.toLowerCase());
      return value !== undefined && patterns.some((pattern) => operatorMatches(operator, pattern, value));
    }),
  );
}

function actionMatches(statement: ScpStatement, action: string): boolean {
  if (statement.notActions) return !statement.notActions.some((a) => wildcard(a, action, true));
  return statement.actions.some((a) => wildcard(a, action, true));
}

export function statementApplies(statement: ScpStatement, request: RequestContext): boolean {
  return actionMatches(statement, request.action) && conditionsHold(statement, request);
}

export type ScpDecision = { allowed: true } | { allowed: false; reason: 'explicit' | 'implicit' };

/**
 * The SCPs on an account's path, one list of documents per level (root, OUs, the account): denied
 * when any statement anywhere denies; else allowed only when every level allows.
 */
export function evaluateScps(levels: string[][], request: RequestContext): ScpDecision {
  const parsed = levels.map((docs) => docs.flatMap((d) => parseScp(d)));
  if (parsed.some((level) => level.some((s) => s.effect === 'Deny' && statementApplies(s, request)))) {
    return { allowed: false, reason: 'explicit' };
  }
  const everyLevelAllows = parsed.every((level) =>
    level.some((s) => s.effect === 'Allow' && statementApplies(s, request)),
  );
  return everyLevelAllows ? { allowed: true } : { allowed: false, reason: 'implicit' };
}
