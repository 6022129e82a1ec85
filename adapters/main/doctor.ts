import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListPoliciesForTargetCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  formatDuration,
  governedGroupNames,
  isKeylessError,
  matchesPermissionSet,
  policyOnCallRefs,
  ruleMaxSeconds,
  silentLogger,
  type IdentityCenter,
  type PermissionSet,
} from '../../src';
import { activityRegions } from '../aws/cloudtrail';
import { createAwsIdentityCenter } from '../aws/identity-center';
import { organizationsRegionFor } from '../aws/identity-center/create-identity-center';
import { AwsSessionCutPolicies, SCP_TYPE } from '../aws/organizations';
import { createAwsSts, type AwsSts } from '../aws/sts/sts';
import { checkTable, TTL_ATTRIBUTE, ttlStatus } from '../dynamodb';
import { PAGERDUTY_API_URL, PagerDutyOnCall } from '../oncall/pagerduty';
import { requiredBotScopes } from '../slack';
import { parseSlackUserGroup } from '../slack/usergroup-ref';
import type { KeylessConfig } from './config';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One thing `keyless doctor` looked at. Every warning and failure says how to fix it. */
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** How to fix it, for a warning or a failure. */
  fix?: string;
}

/** What `keyless doctor` found: `ok` is false when any check failed (the CLI then exits 1). */
export interface DoctorReport {
  ok: boolean;
  counts: Record<CheckStatus, number>;
  checks: Check[];
}

/** A check contributed by the caller (the composition root, a test…). */
export type ExtraCheck = () => Promise<Check[]>;

export interface DoctorDeps {
  /** The Slack Web API root; default https://slack.com/api/ (the loopback workspace's `apiUrl` locally). */
  slackApiUrl?: string;
  /**
   * The Microsoft Entra authority the bot's token is asked from: botbuilder's ToChannelFromBotLoginUrl
   * (the loopback Teams connector's `loginUrl()` locally). Default `config.teams.loginUrl`, then
   * https://login.microsoftonline.com/<MICROSOFT_APP_TENANT_ID, or botframework.com for a MultiTenant bot>.
   */
  teamsLoginUrl?: string;
  /** How long one HTTP call to Slack or Microsoft may take. Default 10 s. */
  timeoutMs?: number;
  extra?: ExtraCheck[];
}

const SLACK_API = 'https://slack.com/api/';
const ENTRA = 'https://login.microsoftonline.com/';
/** botbuilder's ToChannelFromBotOAuthScope, as the client-credentials scope. */
const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com/.default';
const SLACK_TEAM_ID = /^[TE][A-Z0-9]{2,}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });
const warn = (name: string, detail: string, fix: string): Check => ({ name, status: 'warn', detail, fix });
const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'fail', detail, fix });

