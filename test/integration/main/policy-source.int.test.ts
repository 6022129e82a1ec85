/**
 * KEYLESS_POLICY: a file, an SSM parameter or an S3 object, read through the SDK's standard
 * configuration (AWS_ENDPOINT_URL pointing at the local AWS emulator), reloaded when it changes;
 * a bad new version is refused with every problem listed and the policy in force stays.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, isKeylessError, silentLogger } from '../../../src';
import {
  loadDemoSeed,
  parseSeed,
  startAwsEmulator,
  type RunningAwsEmulator,
} from '../../../adapters/local/aws-emulator';
import { PLAYGROUND_POLICY, loadConfig, loadConfigWithPolicy } from '../../../adapters/main/config';
import { openPolicySource, parsePolicyLocation } from '../../../adapters/main/policy-source';
import { PolicyWatcher, type PolicyRefusal } from '../../../adapters/main/policy-watcher';

const VALID = readFileSync(PLAYGROUND_POLICY, 'utf8');
/** Two problems: a rule without permission sets, and an unknown top-level key. */
const BAD = VALID.replace('permissionSets: [ReadOnlyAccess]', 'permissionSets: []') + '\nnotAField: true\n';
const withRuleRenamed = (name: string) => VALID.replace('name: sandbox', `name: ${name}`);

const saved = { ...process.env };
let emulator: RunningAwsEmulator;

function problemsOf(error: unknown): string[] {
  if (!isKeylessError(error, ErrorCodes.ConfigInvalid)) throw error;
  return error.details.problems as string[];
}

beforeAll(async () => {
  emulator = await startAwsEmulator({
    seed: parseSeed({
      ...loadDemoSeed(),
      ssm: { parameters: [{ name: '/keyless/policy', value: VALID }] },
      s3: { buckets: ['empty-bucket'], objects: [{ bucket: 'keyless-config', key: 'policy.yaml', body: VALID }] },
    }),
    port: 0,
  });
  // Only the SDK's standard settings: the production code builds its clients from these.
  process.env.AWS_ENDPOINT_URL = emulator.url;
  process.env.AWS_REGION = 'eu-central-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIAPOLICYTEST000000';
  process.env.AWS_SECRET_ACCESS_KEY = 'policy-test';
});
afterAll(async () => {
  process.env = saved;
  await emulator.stop();
});
beforeEach(() => emulator.reset());

