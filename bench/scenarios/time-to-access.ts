/**
 * `npm run bench -- time-to-access [--grants 100] [--delay 2000] [--tps 18] [--outstanding 10] [--jitter 0]`
 *
 * N grants approved at once against the local AWS emulator with a provisioning delay D: N
 * concurrent `assign` calls on the real adapter (the engine is not in the loop yet).
 * overhead = (assign() resolved) − (the emulator's operation reached SUCCEEDED), per grant.
 * The emulator logs every request, so the highest rate it saw in any one-second window is
 * reported next to the configured pace.
 */
import type { BenchArgs } from '../run';
import type { AssignmentKey, PermissionSetArn, PrincipalId } from '../../src';
import { generateSeed, startAwsEmulator } from '../../adapters/local/aws-emulator';
import { localIdentityCenter } from '../support/local-stack';

const quantile = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;

export default async function timeToAccess(args: BenchArgs): Promise<Record<string, unknown>> {
  const grants = Number(args.grants ?? 100);
  const delay = Number(args.delay ?? 2000);
  const jitter = Number(args.jitter ?? 0);
  const side = Math.ceil(Math.sqrt(grants));
  const emulator = await startAwsEmulator({
    seed: generateSeed({ accounts: side, users: side, ous: 3 }),
    port: 0,
    faults: { provisioningDelayMs: delay, provisioningJitterMs: jitter },
  });
  // AWS's own pace (the adapter's defaults), unless told otherwise.
  const { identity: ic, destroy } = localIdentityCenter(emulator.url, {
    pace: {
      ...(args.tps ? { tps: Number(args.tps) } : {}),
      ...(args.outstanding ? { maxOutstandingCreates: Number(args.outstanding) } : {}),
    },
  });
  try {
    // Warm-up outside the measurement: principals and the catalog, as a running bot has them.
    const users = await Promise.all(
      Array.from({ length: side }, (_, i) => ic.resolvePrincipal(`user${i}@example.com`)),
    );
    const accounts = await ic.listAccounts();
    const [ps] = await ic.listPermissionSets();
    const keys: AssignmentKey[] = [];
    for (const u of users) {
      for (const a of accounts) {
        if (keys.length < grants)
          keys.push({
            principalId: u.principalId as PrincipalId,
            accountId: a.id,
            permissionSetArn: ps!.arn as PermissionSetArn,
          });
      }
    }
    emulator.log.clear();

    const started = Date.now();
    const confirmedAt = new Map<string, number>();
    const failures: string[] = [];
    await Promise.all(
      keys.map((k) =>
        ic.assign(k).then(
          () => confirmedAt.set(`${k.principalId}#${k.accountId}`, Date.now()),
          (e: unknown) => failures.push((e as Error).message),
        ),
      ),
    );
    const totalMs = Date.now() - started;

    const overheads: number[] = [];
    for (const op of emulator.state.operations()) {
      if (op.kind !== 'create' || op.status !== 'SUCCEEDED' || op.completedAt === undefined) continue;
      const confirmed = confirmedAt.get(`${op.assignment.principalId}#${op.assignment.accountId}`);
      if (confirmed !== undefined) overheads.push(confirmed - op.completedAt);
    }
    overheads.sort((a, b) => a - b);
    const counts = emulator.log.counts();
    const calls = Object.values(counts).reduce((a, b) => a + b, 0);
    console.error(
      `time-to-access: ${overheads.length}/${grants} confirmed in ${totalMs} ms, ${calls} calls ` +
        `(${counts['sso-admin:DescribeAccountAssignmentCreationStatus'] ?? 0} polls), failures ${failures.length}`,
    );
    return {
      scenario: 'time-to-access',
      grants,
      provisioning_delay_ms: delay,
      p50_overhead_ms: quantile(overheads, 0.5),
      p99_overhead_ms: quantile(overheads, 0.99),
      max_overhead_ms: overheads[overheads.length - 1] ?? NaN,
      max_tps_observed: emulator.log.maxTps(['sso-admin', 'identitystore']),
      pace_tps: ic.paceOptions.tps,
      pace_max_outstanding_creates: ic.paceOptions.maxOutstandingCreates,
      polls_per_grant: Number(((counts['sso-admin:DescribeAccountAssignmentCreationStatus'] ?? 0) / grants).toFixed(2)),
      total_ms: totalMs,
      throttled: emulator.log.entries().filter((e) => e.outcome === 'ThrottlingException').length,
      failures: failures.length,
    };
  } finally {
    destroy();
    await emulator.stop();
  }
}