function describeError(error: unknown): string {
  if (isKeylessError(error)) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

async function attempt(name: string, fix: string, work: () => Promise<string>): Promise<Check> {
  try {
    return ok(name, await work());
  } catch (error) {
    return fail(name, describeError(error), fix);
  }
}

/** Runs `work` on every item, at most `limit` at once, keeping the order. */
async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * `keyless doctor`: checks what a first deployment gets wrong, and says how to fix each: the AWS
 * identity, Identity Center and its permission sets, the table, the security feed (queue and its
 * dead-letter queue, the EventBridge secret, the member-account roles with the ExternalId), Slack
 * (token, scopes, channel membership, workspace allow-list) and Teams (a real token request, tenant
 * allow-list). AWS is reached through the SDK's standard configuration (real AWS, or the emulators).
 */
export async function runDoctor(config: KeylessConfig, deps: DoctorDeps = {}): Promise<DoctorReport> {
  const production = config.mode === 'production';
  const checks: Check[] = [
    ok('configuration', `mode ${config.mode}, policy ${config.policyFile} (${config.policy.rules.length} rules)`),
  ];
  const region = config.policy.identityCenter.region;
  const sts = createAwsSts(region);

  checks.push(
    await attempt(
      'AWS identity',
      'Give keyless AWS credentials (AWS_PROFILE, a task role…) and set AWS_REGION.',
      async () => {
        const me = await sts.callerIdentity();
        return `${me.arn} in account ${me.account}`;
      },
    ),
  );

  const identity: IdentityCenter & { stop?: () => void } = createAwsIdentityCenter({
    region,
    instanceArn: config.policy.identityCenter.instanceArn,
    identityStoreId: config.policy.identityCenter.identityStoreId,
    useOrganizations: true,
  });
  try {
    checks.push(...(await identityCenterChecks(config, identity)));
    checks.push(...(await tableChecks(config, region)));
    checks.push(...(await feedChecks(config, region, identity, sts)));
    checks.push(await activityLookupCheck(config, identity, sts, await runningRegion()));
    if (config.sessionCut) {
      const organizations = new OrganizationsClient({ region: organizationsRegionFor(region) });
      try {
        checks.push(...(await sessionCutChecks(config.sessionCut, organizations)));
      } finally {
        organizations.destroy();
      }
    }
  } finally {
    identity.stop?.();
  }

  const timeoutMs = deps.timeoutMs ?? 10_000;
  if (config.slack) {
    checks.push(
      ...(await slackChecks(config.slack.botToken, deps.slackApiUrl ?? SLACK_API, {
        channels: config.policy.channels.slack ?? {},
        allowedTeamIds: config.slack.allowedTeamIds,
        requireAllowList: production,
        timeoutMs,
        ...(config.audit.auditorGroups ? { auditorGroups: config.audit.auditorGroups } : {}),
      })),
    );
    if (config.slack.appToken) {
      checks.push(await slackSocketModeCheck(config.slack.appToken, deps.slackApiUrl ?? SLACK_API, timeoutMs));
    }
  }
  if (config.teams && (production || config.teams.appId)) {
    checks.push(
      ...(await teamsChecks(config.teams, {
        loginUrl: deps.teamsLoginUrl ?? config.teams.loginUrl,
        production,
        timeoutMs,
      })),
    );
  }
  checks.push(...(await pagerDutyChecks(config, { timeoutMs })));
  for (const more of deps.extra ?? []) checks.push(...(await more()));
  return report(checks);
}

/**
 * PagerDuty, when the policy names on-call schedules or a key is set: the key is accepted
 * (`GET /abilities`), and each schedule the policy names exists and can be read (`GET /schedules/{id}`),
 * with who is on call on it now.
 */
export async function pagerDutyChecks(
  config: Pick<KeylessConfig, 'pagerDuty' | 'policy'>,
  options: { timeoutMs?: number } = {},
): Promise<Check[]> {
  const refs = policyOnCallRefs(config.policy);
  if (!config.pagerDuty) {
    return refs.length === 0
      ? []
      : [
          fail(
            'PagerDuty key',
            `the policy names on-call schedules (${refs.join(', ')}) but no PagerDuty key is set`,
            'Set KEYLESS_PAGERDUTY_TOKEN to a PagerDuty REST API key (read-only is enough).',
          ),
        ];
  }
  const pd = new PagerDutyOnCall({
    token: config.pagerDuty.token,
    ...(config.pagerDuty.apiUrl ? { apiUrl: config.pagerDuty.apiUrl } : {}),
    timeoutMs: options.timeoutMs ?? 10_000,
    logger: silentLogger,
  });
  const key = await attempt(
    'PagerDuty key',
    'Set KEYLESS_PAGERDUTY_TOKEN to a valid PagerDuty REST API key (Integrations → API Access Keys).',
    async () => {
      await pd.checkToken();
      return `accepted by ${config.pagerDuty?.apiUrl ?? PAGERDUTY_API_URL}`;
    },
  );
  if (key.status !== 'ok') return [key];
  const schedules = await mapLimit(refs, 4, (ref) =>
    attempt(
      `PagerDuty schedule ${ref}`,
      `Check the schedule id in the policy (the P… in the schedule's PagerDuty URL) and that the key may read it.`,
      async () => {
        const { name } = await pd.checkSchedule(ref);
        const now = await pd.whoIsOnCall(ref, Date.now(), { fresh: true });
        return `"${name}": ${now.length === 0 ? 'nobody is on call now' : `${now.length} person(s) on call now`}`;
      },
    ),
  );
  return [key, ...schedules];
}

export function report(checks: Check[]): DoctorReport {
  const counts = { ok: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status]++;
  return { ok: counts.fail === 0, counts, checks };
}

// ---------------------------------------------------------------------------------- Identity Center

/**
 * Group grants: every group a rule grants membership of exists in the identity store (by its exact
 * display name), and holds nobody for good (a standing member is drift the reconciler reports).
 */
export async function governedGroupsCheck(config: KeylessConfig, identity: IdentityCenter): Promise<Check> {
  const names = governedGroupNames(config.policy);
  return attempt(
    'governed groups',
    'Create the group in Identity Center with exactly this display name, or fix `groups` in the policy rule; keyless adds and removes its members.',
    async () => {
      if (names.length === 0) return 'no rule grants a group membership';
      const found = await Promise.all(names.map(async (n) => [n, await identity.findGroup(n)] as const));
      const missing = found.filter(([, g]) => !g).map(([n]) => n);
      if (missing.length) throw new Error(`group(s) not in the identity store: ${missing.join(', ')}`);
      const sizes = await Promise.all(
        found.map(async ([n, g]) => `${n} (${(await identity.listGroupMemberIds(g!.id)).length} member(s) now)`),
      );
      return `groups found: ${sizes.join(', ')}`;
    },
  );
}

async function identityCenterChecks(config: KeylessConfig, identity: IdentityCenter): Promise<Check[]> {
  const checks: Check[] = [];
  const instanceArn = config.policy.identityCenter.instanceArn;
  let sets: PermissionSet[] | undefined;
  try {
    sets = await identity.listPermissionSets();
    checks.push(ok('Identity Center instance', `${sets.length} permission sets in ${instanceArn}`));
  } catch (error) {
    checks.push(
      fail(
        'Identity Center instance',
        `cannot list the permission sets of ${instanceArn} (${describeError(error)})`,
        'Check identityCenter.instanceArn and region in the policy, and that keyless’s role has manifest/aws/iam-policy.json.',
      ),
    );
  }

  const groups = [
    ...new Set(
      config.policy.rules
        .flatMap((r) => [...r.requesters.groups, ...(r.approvers?.groups ?? [])])
        .filter((g) => g !== '*'),
    ),
  ];
  checks.push(
    await attempt(
      'identity store',
      'Check identityCenter.identityStoreId and the identitystore:* read actions, or fix the group names in the policy.',
      async () => {
        const sizes = await Promise.all(
          groups.map(async (g) => [g, (await identity.listGroupMembers(g)).length] as const),
        );
        const empty = sizes.filter(([, n]) => n === 0).map(([g]) => g);
        if (empty.length) throw new Error(`no members found in group(s): ${empty.join(', ')}`);
        return groups.length
          ? `groups found: ${sizes.map(([g, n]) => `${g} (${n})`).join(', ')}`
          : 'no groups named in the policy';
      },
    ),
  );
  checks.push(await governedGroupsCheck(config, identity));
  if (!sets) return checks;

  const named = [
    ...new Set([
      ...config.policy.rules.filter((r) => r.effect === 'allow').flatMap((r) => r.permissionSets),
      ...(config.policy.breakGlass?.permissionSets ?? []),
    ]),
  ].filter((n) => n !== '*');
  const missing = named.filter((n) => !sets.some((s) => s.name.toLowerCase() === n.toLowerCase()));
  checks.push(
    missing.length
      ? fail(
          'permission sets',
          `the policy names permission sets that do not exist: ${missing.join(', ')}`,
          'Create and provision them in Identity Center, or fix the names in the policy.',
        )
      : ok('permission sets', `all ${named.length} named in the policy exist`),
  );
  checks.push(sessionLengthCheck(config, sets));
  return checks;
}

/**
 * Removing an account assignment does not end a session already open: a permission set whose
 * session lasts longer than the longest grant the policy allows for it outlives every grant.
 */
export function sessionLengthCheck(config: KeylessConfig, sets: PermissionSet[]): Check {
  const grants = [
    ...config.policy.rules
      .filter((r) => r.effect === 'allow')
      .map((r) => ({ sets: r.permissionSets, max: ruleMaxSeconds(r) })),
    ...(config.policy.breakGlass
      ? [{ sets: config.policy.breakGlass.permissionSets, max: ruleMaxSeconds(config.policy.breakGlass) }]
      : []),
  ];
  const outliving: string[] = [];
  for (const set of sets) {
    const maxima = grants.filter((g) => matchesPermissionSet(g.sets, set.name)).map((g) => g.max);
    if (maxima.length === 0) continue;
    const longest = Math.max(...maxima);
    if (set.sessionDurationSeconds > longest) {
      outliving.push(
        `${set.name} sessions last ${formatDuration(set.sessionDurationSeconds)}, the longest grant ${formatDuration(longest)}`,
      );
    }
  }
  return outliving.length
    ? warn(
        'session length',
        `${outliving.join('; ')}: removing an assignment does not end a session already open, so sessions outlive grants`,
        'Set each permission set’s session duration to at most the longest grant of the policy (Identity Center → Permission sets → Edit), or turn on KEYLESS_SESSION_CUT (README, "Security model").',
      )
    : ok('session length', 'no permission set’s session outlasts the longest grant the policy allows for it');
}

// ----------------------------------------------------------------------------- Session cut

/** Organizations' limit of SCPs attached to one root, OU or account. */
const SCPS_PER_TARGET = 5;

/**
 * KEYLESS_SESSION_CUT=on: SCPs enabled at the root, keyless can list and rewrite its own policies,
 * every target has a free attachment slot (or holds keyless's policy already), and the management
 * account, which no SCP reaches, is named as not covered.
 */
export async function sessionCutChecks(
  sessionCut: NonNullable<KeylessConfig['sessionCut']>,
  organizations: OrganizationsClient,
): Promise<Check[]> {
  const checks: Check[] = [];
  const iamFix =
    'Deploy the stack with EnableSessionCut=on, or attach manifest/aws/iam-policy-session-cut.json to the role keyless runs as (in the management account).';
  let managementAccountId: string | undefined;
  try {
    const roots = (await organizations.send(new ListRootsCommand({}))).Roots ?? [];
    const root = roots[0];
    managementAccountId = root?.Arn?.split(':')[4];
    const enabled = root?.PolicyTypes?.some((t) => t.Type === SCP_TYPE && t.Status === 'ENABLED') ?? false;
    checks.push(
      enabled
        ? ok('session cut: SCPs', `service control policies are enabled at ${root!.Id}`)
        : fail(
            'session cut: SCPs',
            `service control policies are not enabled at ${root?.Id ?? 'the root'}: keyless cannot end live sessions`,
            `In the management account: aws organizations enable-policy-type --root-id ${root?.Id ?? 'r-…'} --policy-type SERVICE_CONTROL_POLICY (or set KEYLESS_SESSION_CUT=off).`,
          ),
    );
  } catch (error) {
    checks.push(fail('session cut: SCPs', describeError(error), iamFix));
  }

  const policies = new AwsSessionCutPolicies(organizations, {
    prefix: sessionCut.prefix,
    targets: sessionCut.targets,
    retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1000 },
  });
  let ownIds = new Set<string>();
  try {
    const own = await policies.list();
    ownIds = new Set(own.map((p) => p.id));
    // Rewriting a policy with its own content changes nothing and proves organizations:UpdatePolicy.
    if (own[0]) await policies.update(own[0].id, own[0].content);
    checks.push(
      ok(
        'session cut: own policies',
        own.length
          ? `${own.length} policy(ies) ${sessionCut.prefix}-…, and keyless may update them`
          : `no policy ${sessionCut.prefix}-… yet (keyless creates the first when it ends a session)`,
      ),
    );
  } catch (error) {
    checks.push(fail('session cut: own policies', describeError(error), iamFix));
  }

  for (const target of sessionCut.targets) {
    const name = `session cut: slots at ${target}`;
    try {
      const attached = (
        await organizations.send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: SCP_TYPE }))
      ).Policies;
      const count = attached?.length ?? 0;
      const mine = attached?.filter((p) => p.Id && ownIds.has(p.Id)).length ?? 0;
      const free = SCPS_PER_TARGET - count;
      if (free <= 0 && mine === 0) {
        checks.push(
          fail(
            name,
            `${target} has ${count} SCPs attached, the most AWS allows: keyless cannot attach its policy`,
            `Detach an SCP ${target} no longer needs, or name other targets in KEYLESS_SESSION_CUT_TARGETS.`,
          ),
        );
      } else if (free <= 1) {
        checks.push(
          warn(
            name,
            `${target} has ${count} of ${SCPS_PER_TARGET} SCPs attached (${mine} of them keyless's): one more policy and it is full`,
            'Keep a free slot for keyless: many revocations at once need a second policy.',
          ),
        );
      } else {
        checks.push(ok(name, `${count} of ${SCPS_PER_TARGET} SCPs attached (${mine} of them keyless's)`));
      }
    } catch (error) {
      checks.push(
        fail(name, describeError(error), 'Check the id in KEYLESS_SESSION_CUT_TARGETS (the root r-… or an OU ou-…).'),
      );
    }
  }

  checks.push(
    warn(
      'session cut: management account',
      `SCPs never apply to the management account${managementAccountId ? ` (${managementAccountId})` : ''}: its sessions are not ended when a grant is revoked`,
      'Grant nothing in the management account through keyless, or keep its permission sets’ session duration at most the shortest grant.',
    ),
  );
  return checks;
}

