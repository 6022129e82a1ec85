/**
 * `npm run bench -- key-scan [--accounts 500] [--users 40] [--latency 20] [--tps 10] [--concurrency 64] [--naive-accounts 10]`
 *
 * keyless's organization scan (credential report + account summary per account, live lookups only
 * for candidate users) against a naive scan that asks IAM about every user one call at a time
 * (ListUsers, then ListAccessKeys and GetAccessKeyLastUsed per user and key), both on the emulator
 * with `latency` ms added to every AWS call. The naive scan is sequential and slow by nature: it is
 * measured on `naive-accounts` accounts in the same run and scaled to all accounts (reported as
 * `naive_sampled_accounts`). The emulator logs every IAM call with its account, so the highest rate
 * any one account saw is reported next to the configured pace.
 */
import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { createAlertEngine, silentLogger, type AlertEvent, type AlertPublisher, type Policy } from '../../src';
import { AwsIamScanner } from '../../adapters/aws/iam/iam-scanner';
import { AwsSts } from '../../adapters/aws/sts/sts';
import { generateSeed, parseSeed, startAwsEmulator } from '../../adapters/local/aws-emulator';
import type { IamSeedInput } from '../../adapters/local/aws-emulator/services/iam';
import { InMemoryAlertStore } from '../../test/fakes/in-memory-alert-store';
import { demoPolicy } from '../../test/builders/policy';
import type { BenchArgs } from '../run';
import { DelayedHandler } from '../support/delayed-handler';

/**
 * A user mix with every kind of finding: mostly healthy keys, some stale, unused, never used, doubled;
 * machine users (IAM path `/machine/`) and people with keys; console users without MFA, with a
 * password unused or never used, and healthy ones.
 */
function iamSeed(accountIds: string[], users: number): IamSeedInput {
  return {
    accounts: accountIds.map((accountId, a) => ({
      accountId,
      root: { mfa: a % 50 !== 0, accessKeys: a % 100 === 0 ? 1 : 0 },
      users: Array.from({ length: users }, (_, u) => {
        const n = (a * users + u) % 20;
        const keys =
          n === 0
            ? [{ createdDaysAgo: 200, lastUsedDaysAgo: 2 }] // stale
            : n === 1
              ? [{ createdDaysAgo: 60, lastUsedDaysAgo: 50 }] // unused
              : n === 2
                ? [{ createdDaysAgo: 30 }] // never used
                : n === 3
                  ? [
                      { createdDaysAgo: 40, lastUsedDaysAgo: 1 },
                      { createdDaysAgo: 5, lastUsedDaysAgo: 1 },
                    ] // two active keys
                  : n < 12
                    ? [{ createdDaysAgo: 20 + n, lastUsedDaysAgo: 1 }]
                    : []; // console-only users
        const console =
          n === 12
            ? { passwordLastUsedDaysAgo: 1, mfa: false } // console without MFA
            : n === 13
              ? { passwordLastUsedDaysAgo: 120, mfa: true } // password unused
              : n === 14
                ? { passwordLastUsedDaysAgo: null, mfa: true } // password never used
                : n >= 15
                  ? { passwordLastUsedDaysAgo: 2, mfa: true }
                  : {};
        const path = n >= 4 && n < 8 ? '/machine/' : '/';
        return { name: `user-${String(u).padStart(3, '0')}`, path, keys, ...console };
      }),
    })),
  };
}

const countingPublisher = (): AlertPublisher & { count: number } => ({
  count: 0,
  async publishAlert(_e: AlertEvent) {
    this.count++;
    return [];
  },
});

