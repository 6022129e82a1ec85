import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { LineCounter, Parser, parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { isSlackUserGroupEntry, parseSlackUserGroup } from '../slack/usergroup-ref';
import {
  DURATION_FORMS,
  ErrorCodes,
  KeylessError,
  checkSpan,
  defaultActivityOptions,
  formatDuration,
  formatIssues,
  isKeylessError,
  parsePolicy,
  policyOnCallRefs,
  type Policy,
} from '../../src';
import {
  fileVersion,
  openPolicySource,
  parsePolicyLocation,
  policyLocationName,
  type PolicyLocation,
} from './policy-source';

export const PLAYGROUND_POLICY = join(__dirname, '..', 'local', 'playground', 'policy.yaml');

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);
/** sts:AssumeRole's ExternalId: 2–1224 characters of [\w+=,.@:/-]. */
const externalId = z
  .string()
  .min(2)
  .max(1224)
  .regex(/^[\w+=,.@:/-]+$/, 'must be 2–1224 characters of letters, digits and +=,.@:/-');

/**
 * The ExternalId of the playground: the local AWS emulator's demo organization requires it on every
 * AssumeRole into its member accounts (demo-seed.yaml, memberRoles.externalId), as member-roles.yml does.
 */
export const LOCAL_MEMBER_ROLE_EXTERNAL_ID = 'keyless-playground';

/**
 * What local mode serves when nothing else is set: the loopback Slack workspace's team, the loopback
 * Teams connector's tenant, and the demo organization's SCIM issuer. The production start path loads
 * no local code, so they are written here; a test checks they equal the loopback services' own.
 */
export const LOCAL_SLACK_TEAM_ID = 'T0KEYLESS';
export const LOCAL_TEAMS_TENANT_ID = 'tenant-local';
export const DEMO_EXTERNAL_ID_ISSUER = 'https://scim.aws.com/keyless-demo';
/** The demo organization's root (the local AWS emulator's demo-seed.yaml), where local mode attaches its SCPs. */
export const LOCAL_ORGANIZATION_ROOT_ID = 'r-ab12';
/** The names of keyless's service control policies start with this unless KEYLESS_SESSION_CUT_PREFIX says otherwise. */
export const DEFAULT_SESSION_CUT_PREFIX = 'keyless-session-cut';

/** A comma-separated list: entries trimmed, empty ones dropped, duplicates removed, each checked. */
function idList(entry: z.ZodType<string>, what: string, aWhat: string) {
  return z
    .string()
    .transform((text) => [...new Set(text.split(',').map((t) => t.trim()))].filter(Boolean))
    .superRefine((ids, ctx) => {
      if (ids.length === 0) ctx.addIssue({ code: 'custom', message: `must list at least one ${what}` });
      for (const id of ids) {
        if (!entry.safeParse(id).success) {
          ctx.addIssue({ code: 'custom', message: `"${id.slice(0, 60)}" is not ${aWhat}` });
        }
      }
    });
}

/** A Slack workspace (team) id `T…` or an Enterprise Grid organization id `E…`. */
const slackTeamOrEnterpriseId = z.string().regex(/^[TE][A-Z0-9]{2,}$/);

/** The shortest and longest reconcile interval: `0s` would run reconciles back to back. */
export const RECONCILE_BOUNDS = { minSeconds: 60, maxSeconds: 24 * 3600 };
/** How often the policy may be looked at again (0, never, is written apart). */
export const POLICY_RELOAD_BOUNDS = { minSeconds: 5, maxSeconds: 24 * 3600 };

/** When a grant's early activity lookup may run after its end (CloudTrail delivers most events within 5 minutes). */
export const ACTIVITY_FIRST_BOUNDS = { minSeconds: 60, maxSeconds: 6 * 3600 };
/** When its final lookup may run after its end (CloudTrail's event history keeps 90 days). */
export const ACTIVITY_FINAL_BOUNDS = { minSeconds: 120, maxSeconds: 24 * 3600 };

/**
 * A duration setting, read by the domain's one duration reader (the same forms as the policy file
 * and chat), in milliseconds. Anything else is a problem naming the variable and the accepted forms.
 */
function spanMs(bounds: { minSeconds: number; maxSeconds: number }) {
  return z.string().transform((value, ctx) => {
    const checked = checkSpan(value, bounds);
    if (!checked.ok) {
      ctx.addIssue({ code: 'custom', message: checked.problem });
      return z.NEVER;
    }
    return checked.seconds * 1000;
  });
}

/**
 * Every setting keyless reads from the environment (README, "Configuration reference").
 * AWS settings are the SDK's own (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>):
 * keyless passes nothing of its own to the SDK's endpoint resolution.
 */