// ---------------------------------------------------------------------------------- DynamoDB

async function tableChecks(config: KeylessConfig, region: string): Promise<Check[]> {
  const dynamo = new DynamoDBClient({ region });
  try {
    const table = await checkTable(dynamo, config.table).then(
      () => ok('DynamoDB table', `${config.table} has the key schema and the index keyless needs`),
      (error: unknown) =>
        fail(
          'DynamoDB table',
          describeError(error),
          `Point KEYLESS_TABLE at keyless's table, or create it: npm run table -- create --table ${config.table} (or deploy manifest/aws/table.yml).`,
        ),
    );
    if (table.status === 'fail') return [table];
    const ttlFix = `Turn TTL on for attribute ${TTL_ATTRIBUTE}: aws dynamodb update-time-to-live --table-name ${config.table} --time-to-live-specification Enabled=true,AttributeName=${TTL_ATTRIBUTE}`;
    let ttl: Check;
    try {
      const status = await ttlStatus(dynamo, config.table);
      if (status === 'ENABLED' || status === 'ENABLING') {
        ttl = ok(
          'DynamoDB TTL',
          `${status} on ${TTL_ATTRIBUTE}: closed records are deleted after ${config.retentionDays} days`,
        );
      } else if (status === 'unsupported') {
        ttl = warn('DynamoDB TTL', 'this DynamoDB endpoint has no TTL API: closed records are never deleted', ttlFix);
      } else {
        const detail = `TTL is ${status}${status.includes(' on ') ? ` (keyless writes ${TTL_ATTRIBUTE})` : ''}: closed records are never deleted`;
        // The playground's embedded store has no TTL: only a deployment must have it.
        ttl =
          config.mode === 'production' ? fail('DynamoDB TTL', detail, ttlFix) : warn('DynamoDB TTL', detail, ttlFix);
      }
    } catch (error) {
      ttl = fail('DynamoDB TTL', describeError(error), 'Give keyless’s role dynamodb:DescribeTimeToLive on the table.');
    }
    return [table, ttl];
  } finally {
    dynamo.destroy();
  }
}

