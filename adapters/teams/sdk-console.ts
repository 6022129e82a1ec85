import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * botbuilder's token validation writes to the console on its own (`console.error(err)` with a stack
 * for an expired token, the signing key's PEM for a bad signature): several non-JSON lines per forged
 * request, which lets anyone flood the logs. keyless logs one JSON line per refused request itself,
 * so console output made *inside* a Teams authentication is dropped. The scope is an
 * AsyncLocalStorage, so console output of everything else (even concurrent) is untouched.
 */
const scope = new AsyncLocalStorage<{ dropped: number }>();
const WRAPPED = Symbol.for('keyless.teams.sdk-console');
const LEVELS = ['error', 'warn', 'log', 'info', 'debug'] as const;

type ConsoleFn = ((...args: unknown[]) => void) & { [WRAPPED]?: true };

/** Wraps the console methods (again, if something replaced them since) so that scoped output is dropped. */
export function muteSdkConsoleInScope(): void {
  for (const level of LEVELS) {
    const current = console[level] as ConsoleFn;
    if (current[WRAPPED]) continue;
    const wrapped: ConsoleFn = (...args: unknown[]) => {
      const store = scope.getStore();
      if (store) {
        store.dropped += 1;
        return;
      }
      current.apply(console, args);
    };
    wrapped[WRAPPED] = true;
    console[level] = wrapped;
  }
}

/** Runs `work` with the SDK's console output dropped. */
export function withoutSdkConsole<T>(work: () => Promise<T>): Promise<T> {
  return scope.run({ dropped: 0 }, work);
}