export const envSchema = z.object({
  KEYLESS_MODE: z
    .enum(['local', 'production'])
    .optional()
    .describe(
      'local: the playground on 127.0.0.1; production: real Slack/Teams/AWS. Default: local when no chat credentials are set.',
    ),
  KEYLESS_POLICY: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where the policy YAML is: a file path, ssm:/parameter/name (SSM GetParameter, decrypted) or s3://bucket/key. Default: the playground policy in local mode; required in production.',
    ),
  KEYLESS_POLICY_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('Path of the policy YAML (the older spelling of KEYLESS_POLICY with a file path).'),
  KEYLESS_POLICY_RELOAD_EVERY: z
    .string()
    .transform((value, ctx) => {
      if (value.trim() === '0') return 0;
      const checked = checkSpan(value, POLICY_RELOAD_BOUNDS);
      if (!checked.ok) {
        ctx.addIssue({ code: 'custom', message: `${checked.problem} (or 0: never reload)` });
        return z.NEVER;
      }
      return checked.seconds * 1000;
    })
    .optional()
    .describe(
      `How often keyless looks for a changed policy (file content, SSM version, S3 ETag), between 5s and 1d: ${DURATION_FORMS}. Default 60s; 0 never.`,
    ),
  KEYLESS_HOST: z
    .string()
    .min(1)
    .optional()
    .describe('Address to listen on. Default 127.0.0.1 (local) or 0.0.0.0 (production).'),
  KEYLESS_PORT: port.default(3000).describe('HTTP port for /slack/events, /api/messages, /healthz, /readyz, /metrics.'),
  KEYLESS_TABLE: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')
    .default('keyless'),
  KEYLESS_DATA_DIR: z
    .string()
    .min(1)
    .default('.keyless')
    .describe('Local mode: where the embedded DynamoDB keeps its files.'),
  KEYLESS_REPLICA_ID: z
    .string()
    .min(1)
    .optional()
    .describe('This replica’s name in revocation leases. Default: host name and process id.'),
  KEYLESS_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(400)
    .describe('Closed records are deleted by DynamoDB TTL after this many days.'),
  KEYLESS_AUDIT_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .optional()
    .describe(
      'The audit archive: every audit event is also written to this S3 bucket as JSON lines (audit/dt=YYYY-MM-DD/…), for Athena. Unset: no archive.',
    ),
  KEYLESS_AUDIT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()/-]{1,200}$/, 'must be an S3 key prefix')
    .default('audit')
    .describe('The key prefix of the audit archive in KEYLESS_AUDIT_BUCKET.'),
  KEYLESS_AUDIT_EVERY: z.coerce
    .number()
    .int()
    .min(200)
    .max(600_000)
    .default(2000)
    .describe(
      'Milliseconds between two passes of the audit pump (indexing and archive upload) when it has no backlog.',
    ),
  KEYLESS_AUDITORS: z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      for (const entry of (text ?? '').split(',').map((a) => a.trim())) {
        if (isSlackUserGroupEntry(entry) && !parseSlackUserGroup(entry)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry.slice(0, 60)}" is not a Slack user group: write subteam:S0123ABC (its id) or @handle`,
          });
        }
      }
    })
    .describe(
      'Who may read the audit in chat (/aws-access audit): verified emails and Slack user groups (subteam:S0123ABC or @security-auditors, resolved with usergroups.list/usergroups.users.list, scope usergroups:read), comma-separated. Unset: nobody (the CLI `keyless audit` still works with table access).',
    ),
  KEYLESS_AUDIT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('Days the audit index keeps an event (DynamoDB TTL). Default: KEYLESS_RETENTION_DAYS.'),
  KEYLESS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KEYLESS_AWS_TPS: z.coerce
    .number()
    .positive()
    .max(100)
    .default(15)
    .describe('Identity Center calls per second (AWS shares about 20 TPS across the instance).'),
  KEYLESS_AWS_MAX_OUTSTANDING: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(8)
    .describe('Assignment operations in flight at once (AWS allows about 10).'),
  KEYLESS_SWEEP_MS: z.coerce.number().int().min(200).max(60_000).default(2000),
  SLACK_SIGNING_SECRET: z.string().min(10).optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token (xoxb-…)')
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
    .optional()
    .describe('Set it to use Socket Mode instead of HTTP.'),
  MICROSOFT_APP_ID: z.uuid().optional(),
  MICROSOFT_APP_PASSWORD: z.string().min(1).optional(),
  MICROSOFT_APP_TENANT_ID: z
    .guid('must be the Entra ID tenant id (a GUID)')
    .optional()
    .describe('The bot registration’s home tenant; required for SingleTenant (the default).'),
  MICROSOFT_APP_TYPE: z
    .enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI'])
    .default('SingleTenant')
    .describe('The bot registration’s app type. Default SingleTenant: only the home tenant can get tokens for it.'),
  KEYLESS_SLACK_TEAM_IDS: idList(
    slackTeamOrEnterpriseId,
    'Slack team id (T…) or enterprise id (E…)',
    'a Slack team id (T…) or enterprise id (E…)',
  )
    .optional()
    .describe(
      'Comma-separated Slack workspace ids (T…) and/or Enterprise Grid ids (E…) keyless serves; every other request is refused. Required with Slack outside local mode.',
    ),
  KEYLESS_TEAMS_TENANT_IDS: idList(z.guid(), 'Entra ID tenant id (a GUID)', 'an Entra ID tenant id (a GUID)')
    .optional()
    .describe(
      'Comma-separated Entra ID tenant ids keyless serves on Teams; every other activity is refused. Required with Teams outside local mode.',
    ),
  KEYLESS_IDENTITY_EXTERNAL_ID_ISSUER: z
    .string()
    .regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,256}$/u, 'must be an identitystore ExternalId issuer (1–256 characters)')
    .optional()
    .describe(
      'The Issuer of the ExternalIds that SCIM provisioning from Entra ID gives Identity Center users (aws identitystore describe-user shows it). Set: Teams users are found by their Entra object id first. Default: the demo issuer in local mode, unset in production (email only).',
    ),
  KEYLESS_RECONCILE_EVERY: spanMs(RECONCILE_BOUNDS)
    .optional()
    .describe(
      `How often to compare Identity Center with the grants, between 1m and 1d: ${DURATION_FORMS}. Default 15m.`,
    ),
  KEYLESS_PAGERDUTY_TOKEN: z
    .string()
    .min(8, 'must be a PagerDuty REST API key')
    .regex(/^\S+$/, 'must be a PagerDuty REST API key (no spaces)')
    .optional()
    .describe(
      "PagerDuty REST API key (read-only is enough; secret, never logged): who is on call for the policy's on-call approvers and autoApprove.whenOnCall. Required in production when the policy names a pagerduty: schedule (local mode: the playground's loopback PagerDuty has a token of its own).",
    ),
  KEYLESS_PAGERDUTY_API_URL: z
    .url()
    .optional()
    .describe(
      'Base URL of the PagerDuty REST API. Default https://api.pagerduty.com; set only for a loopback PagerDuty (tests, the playground) or https://api.eu.pagerduty.com.',
    ),
  KEYLESS_ROOT_EVENTS_QUEUE_URL: z
    .url()
    .optional()
    .describe(
      'The SQS queue that EventBridge fills with root activity (manifest/aws/template.yml); unset: no queue consumer.',
    ),
  KEYLESS_ALERTS_EVENTBRIDGE_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'Shared secret of the EventBridge API destination (header x-keyless-eventbridge-secret); set: POST /alerts/eventbridge is served.',
    ),
  KEYLESS_ALERTS_AUDIT_ROLE: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')
    .default('keyless-scanner')
    .describe('The read-only audit role keyless assumes in member accounts for key scans (member-roles.yml).'),
  KEYLESS_ALERTS_REMEDIATION_ROLE: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')
    .default('keyless-key-remediation')
    .describe('The role keyless assumes in member accounts to deactivate an approved key (UpdateAccessKey only).'),
  KEYLESS_MEMBER_ROLE_EXTERNAL_ID: externalId
    .optional()
    .describe(
      'The ExternalId sent with every sts:AssumeRole into member accounts (member-roles.yml parameter ExternalId). Required in production.',
    ),
  KEYLESS_ALERTS_EXTERNAL_ID: externalId
    .optional()
    .describe('The older name of KEYLESS_MEMBER_ROLE_EXTERNAL_ID (used when that one is unset).'),
  KEYLESS_ALERTS_TPS_PER_ACCOUNT: z.coerce
    .number()
    .positive()
    .max(50)
    .default(5)
    .describe('IAM calls per second per member account during scans.'),
  KEYLESS_ALERTS_SCAN_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(16)
    .describe('Member accounts scanned at once.'),
  KEYLESS_ALERTS_EXPECTED_REGIONS: idList(
    z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
    'AWS Region',
    'an AWS Region name (for example eu-west-1)',
  )
    .optional()
    .describe(
      'Comma-separated Regions whose root-activity heartbeat must arrive; a Region silent for a day raises "region silent" (the detector is blind there). The stacks set the Regions they forward. Default: none checked.',
    ),
  KEYLESS_SESSION_CUT: z
    .enum(['on', 'off'])
    .default('off')
    .describe(
      'on: when a grant is revoked or ended early, keyless also ends its live AWS sessions with a service control policy of its own (README "Security model"). Needs SCPs enabled and the stack parameter EnableSessionCut. Default: off.',
    ),
  KEYLESS_SESSION_CUT_TARGETS: idList(
    z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/),
    'root or OU id',
    'an organization root id (r-…) or OU id (ou-…-…)',
  )
    .optional()
    .describe(
      'Comma-separated roots (r-…) or OUs (ou-…) keyless attaches its session-cut policies to: the root, or every OU above the accounts keyless governs. Required when KEYLESS_SESSION_CUT=on in production.',
    ),
  KEYLESS_SESSION_CUT_PREFIX: z
    .string()
    .regex(/^[\w+=,.@-]{1,100}$/, 'must be 1–100 characters of letters, digits and +=,.@_-')
    .default(DEFAULT_SESSION_CUT_PREFIX)
    .describe(
      "The name prefix of keyless's own service control policies (`<prefix>-<n>`). Default: keyless-session-cut.",
    ),
  KEYLESS_ACTIVITY: z
    .enum(['on', 'off'])
    .default('on')
    .describe(
      'on: when a grant ends, keyless reads its CloudTrail event history through the member audit role (cloudtrail:LookupEvents) and posts what it did; off: no lookups, no summaries. Default: on.',
    ),
  KEYLESS_ACTIVITY_FIRST_AFTER: spanMs(ACTIVITY_FIRST_BOUNDS)
    .optional()
    .describe(
      `How long after a grant ends its early activity summary is looked up (CloudTrail delivers events minutes late), between 1m and 6h: ${DURATION_FORMS}. Default 5m.`,
    ),
  KEYLESS_ACTIVITY_FINAL_AFTER: spanMs(ACTIVITY_FINAL_BOUNDS)
    .optional()
    .describe(
      `How long after a grant ends its final activity summary is looked up, later than KEYLESS_ACTIVITY_FIRST_AFTER, between 2m and 1d: ${DURATION_FORMS}. Default 20m.`,
    ),
  KEYLESS_CREATE_TABLE: bool
    .optional()
    .describe(
      'Create the DynamoDB table at start when it is missing. Default: true in local mode; production only checks it.',
    ),
  KEYLESS_LOCAL_AUTH_DISABLED: bool.optional().describe('Teams: accept unauthenticated activities (local mode only).'),
});