// ---------------------------------------------------------------------------------- security feed

async function feedChecks(
  config: KeylessConfig,
  region: string,
  identity: IdentityCenter,
  sts: AwsSts,
): Promise<Check[]> {
  const checks: Check[] = [];
  const { queueUrl, eventBridgeSecret } = config.alerts;
  if (queueUrl) checks.push(await queueCheck(queueUrl, region));
  if (eventBridgeSecret) {
    checks.push(
      eventBridgeSecret.length >= 32
        ? ok('EventBridge secret', `set (${eventBridgeSecret.length} characters): POST /alerts/eventbridge is served`)
        : warn(
            'EventBridge secret',
            `set, but only ${eventBridgeSecret.length} characters long`,
            'Use a random secret of at least 32 characters (openssl rand -hex 32) in KEYLESS_ALERTS_EVENTBRIDGE_SECRET and the API destination’s connection.',
          ),
    );
  } else if (queueUrl) {
    checks.push(ok('EventBridge secret', 'not set: root activity arrives through the queue only'));
  } else if (config.mode === 'production') {
    checks.push(
      fail(
        'EventBridge secret',
        'keyless receives no root activity: neither KEYLESS_ROOT_EVENTS_QUEUE_URL nor KEYLESS_ALERTS_EVENTBRIDGE_SECRET is set',
        'Set KEYLESS_ROOT_EVENTS_QUEUE_URL to the RootEventsQueueUrl output of manifest/aws/template.yml, or KEYLESS_ALERTS_EVENTBRIDGE_SECRET to the header value of your EventBridge API destination (x-keyless-eventbridge-secret).',
      ),
    );
  }
  checks.push(await organizationTrailCheck());
  checks.push(await memberRolesCheck(config, identity, sts));
  return checks;
}

const TRAIL_CHECK = 'CloudTrail organization trail';
const CREATE_TRAIL =
  'create an organization trail that logs management events in all Regions, from the management account: aws cloudtrail create-trail --name organization-trail --s3-bucket-name <bucket> --is-organization-trail --is-multi-region-trail, then aws cloudtrail start-logging --name organization-trail';

/** What an organization trail lacks for root activity to reach EventBridge from every account. */
function trailShortfalls(t: Trail, logging: boolean | undefined): string[] {
  return [
    ...(t.IsOrganizationTrail ? [] : ['not an organization trail (member accounts are not logged)']),
    ...(t.IsMultiRegionTrail ? [] : [`single-Region (${t.HomeRegion ?? '?'} only)`]),
    ...(logging === false ? ['not logging'] : []),
  ];
}

/**
 * Root activity of the member accounts reaches EventBridge (and keyless) only when CloudTrail logs
 * management events in every account and every Region: an organization trail, multi-Region, logging.
 * CloudTrail is asked in AWS_REGION, where a multi-Region trail of another Region shows as a shadow
 * trail (its status asked by ARN, as CloudTrail requires). keyless's own role may not read CloudTrail
 * (manifest/aws/iam-policy.json grants it nothing there): doctor then only warns.
 */
async function organizationTrailCheck(): Promise<Check> {
  const cloudTrail = new CloudTrailClient({});
  const denied = (error: unknown, action: string): Check | undefined => {
    const code = (error as { name?: string }).name ?? '';
    if (!/AccessDenied|UnauthorizedOperation|NotAuthorized/.test(code)) return undefined;
    return warn(
      TRAIL_CHECK,
      `the credentials doctor runs with may not call ${action} (${code}), so the organization trail is not checked`,
      'Run doctor with credentials that may cloudtrail:DescribeTrails and cloudtrail:GetTrailStatus (an operator’s read-only role, e.g. the SecurityAudit policy); keyless’s own role does not need them and manifest/aws/iam-policy.json does not grant them. Or check by hand: aws cloudtrail describe-trails, then aws cloudtrail get-trail-status --name <trail ARN> (an organization trail, multi-Region, IsLogging true).',
    );
  };
  try {
    let trails: Trail[];
    try {
      trails = (await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
    } catch (error) {
      return (
        denied(error, 'cloudtrail:DescribeTrails') ??
        fail(
          TRAIL_CHECK,
          `cannot list the trails: ${describeError(error)}`,
          `Check AWS_REGION and the credentials, or ${CREATE_TRAIL}.`,
        )
      );
    }
    if (trails.length === 0) {
      return fail(
        TRAIL_CHECK,
        'no CloudTrail trail: root activity is not logged, so EventBridge never sends it to keyless',
        `Create one: ${CREATE_TRAIL}.`,
      );
    }
    // The candidates, organization trails first, then multi-Region ones.
    const rank = (t: Trail) => (t.IsOrganizationTrail ? 2 : 0) + (t.IsMultiRegionTrail ? 1 : 0);
    const candidates = [...trails].sort((a, b) => rank(b) - rank(a));
    const seen: { trail: Trail; logging: boolean | undefined }[] = [];
    for (const trail of candidates) {
      let logging: boolean | undefined;
      if (trail.IsOrganizationTrail && trail.IsMultiRegionTrail) {
        try {
          const status = await cloudTrail.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name }));
          logging = status.IsLogging === true;
        } catch (error) {
          const refused = denied(error, 'cloudtrail:GetTrailStatus');
          if (refused) return refused;
          throw error;
        }
        if (logging) {
          return ok(
            TRAIL_CHECK,
            `${trail.Name ?? '?'} (${trail.TrailARN ?? '?'}): an organization trail, in all Regions, logging`,
          );
        }
      }
      seen.push({ trail, logging });
    }
    const best = seen[0]!;
    const name = best.trail.Name ?? '<trail>';
    const detail = `no organization trail logs management events in all Regions, so root activity of the member accounts never reaches EventBridge: ${seen
      .map((s) => `${s.trail.Name ?? '?'} is ${trailShortfalls(s.trail, s.logging).join(', ')}`)
      .join('; ')}`;
    const fix = !best.trail.IsOrganizationTrail
      ? `From the management account, make ${name} an organization trail (aws cloudtrail update-trail --name ${name} --is-organization-trail --is-multi-region-trail, then aws cloudtrail start-logging --name ${name}), or ${CREATE_TRAIL}.`
      : !best.trail.IsMultiRegionTrail
        ? `Make it log in all Regions: aws cloudtrail update-trail --name ${name} --is-multi-region-trail${best.logging === false ? `, then aws cloudtrail start-logging --name ${name}` : ''}.`
        : `Start it: aws cloudtrail start-logging --name ${best.trail.TrailARN ?? name}.`;
    return fail(TRAIL_CHECK, detail, fix);
  } catch (error) {
    return fail(
      TRAIL_CHECK,
      describeError(error),
      `Check the organization trail by hand (aws cloudtrail describe-trails), or ${CREATE_TRAIL}.`,
    );
  } finally {
    cloudTrail.destroy();
  }
}

