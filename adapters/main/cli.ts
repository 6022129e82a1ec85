#!/usr/bin/env node
/**
 * The keyless command line (package bin `keyless`):
 *   keyless start                       the bot (production), or the local playground when no chat credentials are set
 *   keyless playground                  the local playground (a clone with dev dependencies only)
 *   keyless doctor [--json]             checks a deployment and says how to fix each problem
 *   keyless table create|check          creates or checks the DynamoDB table
 *   keyless policy check <where>        validates a policy (file, ssm:/name or s3://bucket/key)
 *   keyless policy explain <email> <account> <permission-set>
 *   keyless audit [--since] [--until] [--user] [--actor] [--account] [--permission-set] [--rule] [--format csv|jsonl]
 *                                       exports audit events (stdout)
 *   keyless emulator [--port] [--seed]  the local AWS emulator (a clone with dev dependencies only)
 *   keyless verify-session-cut --user-id --account --permission-set
 *                                       proves in a sandbox that keyless's SCP ends a live session
 * Problems are printed as readable messages, never as stack traces. Exit codes: 0 done, 1 failed
 * (or problems found), 2 bad usage.
 *
 * The production path (start with real configuration, doctor, table, policy) loads nothing from
 * adapters/local and no dev dependency: the playground and the emulator are imported dynamically,
 * on their own commands only (test/integration/main/production-path.int.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import {
  decide,
  explainDecision,
  findAccount,
  findPermissionSet,
  grantActivitySource,
  isKeylessError,
  maxRequestableSeconds,
  sessionCutAtExpiry,
  sessionCutExplainText,
  silentLogger,
  type Logger,
  type LogFields,
} from '../../src';
import { loadConfigWithPolicy, parsePolicyText, policyProblems, type KeylessConfig } from './config';
import { auditQueryFromOptions, writeAuditExport, type AuditCommandOptions } from './audit-command';
import { openPolicySource, parsePolicyLocation } from './policy-source';

// Each command loads what it needs when it runs: `keyless --help` and `policy check` stay quick.
const compose = () => import('./compose');

/** A failure of a command the person can act on: printed as is, exit code 1. */
class CliFailure extends Error {}

function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'keyless') return pkg.version ?? '0.0.0';
  }
  return '0.0.0';
}

/** Loads a module that exists only in a clone with dev dependencies (the playground, the emulator). */
async function localOnly<T>(what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new CliFailure(
        `${what} is not part of this installation (it needs the repository and its dev dependencies: npm ci, then npm start).`,
      );
    }
    throw error;
  }
}

async function start(): Promise<void> {
  const config = await loadConfigWithPolicy();
  if (config.mode === 'local') return playground(config);
  const { startKeyless } = await compose();
  const keyless = await startKeyless(config);
  console.log(`keyless (${config.mode}) is running at ${keyless.url}`);
  stopOnSignals(() => keyless.stop());
}

async function playground(loaded?: KeylessConfig): Promise<void> {
  const config = loaded ?? (await loadConfigWithPolicy({ ...process.env, KEYLESS_MODE: 'local' }));
  const { startPlayground } = await localOnly('The playground', () => import('./playground'));
  const running = await startPlayground(config);
  console.log(`keyless (${config.mode}) is running at ${running.url}`);
  console.log(`  the playground page; keyless itself answers Slack and Teams at ${running.keyless.url}`);
  stopOnSignals(() => running.stop());
}

function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing work in flight, then stopping…`);
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => fail(error));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Checks a deployment (in local mode: the playground's own emulators, started for the check). */
async function doctor(options: { json?: boolean }): Promise<void> {
  const config = await loadConfigWithPolicy();
  const local =
    config.mode === 'local'
      ? await localOnly('The playground', () => import('./playground')).then((m) =>
          m.startPlayground(
            { ...config, port: 0 },
            // With --json, stdout carries the one JSON document only.
            { quiet: true, ephemeral: true, ...(options.json ? { logger: silentLogger } : {}) },
          ),
        )
      : undefined;
  try {
    const { exitCode, renderJson, renderText, runDoctor } = await import('./doctor');
    const report = await runDoctor(config, local ? { slackApiUrl: `${local.slackUrl}/api/` } : {});
    console.log(options.json ? renderJson(report) : renderText(report));
    process.exitCode = exitCode(report);
  } finally {
    await local?.stop();
  }
}

const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields: LogFields, message: string) =>
    console.warn(`warning: ${message}${fields.code ? ` (${String(fields.code)})` : ''}`),
  error: (_fields: LogFields, message: string) => console.error(message),
  child: () => consoleLogger,
};

async function table(action: 'create' | 'check', options: { table?: string }): Promise<void> {
  const [{ DynamoDBClient }, { DEFAULT_TABLE_NAME, checkTable, ensureTable, ttlStatus }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('../dynamodb'),
  ]);
  const name = options.table || process.env.KEYLESS_TABLE || DEFAULT_TABLE_NAME;
  const client = new DynamoDBClient({});
  try {
    if (action === 'create') {
      const outcome = await ensureTable(client, name, consoleLogger);
      console.log(outcome === 'created' ? `Table ${name} created.` : `Table ${name} exists and matches.`);
    } else {
      await checkTable(client, name);
      console.log(`Table ${name} matches keyless' definition (TTL: ${await ttlStatus(client, name)}).`);
    }
  } finally {
    client.destroy();
  }
}