export type KeylessEnv = z.output<typeof envSchema>;

/** Checks across variables, on the raw environment, so that they are reported with every other problem. */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  // Slack: the bot token, and how requests arrive: signed HTTP (signing secret) or Socket Mode (app token).
  if (env.SLACK_SIGNING_SECRET || env.SLACK_BOT_TOKEN || env.SLACK_APP_TOKEN) {
    if (!env.SLACK_BOT_TOKEN) {
      problems.push(
        'SLACK_BOT_TOKEN: Slack needs SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)',
      );
    } else if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      problems.push(
        'SLACK_SIGNING_SECRET: Slack needs both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_APP_TOKEN and SLACK_BOT_TOKEN for Socket Mode)',
      );
    }
  }
  const groups = (env.KEYLESS_AUDITORS ?? '').split(',').filter((a) => isSlackUserGroupEntry(a.trim()));
  if (groups.length > 0 && !env.SLACK_BOT_TOKEN && modeOf(env) === 'production') {
    problems.push(
      `KEYLESS_AUDITORS: names Slack user groups (${groups.map((g) => g.trim().slice(0, 60)).join(', ')}), but Slack is not configured (SLACK_BOT_TOKEN)`,
    );
  }
  const appType = env.MICROSOFT_APP_TYPE ?? 'SingleTenant';
  if (appType === 'UserAssignedMSI') {
    // botbuilder would need a ManagedIdentityServiceClientCredentialsFactory and the Azure instance
    // metadata endpoint, which exists only on Azure compute: keyless signs in with a client secret.
    problems.push(
      'MICROSOFT_APP_TYPE: UserAssignedMSI is not supported: keyless signs in to the Bot Framework with a client secret (MICROSOFT_APP_PASSWORD), and a managed identity works only on Azure compute; register the bot as SingleTenant with a client secret',
    );
  }
  if (env.MICROSOFT_APP_ID && !env.MICROSOFT_APP_PASSWORD && appType !== 'UserAssignedMSI') {
    problems.push('MICROSOFT_APP_PASSWORD: Teams needs MICROSOFT_APP_PASSWORD with MICROSOFT_APP_ID');
  }
  if (appType === 'SingleTenant' && env.MICROSOFT_APP_ID && !env.MICROSOFT_APP_TENANT_ID) {
    problems.push('MICROSOFT_APP_TENANT_ID: a SingleTenant bot needs MICROSOFT_APP_TENANT_ID');
  }
  if (modeOf(env) === 'production') {
    if (!env.KEYLESS_POLICY && !env.KEYLESS_POLICY_FILE) {
      problems.push('KEYLESS_POLICY: production needs a policy (a file path, ssm:/name or s3://bucket/key)');
    }
    if (!env.KEYLESS_MEMBER_ROLE_EXTERNAL_ID && !env.KEYLESS_ALERTS_EXTERNAL_ID) {
      problems.push(
        'KEYLESS_MEMBER_ROLE_EXTERNAL_ID: production needs the ExternalId the member-account roles require (member-roles.yml)',
      );
    }
    if (!env.SLACK_BOT_TOKEN && !env.MICROSOFT_APP_ID) {
      problems.push(
        'SLACK_BOT_TOKEN: production needs Slack (SLACK_BOT_TOKEN) or Teams (MICROSOFT_APP_ID) credentials',
      );
    }
    // Who may use keyless at all: a request from any other workspace or tenant is refused, so that a
    // person elsewhere whose email matches an Identity Center user is never taken for that user.
    if ((env.SLACK_BOT_TOKEN || env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN) && !env.KEYLESS_SLACK_TEAM_IDS) {
      problems.push(
        'KEYLESS_SLACK_TEAM_IDS: production with Slack needs the Slack team ids (T…) and/or Enterprise Grid ids (E…) keyless serves',
      );
    }
    if (env.MICROSOFT_APP_ID && !env.KEYLESS_TEAMS_TENANT_IDS) {
      problems.push('KEYLESS_TEAMS_TENANT_IDS: production with Teams needs the Entra ID tenant ids keyless serves');
    }
    if (env.KEYLESS_SESSION_CUT === 'on' && !env.KEYLESS_SESSION_CUT_TARGETS) {
      problems.push(
        'KEYLESS_SESSION_CUT_TARGETS: KEYLESS_SESSION_CUT=on needs the organization root (r-…) or the OUs (ou-…) to attach the session-cut policies to',
      );
    }
    if (
      env.KEYLESS_PAGERDUTY_API_URL &&
      !/^https:\/\/api(\.eu)?\.pagerduty\.com\/?$/.test(env.KEYLESS_PAGERDUTY_API_URL)
    ) {
      problems.push(
        'KEYLESS_PAGERDUTY_API_URL: production talks to https://api.pagerduty.com or https://api.eu.pagerduty.com only (another URL is for a loopback PagerDuty)',
      );
    }
    if (env.KEYLESS_LOCAL_AUTH_DISABLED === 'true') {
      problems.push('KEYLESS_LOCAL_AUTH_DISABLED: authentication can be disabled in local mode only');
    }
  }
  return problems;
}