/** The root-activity queue exists, and sends what keyless cannot handle to a dead-letter queue that exists. */
async function queueCheck(queueUrl: string, region: string): Promise<Check> {
  const name = 'root-activity queue';
  const sqs = new SQSClient({ region });
  try {
    const attributes = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'RedrivePolicy'] }),
      )
    ).Attributes;
    const redrive = attributes?.RedrivePolicy
      ? (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string })
      : undefined;
    const dlqFix =
      'Give the queue a redrive policy to a dead-letter queue (manifest/aws/template.yml: RootEventsDeadLetterQueue, maxReceiveCount 5).';
    if (!redrive?.deadLetterTargetArn) {
      return fail(
        name,
        `${queueUrl} has no dead-letter queue: an event keyless cannot handle is retried until SQS drops it after its retention period, unseen`,
        dlqFix,
      );
    }
    // arn:aws:sqs:<region>:<account>:<name>
    const [, , , dlqRegion, dlqAccount, dlqName] = redrive.deadLetterTargetArn.split(':');
    try {
      const dlqClient = dlqRegion && dlqRegion !== region ? new SQSClient({ region: dlqRegion }) : sqs;
      await dlqClient.send(
        new GetQueueUrlCommand({ QueueName: dlqName, ...(dlqAccount ? { QueueOwnerAWSAccountId: dlqAccount } : {}) }),
      );
      if (dlqClient !== sqs) dlqClient.destroy();
    } catch (error) {
      if ((error as { name?: string }).name === 'QueueDoesNotExist' || /NonExistentQueue/.test(String(error))) {
        return fail(name, `its dead-letter queue ${redrive.deadLetterTargetArn} does not exist`, dlqFix);
      }
      throw error;
    }
    return ok(
      name,
      `${attributes?.QueueArn ?? queueUrl}, dead-letter queue ${dlqName} after ${redrive.maxReceiveCount ?? '?'} receives`,
    );
  } catch (error) {
    const code = (error as { name?: string }).name ?? '';
    if (/AccessDenied/.test(code)) {
      // keyless's own role (manifest/aws) may only receive and delete: doctor cannot look further.
      return warn(
        name,
        `${queueUrl}: the credentials doctor runs with may not read the queue's attributes (${code}), so its dead-letter queue is not checked`,
        'Run doctor with credentials that may sqs:GetQueueAttributes and sqs:GetQueueUrl (an operator’s read-only role), or check by hand: aws sqs get-queue-attributes --queue-url <url> --attribute-names RedrivePolicy',
      );
    }
    return fail(
      name,
      `${queueUrl}: ${describeError(error)}`,
      code === 'QueueDoesNotExist' || /NonExistentQueue/.test(code)
        ? 'Set KEYLESS_ROOT_EVENTS_QUEUE_URL to the RootEventsQueueUrl output of manifest/aws/template.yml.'
        : 'Give keyless’s role sqs:GetQueueAttributes on the queue and sqs:GetQueueUrl on its dead-letter queue.',
    );
  } finally {
    sqs.destroy();
  }
}

/**
 * The member-account roles (manifest/aws/member-roles.yml) are assumed as the scanner assumes them:
 * the audit role and the remediation role in every account, WITH the configured ExternalId. AWS
 * answers a missing role, a trust policy without keyless's role and a wrong or missing ExternalId
 * alike (AccessDenied), so the detail lists what to compare.
 */
async function memberRolesCheck(config: KeylessConfig, identity: IdentityCenter, sts: AwsSts): Promise<Check> {
  const name = 'member-account roles';
  const { auditRole, remediationRole, externalId } = config.alerts;
  let accounts: { id: string; name: string }[];
  try {
    accounts = await identity.listAccounts();
  } catch (error) {
    return fail(
      name,
      `cannot list the organization's accounts (${describeError(error)})`,
      'Give keyless’s role organizations:ListAccounts (manifest/aws/iam-policy.json).',
    );
  }
  const roles = [auditRole, remediationRole];
  const attempts = accounts.flatMap((a) => roles.map((role) => ({ account: a, role })));
  const refused = (
    await mapLimit(attempts, 8, async ({ account, role }) => {
      try {
        await sts.assumeRole(account.id, role, externalId, 'keyless-doctor');
        return undefined;
      } catch (error) {
        return { account, role, why: isKeylessError(error) ? error.code : describeError(error) };
      }
    })
  ).filter((r) => r !== undefined);
  const withId = externalId
    ? 'with the configured ExternalId'
    : 'with NO ExternalId (KEYLESS_MEMBER_ROLE_EXTERNAL_ID unset)';
  if (refused.length === 0) {
    const detail = `${roles.join(' and ')} assumed in all ${accounts.length} accounts ${withId}`;
    return externalId || config.mode !== 'production'
      ? ok(name, detail)
      : warn(
          name,
          `${detail}: the roles trust keyless without an ExternalId condition`,
          'Deploy manifest/aws/member-roles.yml with an ExternalId and set the same value in KEYLESS_MEMBER_ROLE_EXTERNAL_ID.',
        );
  }
  const shown = refused
    .slice(0, 10)
    .map((r) => `${r.role} in ${r.account.name} (${r.account.id})`)
    .join(', ');
  return fail(
    name,
    `sts:AssumeRole ${withId} was refused for ${refused.length} of ${attempts.length}: ${shown}${refused.length > 10 ? ', …' : ''}`,
    `Deploy manifest/aws/member-roles.yml in those accounts (a StackSet over the organization) trusting keyless’s role, with its ExternalId parameter equal to KEYLESS_MEMBER_ROLE_EXTERNAL_ID${externalId ? '' : ' (set it: keyless sends none)'}; AWS answers AccessDenied alike for a missing role, another trusted principal, and a wrong or missing ExternalId.`,
  );
}