/** Exports audit events from the table (KEYLESS_TABLE) to stdout, CSV or JSON lines. */
async function audit(options: AuditCommandOptions & { table?: string }): Promise<void> {
  const parsed = auditQueryFromOptions(options, Date.now());
  if ('problem' in parsed) throw new CliFailure(parsed.problem);
  const [{ DynamoDBClient }, { DEFAULT_TABLE_NAME, DynamoGrantStore }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('../dynamodb'),
  ]);
  const tableName = options.table || process.env.KEYLESS_TABLE || DEFAULT_TABLE_NAME;
  const client = new DynamoDBClient({});
  try {
    const store = new DynamoGrantStore({ client, tableName });
    const written = await writeAuditExport(
      store,
      parsed.query,
      parsed.format,
      (text) =>
        new Promise<void>((resolve, reject) =>
          process.stdout.write(text, (error) => (error ? reject(error) : resolve())),
        ),
      500,
      grantActivitySource(store),
    );
    console.error(`${written} audit event(s).`);
    // Events are indexed by the audit pump of a running keyless, seconds after their write.
    const waiting = await store.auditBacklog().catch(() => 0);
    if (waiting > 0) {
      console.error(
        `${waiting} record(s) written lately are not indexed yet (a running keyless indexes them within seconds): their newest events may be missing above.`,
      );
    }
  } finally {
    client.destroy();
  }
}