describe('where the policy is (KEYLESS_POLICY)', () => {
  it('reads a file path, and the older KEYLESS_POLICY_FILE still works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-policy-'));
    writeFileSync(join(dir, 'p.yaml'), withRuleRenamed('from-a-file'));
    const config = await loadConfigWithPolicy({ KEYLESS_POLICY: 'p.yaml' }, dir);
    expect(config.policyFile).toBe(join(dir, 'p.yaml'));
    expect(config.policy.rules.map((r) => r.name)).toContain('from-a-file');
    expect(loadConfig({ KEYLESS_POLICY_FILE: join(dir, 'p.yaml') }).policy.rules.map((r) => r.name)).toContain(
      'from-a-file',
    );
  });

  it('reads an SSM parameter (decrypted SecureString)', async () => {
    emulator.state.configStores.putParameter('/keyless/policy', withRuleRenamed('from-ssm'));
    const config = await loadConfigWithPolicy({ KEYLESS_POLICY: 'ssm:/keyless/policy' });
    expect(config.policyFile).toBe('ssm:/keyless/policy');
    expect(config.policy.rules.map((r) => r.name)).toContain('from-ssm');
    expect(config.policyVersion).toBe('v2');
    expect(emulator.log.entries().some((e) => e.service === 'ssm' && e.operation === 'GetParameter')).toBe(true);
  });

  it('reads an S3 object', async () => {
    emulator.state.configStores.putObject('keyless-config', 'policy.yaml', withRuleRenamed('from-s3'));
    const config = await loadConfigWithPolicy({ KEYLESS_POLICY: 's3://keyless-config/policy.yaml' });
    expect(config.policyFile).toBe('s3://keyless-config/policy.yaml');
    expect(config.policy.rules.map((r) => r.name)).toContain('from-s3');
    expect(config.policyVersion).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('reports a missing parameter, key or bucket as a configuration problem, with the other problems', async () => {
    const missing = await loadConfigWithPolicy({ KEYLESS_POLICY: 'ssm:/keyless/nope', KEYLESS_PORT: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(problemsOf(missing)).toEqual([
      expect.stringMatching(/^KEYLESS_PORT: /),
      'policy ssm:/keyless/nope: the parameter does not exist',
    ]);
    const noKey = await loadConfigWithPolicy({ KEYLESS_POLICY: 's3://keyless-config/nope.yaml' }).catch(
      (e: unknown) => e,
    );
    expect(problemsOf(noKey)).toEqual(['policy s3://keyless-config/nope.yaml: no such key']);
    const noBucket = await loadConfigWithPolicy({ KEYLESS_POLICY: 's3://no-such-bucket/p.yaml' }).catch(
      (e: unknown) => e,
    );
    expect(problemsOf(noBucket)).toEqual(['policy s3://no-such-bucket/p.yaml: no such bucket']);
  });

  it('refuses a setting that is none of the three', () => {
    expect(parsePolicyLocation('https://example.com/p.yaml', '/')).toEqual({
      problem: expect.stringContaining('a file path, ssm:/name or s3://bucket/key'),
    });
    expect(parsePolicyLocation('s3://', '/')).toEqual({ problem: expect.stringContaining('not an S3 URL') });
    expect(parsePolicyLocation('ssm:no spaces', '/')).toEqual({ problem: expect.stringContaining('SSM parameter') });
  });

  it('lists every problem of a bad policy in SSM', async () => {
    emulator.state.configStores.putParameter('/keyless/policy', BAD);
    const error = await loadConfigWithPolicy({ KEYLESS_POLICY: 'ssm:/keyless/policy' }).catch((e: unknown) => e);
    const problems = problemsOf(error);
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.every((p) => p.startsWith('policy '))).toBe(true);
    expect(problems.join('\n')).toMatch(/permissionSets/);
    expect(problems.join('\n')).toMatch(/notAField/);
  });
});

describe('reloading the policy', () => {
  async function watch(location: string) {
    const config = await loadConfigWithPolicy({ KEYLESS_POLICY: location });
    const refusals: PolicyRefusal[] = [];
    const watcher = new PolicyWatcher({
      source: openPolicySource(config.policyLocation),
      initial: config.policy,
      initialVersion: config.policyVersion,
      everyMs: 0,
      logger: silentLogger,
      onRefused: (r) => void refusals.push(r),
    });
    return { watcher, refusals, config };
  }
  const names = (w: PolicyWatcher) => w.current().rules.map((r) => r.name);

  it.each([
    ['ssm:/keyless/policy', (text: string) => emulator.state.configStores.putParameter('/keyless/policy', text)],
    [
      's3://keyless-config/policy.yaml',
      (text: string) => emulator.state.configStores.putObject('keyless-config', 'policy.yaml', text),
    ],
  ])('takes a valid new version of %s, and refuses a bad one with every problem', async (location, put) => {
    const { watcher, refusals, config } = await watch(location);
    await watcher.check();
    expect(watcher.current()).toBe(config.policy); // unchanged: not even parsed again
    put(withRuleRenamed('reloaded'));
    await watcher.check();
    expect(names(watcher)).toContain('reloaded');
    const good = watcher.current();

    put(BAD);
    await watcher.check();
    expect(watcher.current()).toBe(good); // the policy in force stays
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.source).toBe(location);
    expect(refusals[0]!.problems.join('\n')).toMatch(/permissionSets[\s\S]*notAField|notAField[\s\S]*permissionSets/);
    await watcher.check();
    expect(refusals).toHaveLength(1); // told once per bad version

    put(withRuleRenamed('fixed'));
    await watcher.check();
    expect(names(watcher)).toContain('fixed');
  });

  it('asks S3 with the ETag it has, and reads nothing when the object is unchanged', async () => {
    const { watcher } = await watch('s3://keyless-config/policy.yaml');
    emulator.log.clear();
    await watcher.check();
    expect(emulator.log.entries().map((e) => `${e.service}:${e.operation}:${e.outcome}`)).toEqual([
      's3:GetObject:NotModified',
    ]);
  });

  it('reloads a changed file, and keeps the policy when the file becomes invalid or unreadable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-policy-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(file, VALID);
    const { watcher, refusals } = await watch(file);
    writeFileSync(file, withRuleRenamed('edited'));
    await watcher.check();
    expect(names(watcher)).toContain('edited');
    writeFileSync(file, 'rules: [');
    await watcher.check();
    expect(names(watcher)).toContain('edited');
    expect(refusals[0]!.problems[0]).toMatch(/not valid YAML|line/);
  });

  it('polls on its own every N milliseconds', async () => {
    const config = await loadConfigWithPolicy({ KEYLESS_POLICY: 'ssm:/keyless/policy' });
    const watcher = new PolicyWatcher({
      source: openPolicySource(config.policyLocation),
      initial: config.policy,
      initialVersion: config.policyVersion,
      everyMs: 20,
      logger: silentLogger,
    });
    watcher.start();
    emulator.state.configStores.putParameter('/keyless/policy', withRuleRenamed('polled'));
    const end = Date.now() + 5000;
    while (!names(watcher).includes('polled') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await watcher.stop();
    expect(names(watcher)).toContain('polled');
  });

  it('reads KEYLESS_POLICY_RELOAD_EVERY (default 60 s, 0 never)', () => {
    expect(loadConfig({}).policyReloadEveryMs).toBe(60_000);
    expect(loadConfig({ KEYLESS_POLICY_RELOAD_EVERY: '5m' }).policyReloadEveryMs).toBe(300_000);
    expect(loadConfig({ KEYLESS_POLICY_RELOAD_EVERY: '0' }).policyReloadEveryMs).toBe(0);
    expect(() => loadConfig({ KEYLESS_POLICY_RELOAD_EVERY: 'often' })).toThrow(/KEYLESS_POLICY_RELOAD_EVERY/);
  });
});