function modeOf(env: Record<string, string | undefined>): 'local' | 'production' {
  if (env.KEYLESS_MODE === 'local' || env.KEYLESS_MODE === 'production') return env.KEYLESS_MODE;
  return env.SLACK_BOT_TOKEN || env.MICROSOFT_APP_ID ? 'production' : 'local';
}

export interface KeylessConfig {
  mode: 'local' | 'production';
  host: string;
  port: number;
  table: string;
  dataDir: string;
  replicaId: string;
  retentionDays: number;
  /** The audit pump and index: the S3 archive (when a bucket is set), how often it runs, how long entries stay. */
  audit: {
    bucket?: string;
    prefix: string;
    everyMs: number;
    retentionDays: number;
    /** The auditors' emails (KEYLESS_AUDITORS, lower case). */
    auditors: string[];
    /** The auditors' Slack user groups (KEYLESS_AUDITORS entries `subteam:S…` or `@handle`), as written. */
    auditorGroups?: string[];
  };
  logLevel: KeylessEnv['KEYLESS_LOG_LEVEL'];
  aws: {
    tps: number;
    maxOutstanding: number;
    /** identitystore ExternalId issuer of SCIM-provisioned users; unset: people are found by email only. */
    externalIdIssuer?: string;
  };
  sweepMs: number;
  reconcileEveryMs: number;
  /** Where the policy comes from, as people name it: a file path, `ssm:/name` or `s3://bucket/key`. */
  policyFile: string;
  policyLocation: PolicyLocation;
  /** The version of `policy` (content hash of a file, SSM parameter version, S3 ETag). */
  policyVersion: string;
  /** How often the policy is looked at again (0: never). */
  policyReloadEveryMs: number;
  policy: Policy;
  createTable: boolean;
  /** Ending live AWS sessions of revoked grants (KEYLESS_SESSION_CUT=on); undefined: off. */
  sessionCut?: {
    /** Roots and OUs the policies attach to (KEYLESS_SESSION_CUT_TARGETS). */
    targets: string[];
    /** Policy names are `<prefix>-<slot>` (KEYLESS_SESSION_CUT_PREFIX). */
    prefix: string;
  };
  /**
   * True when KEYLESS_SESSION_CUT=off is set explicitly. The playground (local mode) cuts sessions
   * unless told not to; a deployment cuts only with KEYLESS_SESSION_CUT=on.
   */
  sessionCutOff?: boolean;
  /**
   * Each ended grant's CloudTrail activity (KEYLESS_ACTIVITY, KEYLESS_ACTIVITY_FIRST_AFTER,
   * KEYLESS_ACTIVITY_FINAL_AFTER): whether it is looked up, and when after the grant's end.
   */
  activity: { enabled: boolean; firstAfterMs: number; finalAfterMs: number };
  alerts: {
    /** The root-activity SQS queue; undefined: no consumer. */
    queueUrl?: string;
    /** The EventBridge endpoint's shared secret; undefined: the endpoint is not served. */
    eventBridgeSecret?: string;
    auditRole: string;
    remediationRole: string;
    /** Sent with every sts:AssumeRole into member accounts (their trust policies require it). */
    externalId: string;
    tpsPerAccount: number;
    scanConcurrency: number;
    /** Regions that must keep sending heartbeats (KEYLESS_ALERTS_EXPECTED_REGIONS). */
    expectedRegions: string[];
  };
  /** PagerDuty (KEYLESS_PAGERDUTY_TOKEN): who is on call for the policy's on-call schedules. */
  pagerDuty?: { token: string; apiUrl?: string };
  /** A signing secret (HTTP), an app token (Socket Mode), or both (Socket Mode). */
  slack?: {
    signingSecret?: string;
    botToken: string;
    appToken?: string;
    /** Slack team (T…) and Enterprise Grid (E…) ids served; every other request is refused. */
    allowedTeamIds: string[];
  };
  teams?: {
    /** Entra ID tenant ids served; every other activity is refused. */
    allowedTenantIds: string[];
    appId?: string;
    appPassword?: string;
    tenantId?: string;
    appType: KeylessEnv['MICROSOFT_APP_TYPE'];
    authDisabled: boolean;
    /**
     * botbuilder's ToChannelFromBotLoginUrl: the Entra authority the bot's token is asked from
     * (`keyless doctor` requests one there). Default https://login.microsoftonline.com/<tenant>.
     */
    loginUrl?: string;
  };
}

