/**
 * The `keyless` command line, run as a child process for each command: what a person sees (stdout,
 * stderr), exit codes (0 done, 1 failed or problems found, 2 bad usage), and never a stack trace.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadDemoSeed,
  parseSeed,
  startAwsEmulator,
  type RunningAwsEmulator,
} from '../../../adapters/local/aws-emulator';
import { PLAYGROUND_POLICY, loadPolicyFile } from '../../../adapters/main/config';
import { buildForTests, runBuiltCli } from '../../support/cli-build';
import { startDynalite } from '../../support/dynalite';
import { playgroundPolicyWithoutOnCall } from '../../support/sample-policy';

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

jest.setTimeout(120_000);
let root: string;
const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) => runBuiltCli(root, args, env);

const dir = mkdtempSync(join(tmpdir(), 'keyless-cli-'));
const VALID = readFileSync(PLAYGROUND_POLICY, 'utf8');
let emulator: RunningAwsEmulator;
let dynamo: { endpoint: string; stop: () => Promise<void> };
let aws: NodeJS.ProcessEnv;

beforeAll(async () => {
  [root, emulator, dynamo] = await Promise.all([
    buildForTests(),
    startAwsEmulator({
      seed: parseSeed({ ...loadDemoSeed(), ssm: { parameters: [{ name: '/keyless/policy', value: VALID }] } }),
      port: 0,
    }),
    startDynalite(),
  ]);
  aws = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIACLITEST000000000',
    AWS_SECRET_ACCESS_KEY: 'cli-test',
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  };
});
afterAll(async () => {
  await Promise.all([emulator.stop(), dynamo.stop()]);
});

describe('keyless (the command line)', () => {
  it('lists its commands with --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['start', 'playground', 'doctor', 'table', 'policy', 'emulator']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('says what is wrong with bad usage, with exit code 2 and no stack trace', async () => {
    const unknown = await runCli(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deploy'");
    const missing = await runCli(['policy', 'explain', 'rita@example.com']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'account'");
    for (const run of [unknown, missing]) expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('policy check: a valid policy lists its rules; a bad one lists every problem and exits 1', async () => {
    const ok = await runCli(['policy', 'check', PLAYGROUND_POLICY]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`is valid: ${loadPolicyFile(PLAYGROUND_POLICY).rules.length} rule(s)`);
    expect(ok.stdout).toContain('  - prod-admin');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'rules: 3\nfoo: 1\n');
    const run = await runCli(['policy', 'check', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('has 3 problem(s)');
    expect(run.stderr).toContain('- policy identityCenter:');
    expect(run.stderr).toContain('- policy rules:');
    expect(run.stderr).toContain('Unrecognized key: "foo"');
    expect(run.stderr).not.toMatch(STACK_FRAME);

    const nowhere = await runCli(['policy', 'check', join(dir, 'missing.yaml')]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/cannot be read \(ENOENT\)/);
    expect(nowhere.stderr).not.toMatch(STACK_FRAME);
  });

  it('policy check reads SSM through the SDK’s standard settings', async () => {
    const run = await runCli(['policy', 'check', 'ssm:/keyless/policy'], aws);
    expect(run.stdout).toContain('The policy ssm:/keyless/policy is valid');
    expect(run.code).toBe(0);
    const missing = await runCli(['policy', 'check', 'ssm:/keyless/missing'], aws);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the parameter does not exist');
  });

  it('policy explain: the policy’s answer for a person, an account and a permission set', async () => {
    const env = { ...aws, KEYLESS_MODE: 'local' };
    const sandbox = await runCli(['policy', 'explain', 'rita@example.com', 'sandbox', 'AdministratorAccess'], env);
    expect(sandbox.stderr).toBe('');
    expect(sandbox.code).toBe(0);
    expect(sandbox.stdout).toContain('rita@example.com → AdministratorAccess in sandbox (222222222222):');
    expect(sandbox.stdout).toMatch(/^Yes/m);
    const prod = await runCli(['policy', 'explain', 'olga@example.com', 'prod', 'AdministratorAccess'], env);
    expect(prod.code).toBe(0);
    expect(prod.stdout).not.toMatch(/^Yes/m);
    const unknown = await runCli(['policy', 'explain', 'rita@example.com', 'nope', 'AdministratorAccess'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No account called "nope"');
  });

  it('table create, then check; check of a missing table exits 1 with a readable message', async () => {
    const created = await runCli(['table', 'create', '--table', 'cli-table'], aws);
    expect(created.stdout).toContain('Table cli-table created.');
    expect(created.code).toBe(0);
    const again = await runCli(['table', 'create', '--table', 'cli-table'], aws);
    expect(again.stdout).toContain('Table cli-table exists and matches.');
    const checked = await runCli(['table', 'check'], { ...aws, KEYLESS_TABLE: 'cli-table' });
    expect(checked.stdout).toContain("Table cli-table matches keyless' definition");
    expect(checked.code).toBe(0);
    const missing = await runCli(['table', 'check', '--table', 'no-such-table'], aws);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-table/);
    expect(missing.stderr).not.toMatch(STACK_FRAME);
  });

  it('start refuses a bad configuration with every problem, exit code 1 and no stack trace', async () => {
    const run = await runCli(['start'], { KEYLESS_MODE: 'production', KEYLESS_PORT: 'abc' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('configuration problem(s)');
    expect(run.stderr).toContain('KEYLESS_PORT');
    expect(run.stderr).toContain('KEYLESS_POLICY: production needs a policy');
    expect(run.stderr).toContain('KEYLESS_MEMBER_ROLE_EXTERNAL_ID');
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('doctor --json prints the checks as JSON, and its exit code says whether any failed', async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, playgroundPolicyWithoutOnCall());
    const run = await runCli(['doctor', '--json'], {
      ...aws,
      KEYLESS_MODE: 'production',
      KEYLESS_POLICY: policy,
      KEYLESS_MEMBER_ROLE_EXTERNAL_ID: 'keyless-playground',
      MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000001',
      MICROSOFT_APP_PASSWORD: 'not-a-real-password',
      MICROSOFT_APP_TYPE: 'MultiTenant',
      KEYLESS_TEAMS_TENANT_IDS: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      KEYLESS_TABLE: 'doctor-table-missing',
    });
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      failed: number;
      checks: { status: string; name: string }[];
    };
    expect(report.checks.length).toBeGreaterThan(2);
    expect(report.checks.find((c) => c.name === 'AWS identity')?.status).toBe('ok');
    // The table does not exist: a failed check, and exit code 1.
    expect(report.ok).toBe(false);
    expect(run.code).toBe(1);
  });
});
