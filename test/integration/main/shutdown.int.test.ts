/**
 * Issue 8: SIGTERM during a burst of approvals. The bot runs as its own process (`cli.ts start`)
 * against dynalite and the AWS emulator, each in its own process; 100 approved requests arrive at
 * once, the bot is told to stop while it provisions them, and must exit cleanly. After a restart,
 * no grant is left in provisioning and no assignment exists without an active grant.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PermissionSetArn } from '../../../src';
import { generateSeed } from '../../../adapters/local/aws-emulator';
import {
  approvedRequest,
  killAllChildren,
  localIdentityCenter,
  localStore,
  resolveTargets,
  spawnChild,
  spawnService,
  targetKey,
  waitFor,
  type ChildService,
} from '../../../bench/support/local-stack';

describe('graceful shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyless-sigterm-'));
  afterAll(() => {
    killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes what it started on SIGTERM, and a restart completes the rest with nothing leaked', async () => {
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(generateSeed({ accounts: 4, users: 30, ous: 2, permissionSets: 2 })));
    const [aws, dynamo] = await Promise.all([
      spawnService('adapters/local/aws-emulator/cli.ts', ['--port', '0', '--seed', seedFile, '--delay', '400']),
      spawnService('bench/support/dynalite-server.ts', ['--path', join(dir, 'dynamodb')]),
    ]);
    const table = 'keyless-sigterm';
    const { store, client } = await localStore(dynamo.url, table);
    const ic = localIdentityCenter(aws.url);
    try {
      const targets = await resolveTargets(ic.identity, 30, 100);
      const env: NodeJS.ProcessEnv = {
        KEYLESS_MODE: 'local',
        AWS_ENDPOINT_URL: aws.url,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDSIGTERMTEST',
        AWS_SECRET_ACCESS_KEY: 'local',
        KEYLESS_PORT: '0',
        KEYLESS_SWEEP_MS: '200',
        KEYLESS_TABLE: table,
        KEYLESS_DATA_DIR: join(dir, 'data'),
        KEYLESS_LOG_LEVEL: 'warn',
        KEYLESS_AWS_TPS: '60',
        KEYLESS_AWS_MAX_OUTSTANDING: '10',
      };
      const start = async (): Promise<ChildService> => {
        const bot = spawnChild('adapters/main/cli.ts', ['start'], env);
        let ready = false;
        bot.onLine((line) => (ready ||= line.includes('is running at')));
        expect(await waitFor(async () => ready || !bot.alive, 60_000)).toBe(true);
        expect(bot.alive).toBe(true);
        return bot;
      };

      const first = await start();
      const now = Date.now();
      await Promise.all(
        targets.map((t, i) =>
          store.createRequest(approvedRequest(`sigterm-${String(i).padStart(3, '0')}`, t, 3600, now)),
        ),
      );
      // Stop it while the burst is being provisioned: some grants active, others not yet begun.
      expect(await waitFor(async () => (await store.listGrants({ status: 'active' })).length >= 5, 30_000, 50)).toBe(
        true,
      );
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      const afterStop = await store.listGrants({ status: 'provisioning' });
      expect(afterStop).toEqual([]); // nothing half-done: what was started, finished

      const second = await start();
      const settled = await waitFor(async () => {
        const [approved, provisioning] = await Promise.all([
          store.listRequests({ status: 'approved' }),
          store.listGrants({ status: 'provisioning' }),
        ]);
        return approved.length === 0 && provisioning.length === 0;
      }, 60_000);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(settled).toBe(true);

      const active = await store.listGrants({ status: 'active' });
      expect(active).toHaveLength(100);
      const sets = await ic.identity.listPermissionSets();
      const assignments = await ic.identity.listAssignments(sets.map((s) => s.arn as PermissionSetArn));
      const granted = new Set(active.map(targetKey));
      expect(assignments.filter((a) => !granted.has(targetKey(a)))).toEqual([]);
      expect(assignments).toHaveLength(100);
    } finally {
      ic.destroy();
      client.destroy();
      await Promise.all([aws.kill('SIGTERM'), dynamo.kill('SIGTERM')]);
    }
  }, 180_000);
});