/** The policy location of an environment (KEYLESS_POLICY, then KEYLESS_POLICY_FILE, then the playground's). */
export function policyLocationOf(env: NodeJS.ProcessEnv, cwd = process.cwd()): PolicyLocation | { problem: string } {
  const text = env.KEYLESS_POLICY || env.KEYLESS_POLICY_FILE || PLAYGROUND_POLICY;
  return parsePolicyLocation(text, cwd);
}

/** A policy read from SSM or S3 before the configuration is checked (`loadConfigWithPolicy`). */
export interface FetchedPolicy {
  text: string;
  version: string;
}

/**
 * Reads the environment and the policy file. Every problem, in both, is reported at once in one
 * CONFIG_INVALID error (the boot prints it and exits non-zero). A policy in SSM or S3 is read by
 * `loadConfigWithPolicy`, which passes its text here as `fetched`.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  fetched?: FetchedPolicy | { problems: string[] },
): KeylessConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const problems: string[] = [];
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) problems.push(...formatIssues(parsed.error.issues));
  problems.push(...crossChecks(raw));
  const e = parsed.success ? parsed.data : undefined;
  const mode = modeOf(raw);
  const location = policyLocationOf(raw, cwd);
  let policy: Policy | undefined;
  let policyFile = PLAYGROUND_POLICY;
  let policyVersion = '';
  if ('problem' in location) {
    problems.push(`${raw.KEYLESS_POLICY ? 'KEYLESS_POLICY' : 'KEYLESS_POLICY_FILE'}: ${location.problem}`);
  } else {
    policyFile = policyLocationName(location);
    try {
      if (location.kind === 'file') {
        const text = readPolicyFile(location.path);
        policyVersion = fileVersion(text);
        policy = parsePolicyText(text, location.path);
      } else if (fetched && 'text' in fetched) {
        policyVersion = fetched.version;
        policy = parsePolicyText(fetched.text, policyFile);
      } else if (fetched) problems.push(...fetched.problems);
      else problems.push(`KEYLESS_POLICY: ${policyFile} is read when keyless starts (loadConfigWithPolicy)`);
    } catch (error) {
      if (!isKeylessError(error)) throw error;
      problems.push(...policyProblems(error));
    }
  }
  // In local mode the playground starts a loopback PagerDuty with a token of its own for the schedules
  // the policy names: no real key is needed there. Production needs one.
  if (
    policy &&
    !raw.KEYLESS_PAGERDUTY_TOKEN &&
    mode === 'production' &&
    (raw.KEYLESS_POLICY || raw.KEYLESS_POLICY_FILE)
  ) {
    const refs = policyOnCallRefs(policy);
    if (refs.length > 0) {
      problems.push(
        `KEYLESS_PAGERDUTY_TOKEN: the policy names on-call schedules (${refs.join(', ')}); keyless needs a PagerDuty REST API key to know who is on call`,
      );
    }
  }
  const activity = e && activitySettings(e);
  if (activity && 'problem' in activity) problems.push(activity.problem);
  if (problems.length > 0 || !e || !policy || 'problem' in location || !activity || 'problem' in activity) {
    throw new KeylessError(
      ErrorCodes.ConfigInvalid,
      `keyless cannot start: ${problems.length} configuration problem(s):\n- ${problems.join('\n- ')}`,
      {
        details: { problems },
        hint: 'See "Configuration reference" in README.md.',
      },
    );
  }
  // Production requires one (crossChecks); the playground's emulator requires its own.
  const externalId = e.KEYLESS_MEMBER_ROLE_EXTERNAL_ID ?? e.KEYLESS_ALERTS_EXTERNAL_ID ?? LOCAL_MEMBER_ROLE_EXTERNAL_ID;
  const auditorGroups = (e.KEYLESS_AUDITORS ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(isSlackUserGroupEntry);
  return {
    mode,
    host: e.KEYLESS_HOST ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0'),
    port: e.KEYLESS_PORT,
    table: e.KEYLESS_TABLE,
    dataDir: resolve(cwd, e.KEYLESS_DATA_DIR),
    replicaId: e.KEYLESS_REPLICA_ID ?? `${hostname()}-${process.pid}`,
    retentionDays: e.KEYLESS_RETENTION_DAYS,
    audit: {
      ...(e.KEYLESS_AUDIT_BUCKET ? { bucket: e.KEYLESS_AUDIT_BUCKET } : {}),
      prefix: e.KEYLESS_AUDIT_PREFIX,
      everyMs: e.KEYLESS_AUDIT_EVERY,
      retentionDays: e.KEYLESS_AUDIT_RETENTION_DAYS ?? e.KEYLESS_RETENTION_DAYS,
      auditors: (e.KEYLESS_AUDITORS ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '' && !isSlackUserGroupEntry(a))
        .map((a) => a.toLowerCase()),
      ...(auditorGroups.length > 0 ? { auditorGroups } : {}),
    },
    logLevel: e.KEYLESS_LOG_LEVEL,
    aws: {
      tps: e.KEYLESS_AWS_TPS,
      maxOutstanding: e.KEYLESS_AWS_MAX_OUTSTANDING,
      ...((e.KEYLESS_IDENTITY_EXTERNAL_ID_ISSUER ?? (mode === 'local' ? DEMO_EXTERNAL_ID_ISSUER : undefined))
        ? { externalIdIssuer: e.KEYLESS_IDENTITY_EXTERNAL_ID_ISSUER ?? DEMO_EXTERNAL_ID_ISSUER }
        : {}),
    },
    sweepMs: e.KEYLESS_SWEEP_MS,
    reconcileEveryMs: e.KEYLESS_RECONCILE_EVERY ?? 15 * 60_000,
    policyFile,
    policyLocation: location,
    policyVersion,
    policyReloadEveryMs: e.KEYLESS_POLICY_RELOAD_EVERY ?? 60_000,
    policy,
    createTable: e.KEYLESS_CREATE_TABLE ?? mode === 'local',
    ...(e.KEYLESS_SESSION_CUT === 'on'
      ? {
          sessionCut: {
            targets: e.KEYLESS_SESSION_CUT_TARGETS ?? [LOCAL_ORGANIZATION_ROOT_ID],
            prefix: e.KEYLESS_SESSION_CUT_PREFIX,
          },
        }
      : {}),
    ...(raw.KEYLESS_SESSION_CUT === 'off' ? { sessionCutOff: true } : {}),
    activity,
    alerts: {
      ...(e.KEYLESS_ROOT_EVENTS_QUEUE_URL ? { queueUrl: e.KEYLESS_ROOT_EVENTS_QUEUE_URL } : {}),
      ...(e.KEYLESS_ALERTS_EVENTBRIDGE_SECRET ? { eventBridgeSecret: e.KEYLESS_ALERTS_EVENTBRIDGE_SECRET } : {}),
      auditRole: e.KEYLESS_ALERTS_AUDIT_ROLE,
      remediationRole: e.KEYLESS_ALERTS_REMEDIATION_ROLE,
      externalId,
      tpsPerAccount: e.KEYLESS_ALERTS_TPS_PER_ACCOUNT,
      scanConcurrency: e.KEYLESS_ALERTS_SCAN_CONCURRENCY,
      expectedRegions: e.KEYLESS_ALERTS_EXPECTED_REGIONS ?? [],
    },
    ...(e.KEYLESS_PAGERDUTY_TOKEN
      ? {
          pagerDuty: {
            token: e.KEYLESS_PAGERDUTY_TOKEN,
            ...(e.KEYLESS_PAGERDUTY_API_URL ? { apiUrl: e.KEYLESS_PAGERDUTY_API_URL } : {}),
          },
        }
      : {}),
    ...(e.SLACK_BOT_TOKEN && (e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN)
      ? {
          slack: {
            ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
            botToken: e.SLACK_BOT_TOKEN,
            ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
            allowedTeamIds: e.KEYLESS_SLACK_TEAM_IDS ?? [LOCAL_SLACK_TEAM_ID],
          },
        }
      : {}),
    ...(e.MICROSOFT_APP_ID || mode === 'local'
      ? {
          teams: {
            allowedTenantIds: e.KEYLESS_TEAMS_TENANT_IDS ?? [LOCAL_TEAMS_TENANT_ID],
            ...(e.MICROSOFT_APP_ID ? { appId: e.MICROSOFT_APP_ID } : {}),
            ...(e.MICROSOFT_APP_PASSWORD ? { appPassword: e.MICROSOFT_APP_PASSWORD } : {}),
            ...(e.MICROSOFT_APP_TENANT_ID ? { tenantId: e.MICROSOFT_APP_TENANT_ID } : {}),
            appType: e.MICROSOFT_APP_TYPE,
            authDisabled: mode === 'local' && (e.KEYLESS_LOCAL_AUTH_DISABLED ?? !e.MICROSOFT_APP_ID),
          },
        }
      : {}),
  };
}

/**
 * The activity timing: the engine's defaults (5 and 20 minutes) unless set; the final lookup must
 * come after the early one (else the early one would already be the final one, and say so wrongly).
 */
