/**
 * Keeps the policy in force current: every `everyMs` it asks the source whether the policy
 * changed (file content, SSM version, S3 ETag), and takes a new version only when it is valid
 * as a whole. A bad version is refused with every problem listed, the policy in force stays,
 * and the security channel is told once per bad version; an unreadable source is logged only.
 */
import { isKeylessError, type Logger, type Policy } from '../../src';
import type { PolicyDocumentSource } from '../aws/policy-source';
import { parsePolicyText, policyProblems } from './config';

export interface PolicyRefusal {
  /** Where the policy is, as people name it. */
  source: string;
  /** The refused version (hash, SSM version, ETag). */
  version: string;
  problems: string[];
}

export interface PolicyWatcherOptions {
  source: PolicyDocumentSource;
  initial: Policy;
  /** The version of `initial`, when known (else the first check re-reads and compares). */
  initialVersion?: string;
  /** 0: never reload. */
  everyMs: number;
  logger: Logger;
  /** A valid new policy is in force. */
  onReloaded?: (policy: Policy, version: string) => void;
  /** A new version was refused; the old policy stays. */
  onRefused?: (refusal: PolicyRefusal) => void | Promise<void>;
}

export class PolicyWatcher {
  private policy: Policy;
  private version: string | undefined;
  private refusedVersion: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(private readonly options: PolicyWatcherOptions) {
    this.policy = options.initial;
    this.version = options.initialVersion;
  }

  /** The policy in force. */
  current(): Policy {
    return this.policy;
  }

  currentVersion(): string | undefined {
    return this.version;
  }

  start(): void {
    if (this.options.everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.check(), this.options.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  /** One look at the source; concurrent calls share it. Never throws. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const { source, logger } = this.options;
    let document;
    try {
      document = await source.read(this.version);
    } catch (error) {
      logger.warn({ err: error, policy: source.name }, 'the policy source cannot be read; the policy in force stays');
      return;
    }
    if (!document || document.version === this.refusedVersion) return;
    try {
      const policy = parsePolicyText(document.text, source.name);
      this.policy = policy;
      this.version = document.version;
      this.refusedVersion = undefined;
      logger.info({ policy: source.name, version: document.version, rules: policy.rules.length }, 'policy reloaded');
      this.options.onReloaded?.(policy, document.version);
    } catch (error) {
      if (!isKeylessError(error)) throw error;
      this.refusedVersion = document.version;
      const refusal = { source: source.name, version: document.version, problems: policyProblems(error) };
      logger.error(
        { code: 'POLICY_REFUSED', policy: source.name, version: document.version, problems: refusal.problems },
        'a new policy was refused; the policy in force stays',
      );
      await Promise.resolve(this.options.onRefused?.(refusal)).catch((e: unknown) =>
        logger.warn({ err: e }, 'could not tell the security channel about the refused policy'),
      );
    }
  }
}
