/**
 * Names shared by the stacks, the bot's environment and the tests. One place, so that the member
 * roles, the bot's AssumeRole calls and the regions the bot expects heartbeats from stay the same.
 */

/** The audit role in every member account (KEYLESS_ALERTS_AUDIT_ROLE's default). */
export const SCANNER_ROLE = 'keyless-scanner';
/** The key-remediation role in every member account (KEYLESS_ALERTS_REMEDIATION_ROLE's default). */
export const REMEDIATION_ROLE = 'keyless-key-remediation';
/** The bot's home region: the README deploys there, the member roles are created there. */
export const HOME_REGION = 'us-east-1';
/** The name of the StackSet that the organization stack creates. */
export const STACK_SET_NAME = 'keyless-member';

/**
 * The Regions every AWS account has enabled by default (opt-in Regions are left out: a StackSet
 * instance in a Region an account has not enabled fails). Root activity and heartbeats are
 * forwarded from each of them, and the bot raises "region silent" when one stops sending.
 */
export const DEFAULT_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
];

/**
 * The keys of the one Secrets Manager secret (a JSON object) that the bot's task reads. Every key
 * must exist in the secret (ECS refuses to start a task whose secret lacks a key): put an empty
 * string in the ones you do not use; keyless treats an empty variable as unset.
 */
export const SECRET_KEYS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'MICROSOFT_APP_ID',
  'MICROSOFT_APP_PASSWORD',
  'MICROSOFT_APP_TENANT_ID',
  'KEYLESS_ALERTS_EVENTBRIDGE_SECRET',
  'KEYLESS_PAGERDUTY_TOKEN',
] as const;

/** The paths the load balancer forwards to keyless; everything else (metrics, health) stays inside. */
export const PUBLIC_PATHS = ['/slack/events', '/api/messages'];