function activitySettings(e: KeylessEnv): KeylessConfig['activity'] | { problem: string } {
  const firstAfterMs = e.KEYLESS_ACTIVITY_FIRST_AFTER ?? defaultActivityOptions.firstAfterMs;
  const finalAfterMs = e.KEYLESS_ACTIVITY_FINAL_AFTER ?? defaultActivityOptions.finalAfterMs;
  if (finalAfterMs <= firstAfterMs) {
    return {
      problem: `KEYLESS_ACTIVITY_FINAL_AFTER: the final activity lookup (${formatDuration(finalAfterMs / 1000)} after a grant ends) must come after the early one (KEYLESS_ACTIVITY_FIRST_AFTER, ${formatDuration(firstAfterMs / 1000)})`,
    };
  }
  return { enabled: e.KEYLESS_ACTIVITY === 'on', firstAfterMs, finalAfterMs };
}

/** The problems of a policy error, each marked as the policy's. */
export function policyProblems(error: KeylessError): string[] {
  return Array.isArray(error.details.problems)
    ? (error.details.problems as string[]).map((p) => `policy ${p}`)
    : [error.message];
}

/** Reads and validates a policy file: YAML syntax errors and schema problems, all with their place. */
export function loadPolicyFile(path: string): Policy {
  return parsePolicyText(readPolicyFile(path), path);
}

function readPolicyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new KeylessError(
      ErrorCodes.InvalidPolicy,
      `The policy file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      {
        details: { problems: [`file ${path}: cannot be read`] },
      },
    );
  }
}

/** Validates a policy YAML read from `where` (a file, an SSM parameter, an S3 object). */
export function parsePolicyText(text: string, where: string): Policy {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const place = error instanceof YAMLParseError ? yamlErrorPlace(text, error) : undefined;
    const at = place ? ` (line ${place.line}, column ${place.col})` : '';
    const why = error instanceof YAMLParseError ? error.message.split(' at line ')[0] : 'not YAML';
    throw new KeylessError(ErrorCodes.InvalidPolicy, `The policy ${where} is not valid YAML${at}.`, {
      details: { problems: [`file ${where}${at}: ${why}`] },
    });
  }
  return parsePolicy(document, `policy file ${where}`);
}

/**
 * loadConfig, with a policy in SSM or S3 read first (through `read`, the production readers by
 * default). A policy that cannot be read is one more configuration problem, reported with the others.
 */
export async function loadConfigWithPolicy(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  read: (location: PolicyLocation) => Promise<FetchedPolicy> = async (location) =>
    (await openPolicySource(location).read())!,
): Promise<KeylessConfig> {
  const location = policyLocationOf(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
    cwd,
  );
  if ('problem' in location || location.kind === 'file') return loadConfig(env, cwd);
  let fetched: FetchedPolicy | { problems: string[] };
  try {
    fetched = await read(location);
  } catch (error) {
    fetched = {
      problems: isKeylessError(error)
        ? policyProblems(error)
        : [`policy ${policyLocationName(location)}: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  return loadConfig(env, cwd, fetched);
}

