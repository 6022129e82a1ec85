/**
 * `npm run bench -- revocation [--grants 1000] [--window 10000] [--lead 5000] [--delay 250]
 *  [--replicas 1] [--dynamo process|inline] [--sweep 2000] [--audit on]`
 *
 * N active grants whose expiresAt fall evenly within a window, revoked by one engine on dynalite
 * and the local AWS emulator. lag = DeleteAccountAssignment arrival − expiresAt (see
 * bench/support/revocation-run.ts for what is set up and what is measured). `--audit on` runs the
 * audit pump beside the engine and reports its DynamoDB commands apart (`audit_pump_ops`).
 */
import type { BenchArgs } from '../run';
import { runRevocation } from '../support/revocation-run';

export function revocationOptions(args: BenchArgs, replicas: number) {
  return {
    grants: Number(args.grants ?? 1000),
    replicas: Number(args.replicas ?? replicas),
    windowMs: Number(args.window ?? 10_000),
    leadMs: Number(args.lead ?? 5000),
    delayMs: Number(args.delay ?? 250),
    dynamoInProcess: args.dynamo === 'inline',
    graceMs: Number(args.grace ?? 30_000),
    ...(args.sweep ? { sweepMs: Number(args.sweep) } : {}),
    ...(args.audit === 'on' ? { auditPump: true } : {}),
  };
}

export default async function revocation(args: BenchArgs): Promise<Record<string, unknown>> {
  const { grants, replicas, ...rest } = await runRevocation(revocationOptions(args, 1));
  return { scenario: 'revocation', grants, ...(replicas !== 1 ? { replicas } : {}), ...rest };
}