/** The Region keyless runs in, as the SDK resolves it (AWS_REGION, the profile): the lookups read there and in us-east-1. */
async function runningRegion(): Promise<string> {
  const client = new CloudTrailClient({});
  try {
    return await client.config.region();
  } catch {
    return 'us-east-1';
  } finally {
    client.destroy();
  }
}

/**
 * Each ended grant's activity is read from CloudTrail's event history through the member audit
 * role (adapters/aws/cloudtrail): the role is assumed in every account as keyless assumes it, and
 * asked one `cloudtrail:LookupEvents` (one event, the last minute) in each Region keyless reads.
 * LookupEvents has no dry run; this one read is harmless and within CloudTrail's 2 per second.
 * An account where the role itself cannot be assumed is left to the member-account roles check.
 */
export async function activityLookupCheck(
  config: KeylessConfig,
  identity: Pick<IdentityCenter, 'listAccounts'>,
  sts: Pick<AwsSts, 'assumeRole'>,
  region: string,
  now = Date.now(),
): Promise<Check> {
  const name = 'CloudTrail activity';
  if (!config.activity.enabled) {
    return ok(name, 'off (KEYLESS_ACTIVITY=off): ended grants get no activity summary');
  }
  const { auditRole, externalId } = config.alerts;
  let accounts: { id: string; name: string }[];
  try {
    accounts = await identity.listAccounts();
  } catch (error) {
    return fail(
      name,
      `cannot list the organization's accounts (${describeError(error)})`,
      'Give keyless’s role organizations:ListAccounts (manifest/aws/iam-policy.json).',
    );
  }
  const regions = activityRegions(region);
  const results = await mapLimit(accounts, 8, async (account) => {
    let credentials: Awaited<ReturnType<AwsSts['assumeRole']>>;
    try {
      credentials = await sts.assumeRole(account.id, auditRole, externalId, 'keyless-doctor');
    } catch {
      return { account, reached: false, refused: [] as string[] };
    }
    const refused: string[] = [];
    for (const r of regions) {
      const client = new CloudTrailClient({ region: r, credentials });
      try {
        await client.send(
          new LookupEventsCommand({ MaxResults: 1, StartTime: new Date(now - 60_000), EndTime: new Date(now) }),
        );
      } catch (error) {
        refused.push(`${r}: ${(error as { name?: string }).name ?? 'Error'}`);
      } finally {
        client.destroy();
      }
    }
    return { account, reached: true, refused };
  });
  const reached = results.filter((r) => r.reached);
  const unreached = results.length - reached.length;
  const refused = reached.filter((r) => r.refused.length > 0);
  const notReached = unreached > 0 ? `; ${unreached} not reached (the member-account roles check names them)` : '';
  if (refused.length === 0) {
    return ok(
      name,
      reached.length === 0
        ? `not checked: ${auditRole} could not be assumed in any account (the member-account roles check says why)`
        : `${auditRole} may cloudtrail:LookupEvents in ${reached.length === accounts.length ? 'all ' : ''}${reached.length} accounts (${regions.join(', ')})${notReached}`,
    );
  }
  const shown = refused
    .slice(0, 10)
    .map((r) => `${r.account.name} (${r.account.id}) ${r.refused.join(', ')}`)
    .join('; ');
  return fail(
    name,
    `cloudtrail:LookupEvents through ${auditRole} was refused in ${refused.length} of ${reached.length} accounts: ${shown}${refused.length > 10 ? '; …' : ''}${notReached}. Ended grants there get a summary that says CloudTrail could not be read`,
    `Allow cloudtrail:LookupEvents (Resource "*": it has no resource) to ${auditRole} in those accounts: redeploy manifest/aws/member-roles.yml (statement EventHistoryOfEndedGrantsHasNoResource) or the CDK member stack over the organization, and check that no SCP denies it; or set KEYLESS_ACTIVITY=off to go without activity summaries.`,
  );
}

// ---------------------------------------------------------------------------------- Slack

