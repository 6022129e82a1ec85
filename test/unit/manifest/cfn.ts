/**
 * Just enough of CloudFormation and EventBridge to walk the synthesized templates without deploying:
 * intrinsic functions with given parameter values, conditions, and event-pattern matching (exact
 * values, nested fields, `$or`).
 */

export type CfnTemplate = {
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
};

export type Resolved = string | number | boolean | Resolved[] | { [key: string]: Resolved } | undefined;

export interface ResolveEnv {
  region: string;
  accountId: string;
  /** Parameter values; a template's defaults fill the rest when a whole template is resolved. */
  parameters: Record<string, Resolved>;
  /** Values of Ref (key `Ref`) and Fn::GetAtt (key: the attribute) for resources. */
  resources: Record<string, Record<string, string>>;
}

const NO_VALUE = Symbol('AWS::NoValue');

function isList(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<');
}

/** Parameter values: the given ones, then the template's defaults (lists split on commas). */
export function parameterValues(template: CfnTemplate, given: Record<string, Resolved>): Record<string, Resolved> {
  const out: Record<string, Resolved> = {};
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    if (name in given) out[name] = given[name];
    else if (p.Default !== undefined)
      out[name] = isList(p.Type) ? String(p.Default).split(',') : (p.Default as Resolved);
  }
  return out;
}

function fail(message: string): never {
  throw new Error(message);
}

function resolveNode(node: unknown, env: ResolveEnv, conditions: Record<string, boolean>): Resolved | typeof NO_VALUE {
  if (Array.isArray(node)) {
    return node.map((n) => resolveNode(n, env, conditions)).filter((n) => n !== NO_VALUE) as Resolved[];
  }
  if (!node || typeof node !== 'object') return node as Resolved;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    const r = (n: unknown) => resolveNode(n, env, conditions);
    switch (key) {
      case 'Ref': {
        const name = String(arg);
        if (name === 'AWS::Region') return env.region;
        if (name === 'AWS::AccountId') return env.accountId;
        if (name === 'AWS::Partition') return 'aws';
        if (name === 'AWS::URLSuffix') return 'amazonaws.com';
        if (name === 'AWS::NoValue') return NO_VALUE;
        if (name in env.parameters) return env.parameters[name];
        return env.resources[name]?.Ref ?? `ref:${name}`;
      }
      case 'Fn::GetAtt': {
        const [resource, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        return env.resources[resource!]?.[attribute!] ?? `arn:${resource}:${attribute}`;
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown];
        const list = r(parts);
        return (Array.isArray(list) ? list : fail(`Fn::Join of ${JSON.stringify(parts)}`)).flat().join(separator);
      }
      case 'Fn::Split': {
        const [separator, text] = arg as [string, unknown];
        return String(r(text)).split(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number | string, unknown];
        const values = r(list);
        return Array.isArray(values) ? values[Number(index)] : fail(`Fn::Select of ${JSON.stringify(list)}`);
      }
      case 'Fn::If': {
        const [condition, yes, no] = arg as [string, unknown, unknown];
        return (conditions[condition] ?? fail(`unknown condition ${condition}`)) ? r(yes) : r(no);
      }
      case 'Fn::Equals': {
        const [a, b] = arg as [unknown, unknown];
        return JSON.stringify(r(a)) === JSON.stringify(r(b));
      }
      case 'Fn::Not':
        return !(r((arg as unknown[])[0]) as boolean);
      case 'Fn::Sub':
      case 'Fn::ImportValue':
      case 'Fn::GetAZs':
      case 'Fn::FindInMap':
        return fail(`${key} is not resolved by this walker`);
    }
  }
  const out: Record<string, Resolved> = {};
  for (const [key, value] of entries) {
    const v = resolveNode(value, env, conditions);
    if (v !== NO_VALUE) out[key] = v;
  }
  return out;
}

/**
 * Resolves intrinsic functions. Given a whole template, also drops the resources whose condition is
 * false (what CloudFormation would create with these parameters, in this Region).
 */
export function resolve(node: unknown, env: ResolveEnv): Resolved {
  const asTemplate = node as CfnTemplate;
  if (node && typeof node === 'object' && 'Resources' in node) {
    const full = { ...env, parameters: parameterValues(asTemplate, env.parameters) };
    const conditions: Record<string, boolean> = {};
    for (const [name, expression] of Object.entries(asTemplate.Conditions ?? {})) {
      conditions[name] = resolveNode(expression, full, conditions) === true;
    }
    const resources = Object.fromEntries(
      Object.entries(asTemplate.Resources).filter(([, r]) => r.Condition === undefined || conditions[r.Condition]),
    );
    return resolveNode({ ...asTemplate, Resources: resources }, full, conditions) as Resolved;
  }
  const value = resolveNode(node, env, {});
  return value === NO_VALUE ? undefined : value;
}

/**
 * EventBridge matching for the patterns keyless uses: arrays of exact values (an array field of the
 * event matches when one of its elements does), nested objects, and `$or`.
 */
export function matchesPattern(pattern: object, event: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as object[]).some((p) => matchesPattern(p, event));
    const actual = event && typeof event === 'object' ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) {
      if (expected.some((e) => e !== null && typeof e === 'object')) {
        throw new Error(`content filters (${JSON.stringify(expected)}) are not modelled here`);
      }
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((v) => expected.includes(v));
    }
    return actual !== null && typeof actual === 'object' && matchesPattern(expected as object, actual);
  });
}
