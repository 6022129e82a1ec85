import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { formatDuration, isKeylessError, matchesPermissionSet, ruleMaxSeconds, type IdentityCenter } from '../../src';
import { createAwsIdentityCenter } from '../aws/identity-center';
import { createAwsSts } from '../aws/sts/sts';
import { checkTable } from '../dynamodb';
import { requiredBotScopes } from '../slack';
import type { KeylessConfig } from './config';

export interface Check {
  status: 'ok' | 'warn' | 'fail';
  name: string;
  detail: string;
  /** How to fix it, for a warning or a failure. */
  fix?: string;
}

/** A check for a chat platform, contributed by the composition root (Slack auth.test, Teams credentials…). */
export type ExtraCheck = () => Promise<Check[]>;

async function attempt(name: string, fix: string, work: () => Promise<string>): Promise<Check> {
  try {
    return { status: 'ok', name, detail: await work() };
  } catch (error) {
    const detail = isKeylessError(error)
      ? error.message
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
    return { status: 'fail', name, detail, fix };
  }
}

/**
 * `keyless doctor`: checks what a first deployment gets wrong, and says how to fix each. Runs
 * against whatever the SDK's standard configuration points at (real AWS, or the playground's emulators).
 */
export async function runDoctor(config: KeylessConfig, extra: ExtraCheck[] = []): Promise<Check[]> {
  const region = config.policy.identityCenter.region;
  const checks: Check[] = [
    {
      status: 'ok',
      name: 'configuration',
      detail: `mode ${config.mode}, policy ${config.policyFile} (${config.policy.rules.length} rules)`,
    },
  ];

  checks.push(
    await attempt(
      'AWS identity',
      'Give keyless AWS credentials (AWS_PROFILE, a task role…) and set AWS_REGION.',
      async () => {
        const me = await createAwsSts(region).callerIdentity();
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
  const sets = await identity.listPermissionSets().catch(() => undefined);
  checks.push(
    sets
      ? {
          status: 'ok',
          name: 'Identity Center instance',
          detail: `${sets.length} permission sets in ${config.policy.identityCenter.instanceArn}`,
        }
      : {
          status: 'fail',
          name: 'Identity Center instance',
          detail: `cannot list permission sets of ${config.policy.identityCenter.instanceArn}`,
          fix: 'Check identityCenter.instanceArn and region in the policy, and that the role has manifest/aws/iam-policy.json.',
        },
  );

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
      'Check identityCenter.identityStoreId and the identitystore:* read actions.',
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

  if (sets) {
    const named = [
      ...new Set([
        ...config.policy.rules.flatMap((r) => r.permissionSets),
        ...(config.policy.breakGlass?.permissionSets ?? []),
      ]),
    ].filter((n) => n !== '*');
    const missing = named.filter((n) => !sets.some((s) => s.name.toLowerCase() === n.toLowerCase()));
    checks.push(
      missing.length
        ? {
            status: 'fail',
            name: 'permission sets',
            detail: `the policy names permission sets that do not exist: ${missing.join(', ')}`,
            fix: 'Create and provision them in Identity Center, or fix the names in the policy.',
          }
        : { status: 'ok', name: 'permission sets', detail: `all ${named.length} named in the policy exist` },
    );
    for (const rule of config.policy.rules.filter((r) => r.effect === 'allow')) {
      const longSessions = sets.filter(
        (s) => matchesPermissionSet(rule.permissionSets, s.name) && s.sessionDurationSeconds > ruleMaxSeconds(rule),
      );
      if (longSessions.length) {
        checks.push({
          status: 'warn',
          name: `session length (${rule.name})`,
          detail: `${longSessions.map((s) => `${s.name} sessions last ${formatDuration(s.sessionDurationSeconds)}`).join(', ')}, longer than the ${formatDuration(ruleMaxSeconds(rule))} grants of this rule: removing an assignment does not end a session already open`,
          fix: 'Shorten the permission sets’ session duration, or deploy the session deny policy (README, "Security model").',
        });
      }
    }
  }
  identity.stop?.();

  const dynamo = new DynamoDBClient({ region });
  checks.push(
    await attempt(
      'DynamoDB table',
      `Create it: npm run table -- create --table ${config.table} (or deploy manifest/aws/table.yml).`,
      async () => {
        const table = await checkTable(dynamo, config.table);
        return `${config.table} is ${table.TableStatus ?? 'present'} with the expected keys and index`;
      },
    ),
  );
  dynamo.destroy();

  if (config.slack) checks.push(...(await slackChecks(config.slack.botToken)));
  if (config.slack?.appToken) checks.push(await slackSocketModeCheck(config.slack.appToken));
  if (config.mode === 'production') checks.push(...teamsChecks(config.teams));
  for (const more of extra) checks.push(...(await more()));
  return checks;
}

/**
 * Slack: the bot token works (auth.test) and was granted every scope the code needs (the
 * `x-oauth-scopes` header of the answer). keyless asks for no scope only to run this check.
 */
export async function slackChecks(botToken: string, apiUrl = 'https://slack.com/api/'): Promise<Check[]> {
  const name = 'Slack';
  try {
    const response = await fetch(new URL('auth.test', apiUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${botToken}` },
    });
    const body = (await response.json()) as { ok: boolean; error?: string; team?: string; user?: string };
    if (!body.ok) {
      return [
        {
          status: 'fail',
          name,
          detail: `auth.test answered ${body.error ?? response.status}`,
          fix: 'Check SLACK_BOT_TOKEN (Bot User OAuth Token, xoxb-…) and that the app is installed.',
        },
      ];
    }
    const granted = new Set(
      (response.headers.get('x-oauth-scopes') ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );
    const missing = requiredBotScopes().filter((scope) => !granted.has(scope));
    return [
      { status: 'ok', name, detail: `signed in as ${body.user ?? 'the bot'} in ${body.team ?? 'the workspace'}` },
      missing.length
        ? {
            status: 'fail',
            name: 'Slack scopes',
            detail: `missing ${missing.join(', ')}`,
            fix: 'Reinstall the app from manifest/slack/manifest.yml (README, "Connect Slack").',
          }
        : { status: 'ok', name: 'Slack scopes', detail: `all ${granted.size} granted` },
    ];
  } catch (error) {
    return [
      {
        status: 'fail',
        name,
        detail: `Slack cannot be reached (${(error as Error).message})`,
        fix: 'keyless needs outbound HTTPS to slack.com.',
      },
    ];
  }
}

/**
 * Slack Socket Mode: the app-level token opens connections (apps.connections.open hands out a
 * one-time WebSocket URL, which is left unused and expires).
 */
export async function slackSocketModeCheck(appToken: string, apiUrl = 'https://slack.com/api/'): Promise<Check> {
  const name = 'Slack Socket Mode';
  try {
    const response = await fetch(new URL('apps.connections.open', apiUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${appToken}` },
    });
    const body = (await response.json()) as { ok: boolean; error?: string };
    return body.ok
      ? { status: 'ok', name, detail: 'the app-level token opens connections' }
      : {
          status: 'fail',
          name,
          detail: `apps.connections.open answered ${body.error ?? response.status}`,
          fix: 'Check SLACK_APP_TOKEN (an app-level token, xapp-…, with connections:write) and that Socket Mode is on in the app settings.',
        };
  } catch (error) {
    return {
      status: 'fail',
      name,
      detail: `Slack cannot be reached (${(error as Error).message})`,
      fix: 'keyless needs outbound HTTPS to slack.com.',
    };
  }
}

/** Teams: credentials that fit together (a token is fetched from Microsoft only when a message is sent). */
export function teamsChecks(teams: KeylessConfig['teams']): Check[] {
  if (!teams) return [];
  if (!teams.appId) {
    return [
      {
        status: teams.authDisabled ? 'warn' : 'fail',
        name: 'Teams',
        detail: 'no MICROSOFT_APP_ID: activities are not authenticated (local mode only)',
        fix: 'Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (README, "Connect Teams").',
      },
    ];
  }
  return [
    {
      status: 'ok',
      name: 'Teams',
      detail: `bot ${teams.appId} (${teams.appType}${teams.tenantId ? `, tenant ${teams.tenantId}` : ''})`,
    },
  ];
}

export function formatChecks(checks: Check[]): string {
  const mark = { ok: '✔', warn: '!', fail: '✖' } as const;
  return checks.map((c) => `${mark[c.status]} ${c.name}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`).join('\n');
}