type CstNode = {
  type?: string;
  offset?: number;
  source?: string;
  start?: unknown;
  end?: unknown;
  [k: string]: unknown;
};

/**
 * Where a YAML error is, for the person who must fix it: line and column, both 1-based (the `yaml`
 * package's `linePos`, used as it is). An unclosed `[`, `{` or quote is reported where the parser
 * gave up, often the line after; the place shown is then the opener itself.
 */
export function yamlErrorPlace(text: string, error: YAMLParseError): { line: number; col: number } | undefined {
  const lines = new LineCounter();
  const opener = unclosedOpeners([...new Parser(lines.addNewLine).parse(text)])
    .filter((offset) => offset <= error.pos[0])
    .pop();
  if (opener !== undefined) return lines.linePos(opener);
  return error.linePos?.[0];
}

/** Offsets of flow collections and quoted scalars that never close, in document order. */
function unclosedOpeners(tokens: unknown[]): number[] {
  const found: number[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    const node = value as CstNode;
    if (node.type === 'flow-collection' && typeof node.offset === 'number') {
      const open = (node.start as CstNode | undefined)?.source;
      const close = open === '[' ? ']' : '}';
      const ends = Array.isArray(node.end) ? (node.end as CstNode[]) : [];
      if (!ends.some((t) => t.source === close)) found.push(node.offset);
    }
    if (
      (node.type === 'double-quoted-scalar' || node.type === 'single-quoted-scalar') &&
      typeof node.offset === 'number' &&
      typeof node.source === 'string'
    ) {
      const quote = node.source[0];
      const body = node.source.trimEnd();
      if (body.length < 2 || body[body.length - 1] !== quote) found.push(node.offset);
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'source') walk(child);
  };
  walk(tokens);
  return found.sort((a, b) => a - b);
}