export default async function keyScan(args: BenchArgs): Promise<Record<string, unknown>> {
  const accounts = Number(args.accounts ?? 500);
  const users = Number(args.users ?? 40);
  const latency = Number(args.latency ?? 20);
  const tps = Number(args.tps ?? 10);
  const concurrency = Number(args.concurrency ?? 64);
  const naiveAccounts = Math.min(accounts, Number(args['naive-accounts'] ?? 10));
  const org = generateSeed({ accounts, users: 2, ous: 5 });
  const ids = org.accounts.map((a) => a.id);
  const emulator = await startAwsEmulator({ seed: parseSeed({ ...org, iam: iamSeed(ids, users) }), port: 0 });
  const base = { endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1 };
  const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };
  const handler = new DelayedHandler(latency);
  const sts = new STSClient({ ...base, credentials, requestHandler: handler });
  const scanner = new AwsIamScanner(new AwsSts(sts), {
    auditRoleName: 'keyless-scanner',
    remediationRoleName: 'keyless-key-remediation',
    externalId: 'bench-external-id',
    perAccountTps: tps,
    assumeTps: 200,
    client: { ...base, requestHandler: handler },
  });
  // Machine users are told by IAM path, which the credential report carries: no extra IAM call.
  const policy: Policy = demoPolicy({ alerts: { machineUsers: { pathPrefix: '/machine/' } } });
  const engine = createAlertEngine({
    store: new InMemoryAlertStore(),
    publisher: countingPublisher(),
    clock: { now: Date.now, setTimer: () => ({ cancel: () => undefined }) },
    logger: silentLogger,
    policy: () => policy,
    directory: { resolvePrincipal: () => Promise.reject(new Error('not needed')) },
    accounts: async () => org.accounts.map((a) => ({ id: a.id, name: a.name })),
    scanner,
    options: { scanConcurrency: concurrency },
  });
  const iam = emulator.state.security.iam;
  try {
    iam.calls.length = 0;
    const started = Date.now();
    const report = await engine.scanAll();
    const wall = (Date.now() - started) / 1000;
    const maxTps = iam.maxTpsPerAccount();
    const keylessCalls = iam.calls.length;

    // The naive scan, one call at a time, with the audit role's credentials of each account.
    iam.calls.length = 0;
    const naiveStarted = Date.now();
    let naiveFindings = 0;
    for (const accountId of ids.slice(0, naiveAccounts)) {
      const creds = await new AwsSts(sts).assumeRole(accountId, 'keyless-scanner', 'bench-external-id', 'naive');
      const client = new IAMClient({ ...base, credentials: creds, requestHandler: handler });
      let marker: string | undefined;
      do {
        const page = await client.send(new ListUsersCommand({ ...(marker ? { Marker: marker } : {}) }));
        for (const u of page.Users ?? []) {
          const keys = await client.send(new ListAccessKeysCommand({ UserName: u.UserName }));
          for (const k of keys.AccessKeyMetadata ?? []) {
            const used = await client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }));
            const age = Date.now() - (k.CreateDate?.getTime() ?? 0);
            const last = used.AccessKeyLastUsed?.LastUsedDate?.getTime();
            if (age > 90 * 86_400_000 || (last !== undefined && Date.now() - last > 45 * 86_400_000)) naiveFindings++;
          }
        }
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
    }
    const naiveSample = (Date.now() - naiveStarted) / 1000;
    const naiveWall = (naiveSample * accounts) / naiveAccounts;
    console.error(
      `key-scan: ${report.scanned}/${report.accounts} accounts in ${wall.toFixed(2)} s, ${keylessCalls} IAM calls ` +
        `(${(keylessCalls / accounts).toFixed(1)}/account), ${report.failed.length} failed, ${report.findings} findings; ` +
        `naive: ${naiveAccounts} accounts in ${naiveSample.toFixed(2)} s, ${iam.calls.length} IAM calls ` +
        `(${(iam.calls.length / naiveAccounts).toFixed(1)}/account, ${naiveFindings} old or unused keys seen), scaled to ${naiveWall.toFixed(1)} s; pace ${tps} TPS per account`,
    );
    return {
      scenario: 'key-scan',
      accounts,
      users_per_account: users,
      wall_s: Number(wall.toFixed(2)),
      naive_wall_s: Number(naiveWall.toFixed(1)),
      speedup: Number((naiveWall / wall).toFixed(1)),
      max_tps_per_account: maxTps,
      findings: report.findings,
      configured_tps_per_account: tps,
      naive_sampled_accounts: naiveAccounts,
    };
  } finally {
    scanner.stop();
    sts.destroy();
    handler.destroy();
    await emulator.stop();
  }
}
