/**
 * A typed client for the emulator's admin API, for harnesses that run it as its own process
 * (the crash harness, the playground). In-process tests use `startAwsEmulator` directly.
 */
import type { FaultSettings, FaultsSnapshot } from './faults';
import type { LoggedRequest } from './request-log';
import type { AssignmentOperation, EmuAssignment, EmuMembership, MembershipChange } from './world';

export interface FaultRequest extends Partial<FaultSettings> {
  failNextCreates?: { count: number; reason: string };
  failNextDeletes?: { count: number; reason: string };
  conflictNext?: { count: number; operation?: string };
  throttleNext?: { count: number; operation?: string };
  deny?: string[];
  allow?: string[];
}

export class AwsEmulatorAdminClient {
  constructor(private readonly url: string) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/_emulator/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`emulator admin ${method} ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  health(): Promise<{ ok: boolean }> {
    return this.call('GET', 'health');
  }

  state(): Promise<{
    assignments: EmuAssignment[];
    operations: AssignmentOperation[];
    faults: FaultsSnapshot;
    /** Group memberships now, and every one created or removed through the API. */
    memberships: EmuMembership[];
    membershipChanges: MembershipChange[];
  }> {
    return this.call('GET', 'state');
  }

  log(): Promise<{ entries: LoggedRequest[]; counts: Record<string, number>; maxTps: number }> {
    return this.call('GET', 'log');
  }

  faults(request: FaultRequest): Promise<FaultsSnapshot> {
    return this.call('POST', 'faults', request);
  }

  reset(): Promise<{ ok: boolean }> {
    return this.call('POST', 'reset');
  }
}