async function policyCheck(where: string): Promise<void> {
  const location = parsePolicyLocation(where, process.cwd());
  if ('problem' in location) throw new CliFailure(location.problem);
  const source = openPolicySource(location);
  let problems: string[];
  try {
    const document = (await source.read())!;
    const policy = parsePolicyText(document.text, source.name);
    console.log(`The policy ${source.name} is valid: ${policy.rules.length} rule(s).`);
    for (const rule of policy.rules) console.log(`  - ${rule.name}`);
    return;
  } catch (error) {
    if (!isKeylessError(error)) throw error;
    problems = policyProblems(error);
  }
  throw new CliFailure(`The policy ${source.name} has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
}

/** The policy's answer for a person (by email), an account (id or name) and a permission set. */
async function policyExplain(email: string, accountText: string, permissionSetText: string): Promise<void> {
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new CliFailure(`"${email}" is not an email address.`);
  const config = await loadConfigWithPolicy();
  const [{ createAwsClients }, { AwsIdentityCenter }] = await Promise.all([
    compose(),
    import('../aws/identity-center'),
  ]);
  const clients = createAwsClients(config.policy.identityCenter.region);
  const identity = new AwsIdentityCenter(
    { ssoAdmin: clients.ssoAdmin, identityStore: clients.identityStore, organizations: clients.organizations },
    {
      instanceArn: config.policy.identityCenter.instanceArn,
      identityStoreId: config.policy.identityCenter.identityStoreId,
      logger: silentLogger,
    },
  );
  try {
    const [principal, accounts, sets] = await Promise.all([
      identity.resolvePrincipal(email),
      identity.listAccounts(),
      identity.listPermissionSets(),
    ]);
    const account = findAccount(accounts, accountText);
    if (!account) throw new CliFailure(`No account called "${accountText}" (use the 12-digit id or the exact name).`);
    const permissionSet = findPermissionSet(sets, permissionSetText);
    if (!permissionSet) throw new CliFailure(`No permission set called "${permissionSetText}".`);
    const policy = config.policy;
    const max = maxRequestableSeconds(policy, { principal, account, permissionSet });
    const decision = decide(policy, { principal, account, permissionSet, durationSeconds: max ?? 60 });
    console.log(`${email} → ${permissionSet.name} in ${account.name} (${account.id}):`);
    console.log(explainDecision(decision));
    if (decision.outcome !== 'deny') {
      console.log(
        sessionCutExplainText({
          permissionSetName: permissionSet.name,
          sessionSeconds: permissionSet.sessionDurationSeconds,
          policyAtExpiry: sessionCutAtExpiry(policy, decision.rule),
          deploymentDefault: false,
          enabled: config.sessionCut !== undefined,
        }),
      );
    }
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

async function emulator(options: Record<string, string | undefined>): Promise<void> {
  const { runEmulatorCli } = await localOnly('The local AWS emulator', () => import('../local/aws-emulator/cli'));
  const args = Object.entries(options).flatMap(([k, v]) =>
    v === undefined ? [] : [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, v],
  );
  await runEmulatorCli(args);
}

async function verifySessionCut(options: import('./verify-session-cut').VerifySessionCutCliOptions): Promise<void> {
  const { runVerifySessionCut } = await import('./verify-session-cut');
  const ok = await runVerifySessionCut(options, process.env, (line) => console.log(line));
  if (!ok) process.exitCode = 1;
}

function fail(error: unknown): never {
  if (error instanceof CliFailure) console.error(error.message);
  else if (isKeylessError(error)) console.error(error.toUserText());
  else if (error instanceof CommanderError) process.exit(error.exitCode);
  else console.error(`keyless failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

export function buildProgram(): Command {
  const program = new Command('keyless')
    .description('Just-in-time AWS access granted in Slack and Microsoft Teams.')
    .version(packageVersion())
    .showHelpAfterError('(keyless --help lists the commands)')
    .exitOverride((error) => {
      // Help and version are not failures; every other commander error is bad usage.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(0);
      process.exit(2);
    });

  program
    .command('start')
    .description('Start keyless (the local playground when no Slack or Teams credentials are set).')
    .action(start);
  program
    .command('playground')
    .description('Start the local playground: emulated AWS, Slack and Teams on 127.0.0.1 (needs dev dependencies).')
    .action(() => playground());
  program
    .command('doctor')
    .description('Check a deployment (AWS identity, Identity Center, table, chat) and say how to fix each problem.')
    .option('--json', 'print the checks as JSON')
    .action(doctor);

  const tableCommand = program.command('table').description('The DynamoDB table (KEYLESS_TABLE, default keyless).');
  for (const action of ['create', 'check'] as const) {
    tableCommand
      .command(action)
      .description(
        action === 'create' ? 'Create the table where it is missing, check it otherwise.' : 'Check the table.',
      )
      .option('--table <name>', 'the table name (default: KEYLESS_TABLE, else keyless)')
      .action((options: { table?: string }) => table(action, options));
  }

  const policyCommand = program.command('policy').description('Check and explain a policy.');
  policyCommand
    .command('check')
    .argument('<where>', 'a file path, ssm:/parameter/name or s3://bucket/key')
    .description('Validate a policy and list every problem.')
    .action(policyCheck);
  policyCommand
    .command('explain')
    .argument('<email>', 'the requester’s email in Identity Center')
    .argument('<account>', 'an account id or name')
    .argument('<permission-set>', 'a permission set name')
    .description('Say what the policy in force (KEYLESS_POLICY) answers for this request, and why.')
    .action(policyExplain);

  program
    .command('audit')
    .description(
      "Export audit events (requests, decisions, grants, revocations, alerts and the actions on them…) as CSV or JSON lines, to stdout; a grant's events carry its CloudTrail activity summary (activity_* columns).",
    )
    .option('--since <when>', 'start: YYYY-MM-DD (UTC), an ISO 8601 time, or 90d (default 90d)')
    .option('--until <when>', 'end, inclusive: YYYY-MM-DD (the whole day), an ISO 8601 time, or 7d (default now)')
    .option('--user <email>', "one person's access (their email or Identity Center user name)")
    .option(
      '--actor <who>',
      'who acted (approved, denied, revoked, acknowledged an alert…): an email or an id such as slack:U123',
    )
    .option('--account <id>', 'one AWS account (12-digit id)')
    .option('--permission-set <name>', 'one permission set')
    .option('--rule <name>', 'one policy rule')
    .addOption(new Option('--format <format>', 'csv or jsonl').choices(['csv', 'jsonl']).default('csv'))
    .option('--table <name>', 'the table name (default: KEYLESS_TABLE, else keyless)')
    .action(audit);
  program
    .command('emulator')
    .description('Run the local AWS emulator (needs dev dependencies); point keyless at it with AWS_ENDPOINT_URL.')
    .addOption(new Option('--port <port>', 'port (0 picks a free one)').default('4599'))
    .option('--seed <file>', 'the organization to emulate (default: the demo organization)')
    .option('--delay <ms>', 'how long an assignment takes to provision')
    .option('--tps-limit <n>', 'throttle Identity Center above this many calls per second')
    .action(emulator);
  program
    .command('verify-session-cut')
    .description(
      "Prove in a sandbox account that keyless's service control policy ends a live Identity Center session and spares a fresh one (sign in as the test user with `aws sso login` first).",
    )
    .requiredOption('--user-id <id>', 'the test user’s Identity Center user id (aws identitystore get-user-id)')
    .requiredOption('--account <id>', 'the sandbox member account (never the management account)')
    .requiredOption(
      '--permission-set <name>',
      'a permission set of the test user there that allows s3:ListAllMyBuckets',
    )
    .option('--sso-token-file <path>', 'the sign-in to use (default: the newest in ~/.aws/sso/cache)')
    .option('--sso-region <region>', 'the Identity Center Region (default: the sign-in’s)')
    .option('--targets <ids>', 'root or OUs to attach the test policy to (default: KEYLESS_SESSION_CUT_TARGETS)')
    .option('--prefix <name>', 'policy name prefix (default: KEYLESS_SESSION_CUT_PREFIX, then keyless-session-cut)')
    .option('--wait <seconds>', 'how long to wait for the deny to take effect', '120')
    .action(verifySessionCut);
  return program;
}

if (require.main === module) {
  // `keyless` alone starts, as `npm start` always did.
  const argv = process.argv.length > 2 ? process.argv : [...process.argv, 'start'];
  buildProgram()
    .parseAsync(argv)
    .catch((error: unknown) => fail(error));
}