async function slackCall(
  apiUrl: string,
  method: string,
  token: string,
  args: Record<string, string>,
  timeoutMs: number,
): Promise<{ body: { ok: boolean; error?: string; needed?: string } & Record<string, unknown>; headers: Headers }> {
  const response = await fetch(new URL(method, apiUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(args).toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { ok: boolean; error?: string } & Record<string, unknown>;
  return { body, headers: response.headers };
}

const unreachable = (name: string, host: string, error: unknown): Check =>
  fail(name, `${host} cannot be reached (${(error as Error).message})`, `keyless needs outbound HTTPS to ${host}.`);

export interface SlackCheckOptions {
  channels?: { approvals?: string; security?: string };
  allowedTeamIds?: string[] | undefined;
  /** Production: a missing workspace allow-list fails. */
  requireAllowList?: boolean;
  timeoutMs?: number;
  /** KEYLESS_AUDITORS' Slack user groups (`subteam:S…`, `@handle`): each must exist and be readable. */
  auditorGroups?: readonly string[];
}

/**
 * Slack: the bot token works (auth.test); it was granted every scope the code needs (the
 * `x-oauth-scopes` header); the bot is a member of the approvals and security channels
 * (conversations.info `is_member`: channels:read for a public channel, groups:read for a private
 * one, where a channel the bot is not in is channel_not_found); the workspace allow-list has the
 * workspace keyless is installed in.
 */
export async function slackChecks(
  botToken: string,
  apiUrl = SLACK_API,
  options: SlackCheckOptions = {},
): Promise<Check[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let auth: Awaited<ReturnType<typeof slackCall>>;
  try {
    auth = await slackCall(apiUrl, 'auth.test', botToken, {}, timeoutMs);
  } catch (error) {
    return [unreachable('Slack', 'slack.com', error)];
  }
  if (!auth.body.ok) {
    return [
      fail(
        'Slack',
        `auth.test answered ${auth.body.error ?? 'an error'}`,
        'Check SLACK_BOT_TOKEN (Bot User OAuth Token, xoxb-…) and that the app is installed.',
      ),
    ];
  }
  const teamId = typeof auth.body.team_id === 'string' ? auth.body.team_id : undefined;
  const checks: Check[] = [
    ok(
      'Slack',
      `signed in as ${String(auth.body.user ?? 'the bot')} in ${String(auth.body.team ?? 'the workspace')}${teamId ? ` (${teamId})` : ''}`,
    ),
  ];
  const granted = new Set(
    (auth.headers.get('x-oauth-scopes') ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  const missing = requiredBotScopes().filter((scope) => !granted.has(scope));
  checks.push(
    missing.length
      ? fail(
          'Slack scopes',
          `missing ${missing.join(', ')}`,
          'Add them to the app (or recreate it from manifest/slack/manifest.yml) and reinstall it to the workspace (README, "Connect Slack").',
        )
      : ok('Slack scopes', `all ${requiredBotScopes().length} that keyless needs are granted`),
  );

  for (const [role, channel] of Object.entries(options.channels ?? {})) {
    if (!channel) continue;
    checks.push(await slackChannelCheck(apiUrl, botToken, role, channel, timeoutMs));
  }
  for (const entry of options.auditorGroups ?? []) {
    checks.push(await slackAuditorGroupCheck(apiUrl, botToken, entry, timeoutMs));
  }

  const list = options.allowedTeamIds ?? [];
  const name = 'Slack workspace allow-list';
  const malformed = list.filter((id) => !SLACK_TEAM_ID.test(id));
  if (list.length === 0) {
    if (options.requireAllowList) {
      checks.push(
        fail(
          name,
          'KEYLESS_SLACK_TEAM_IDS is empty: keyless does not say which workspaces it answers',
          `Set KEYLESS_SLACK_TEAM_IDS=${teamId ?? '<team id>'} (the team_id of auth.test).`,
        ),
      );
    }
  } else if (malformed.length) {
    checks.push(
      fail(
        name,
        `not Slack team ids: ${malformed.map((x) => JSON.stringify(x)).join(', ')}`,
        'List team ids (T… or E… for Enterprise Grid), comma-separated, in KEYLESS_SLACK_TEAM_IDS.',
      ),
    );
  } else if (teamId && !list.includes(teamId)) {
    checks.push(
      fail(
        name,
        `the bot's own workspace ${teamId} is not in KEYLESS_SLACK_TEAM_IDS (${list.join(', ')}): keyless would refuse every request from it`,
        `Add ${teamId} to KEYLESS_SLACK_TEAM_IDS.`,
      ),
    );
  } else {
    checks.push(ok(name, `${list.length} workspace(s), the bot's own (${teamId ?? '?'}) among them`));
  }
  return checks;
}

/**
 * One of KEYLESS_AUDITORS' Slack user groups: found (a handle through usergroups.list), enabled, and
 * its members readable with usergroups.users.list. Otherwise its members are refused the audit.
 */
async function slackAuditorGroupCheck(
  apiUrl: string,
  botToken: string,
  entry: string,
  timeoutMs: number,
): Promise<Check> {
  const name = `Slack auditors group ${entry}`;
  const group = parseSlackUserGroup(entry);
  if (!group)
    return fail(name, 'not a Slack user group', 'Write subteam:S0123ABC (its id) or @handle in KEYLESS_AUDITORS.');
  const scopeFix = 'Add usergroups:read to the app (manifest/slack/manifest.yml) and reinstall it.';
  const refused = (method: string, error: string | undefined) =>
    error === 'missing_scope'
      ? fail(name, `${method} needs the usergroups:read scope: its members cannot read the audit`, scopeFix)
      : fail(
          name,
          `${method} answered ${error ?? 'an error'}: its members cannot read the audit`,
          error === 'no_such_subteam'
            ? "Check the id in KEYLESS_AUDITORS (Slack: the group's menu, Copy group ID), and that the group is enabled."
            : error === 'plan_upgrade_required'
              ? 'User groups need a Slack Standard plan or above; list the auditors by email instead.'
              : 'Check the group in Slack and KEYLESS_AUDITORS.',
        );
  try {
    let id = 'id' in group ? group.id : undefined;
    if (!id && 'handle' in group) {
      const { body } = await slackCall(apiUrl, 'usergroups.list', botToken, {}, timeoutMs);
      if (!body.ok) return refused('usergroups.list', body.error);
      const groups = (body.usergroups ?? []) as { id?: string; handle?: string }[];
      id = groups.find((g) => g.handle === group.handle)?.id;
      if (!id) {
        return fail(
          name,
          'no enabled Slack user group has this handle: nobody is an auditor through it',
          'Check the handle in KEYLESS_AUDITORS (without spaces, as after @ in Slack).',
        );
      }
    }
    const { body } = await slackCall(apiUrl, 'usergroups.users.list', botToken, { usergroup: id! }, timeoutMs);
    if (!body.ok) return refused('usergroups.users.list', body.error);
    const members = Array.isArray(body.users) ? body.users.length : 0;
    return ok(name, `${id}: ${members} member(s) may read the audit`);
  } catch (error) {
    return unreachable(name, 'slack.com', error);
  }
}

async function slackChannelCheck(
  apiUrl: string,
  botToken: string,
  role: string,
  channel: string,
  timeoutMs: number,
): Promise<Check> {
  const name = `Slack ${role} channel`;
  const invite = `Invite the bot to it: /invite @keyless in the channel (and check channels.slack.${role} in the policy).`;
  try {
    const { body } = await slackCall(apiUrl, 'conversations.info', botToken, { channel }, timeoutMs);
    if (body.ok) {
      const c = body.channel as { name?: string; is_member?: boolean } | undefined;
      return c?.is_member
        ? ok(name, `#${c.name ?? channel} (${channel}): the bot is a member`)
        : fail(
            name,
            `#${c?.name ?? channel} (${channel}): the bot is not a member, chat.postMessage answers not_in_channel`,
            invite,
          );
    }
    if (body.error === 'missing_scope') {
      return fail(
        name,
        `${channel}: cannot be checked without the ${body.needed ?? 'channels:read or groups:read'} scope`,
        'Add channels:read and groups:read to the app (manifest/slack/manifest.yml) and reinstall it.',
      );
    }
    if (body.error === 'channel_not_found') {
      return fail(name, `${channel}: not found, or a private channel the bot is not in`, invite);
    }
    return fail(name, `${channel}: conversations.info answered ${body.error ?? 'an error'}`, invite);
  } catch (error) {
    return unreachable(name, 'slack.com', error);
  }
}

/**
 * Slack Socket Mode: the app-level token opens connections (apps.connections.open hands out a
 * one-time WebSocket URL, which is left unused and expires).
 */
export async function slackSocketModeCheck(appToken: string, apiUrl = SLACK_API, timeoutMs = 10_000): Promise<Check> {
  const name = 'Slack Socket Mode';
  try {
    const { body } = await slackCall(apiUrl, 'apps.connections.open', appToken, {}, timeoutMs);
    return body.ok
      ? ok(name, 'the app-level token opens connections')
      : fail(
          name,
          `apps.connections.open answered ${body.error ?? 'an error'}`,
          'Check SLACK_APP_TOKEN (an app-level token, xapp-…, with connections:write) and that Socket Mode is on in the app settings.',
        );
  } catch (error) {
    return unreachable(name, 'slack.com', error);
  }
}

// ---------------------------------------------------------------------------------- Teams

export interface TeamsCheckOptions {
  /** botbuilder's ToChannelFromBotLoginUrl (the authority); default from the app type and tenant. */
  loginUrl?: string | undefined;
  /** Production: a missing tenant allow-list fails. */
  production?: boolean;
  timeoutMs?: number;
}

/**
 * Teams: the bot's credentials get a token, asked as botbuilder asks it (client credentials at
 * `<authority>/oauth2/v2.0/token`, scope https://api.botframework.com/.default), so a wrong or
 * expired secret, or an app id from another tenant, shows here and not at the first message; and
 * the tenant allow-list is there, well-formed, with the bot's own tenant.
 */
export async function teamsChecks(
  teams: NonNullable<KeylessConfig['teams']>,
  options: TeamsCheckOptions = {},
): Promise<Check[]> {
  const checks: Check[] = [];
  const name = 'Teams credentials';
  if (!teams.appId) {
    checks.push({
      status: teams.authDisabled ? 'warn' : 'fail',
      name,
      detail: 'no MICROSOFT_APP_ID: activities are not authenticated (local mode only)',
      fix: 'Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (README, "Connect Teams").',
    });
  } else if (!teams.appPassword) {
    checks.push(
      fail(
        name,
        `bot ${teams.appId} has no MICROSOFT_APP_PASSWORD`,
        'Set MICROSOFT_APP_PASSWORD to a client secret of the app registration.',
      ),
    );
  } else {
    checks.push(await teamsTokenCheck(teams, options));
  }

  const list = teams.allowedTenantIds ?? [];
  const listName = 'Teams tenant allow-list';
  const malformed = list.filter((id) => !GUID.test(id));
  if (list.length === 0) {
    if (options.production) {
      checks.push(
        fail(
          listName,
          'KEYLESS_TEAMS_TENANT_IDS is empty: keyless does not say which Microsoft Entra tenants it answers',
          `Set KEYLESS_TEAMS_TENANT_IDS=${teams.tenantId ?? '<your tenant id>'} (Azure portal → Microsoft Entra ID → Overview → Tenant ID).`,
        ),
      );
    }
  } else if (malformed.length) {
    checks.push(
      fail(
        listName,
        `not tenant ids (GUIDs): ${malformed.map((x) => JSON.stringify(x)).join(', ')}`,
        'List tenant ids (GUIDs), comma-separated, in KEYLESS_TEAMS_TENANT_IDS.',
      ),
    );
  } else if (
    teams.appType === 'SingleTenant' &&
    teams.tenantId &&
    !list.some((t) => t.toLowerCase() === teams.tenantId!.toLowerCase())
  ) {
    checks.push(
      fail(
        listName,
        `the bot's own tenant ${teams.tenantId} is not in KEYLESS_TEAMS_TENANT_IDS: keyless would refuse every activity from it`,
        `Add ${teams.tenantId} to KEYLESS_TEAMS_TENANT_IDS.`,
      ),
    );
  } else {
    checks.push(ok(listName, `${list.length} tenant(s)`));
  }
  return checks;
}

async function teamsTokenCheck(teams: NonNullable<KeylessConfig['teams']>, options: TeamsCheckOptions): Promise<Check> {
  const name = 'Teams credentials';
  const tenant = teams.appType === 'SingleTenant' && teams.tenantId ? teams.tenantId : 'botframework.com';
  const authority = (options.loginUrl ?? `${ENTRA}${tenant}`).replace(/\/+$/, '');
  const host = new URL(authority).host;
  let response: Response;
  try {
    response = await fetch(`${authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: teams.appId!,
        client_secret: teams.appPassword!,
        scope: BOT_FRAMEWORK_SCOPE,
      }).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    return unreachable(name, host, error);
  }
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
    error_description?: string;
    error_codes?: number[];
  };
  if (response.ok && body.access_token) {
    return ok(name, `bot ${teams.appId} (${teams.appType}) got a Bot Framework token from ${authority}`);
  }
  // The first sentence of Entra's description (AADSTS code and what it means), never the secret.
  const why = (body.error_description ?? body.error ?? `HTTP ${response.status}`).split(/(?<=\.)\s/)[0];
  const code = body.error_codes?.[0];
  const fix =
    code === 7000215
      ? `MICROSOFT_APP_PASSWORD is not a valid client secret of app ${teams.appId}: create a new secret (Azure portal → App registrations → Certificates & secrets) and use its Value, not its ID.`
      : code === 700016
        ? `App ${teams.appId} is not registered in tenant ${tenant}: check MICROSOFT_APP_ID, MICROSOFT_APP_TYPE and MICROSOFT_APP_TENANT_ID (a SingleTenant bot asks its own tenant).`
        : 'Check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TYPE and MICROSOFT_APP_TENANT_ID against the bot’s app registration (README, "Connect Teams").';
  return fail(name, `the token request for bot ${teams.appId} at ${authority} was refused: ${why}`, fix);
}

// ---------------------------------------------------------------------------------- output

/** The report for people: one line per check, the fix under each warning and failure, a verdict. */
export function renderText(doctor: DoctorReport): string {
  const mark = { ok: '✔', warn: '!', fail: '✖' } as const;
  const lines = doctor.checks.map(
    (c) => `${mark[c.status]} ${c.name}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`,
  );
  const { fail: failed, warn: warned } = doctor.counts;
  lines.push(
    '',
    failed
      ? `${failed} problem(s) to fix${warned ? `, ${warned} warning(s)` : ''}.`
      : warned
        ? `No problem; ${warned} warning(s).`
        : 'All checks passed.',
  );
  return lines.join('\n');
}

/** The report for pipelines: one JSON document. */
export function renderJson(doctor: DoctorReport): string {
  return JSON.stringify(doctor, null, 2);
}

/** The exit code of `keyless doctor`: 1 when any check failed. */
export function exitCode(doctor: DoctorReport): number {
  return doctor.ok ? 0 : 1;
}
