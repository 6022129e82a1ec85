/**
 * keyless's own service control policies (the SessionCutPolicies port) in AWS Organizations.
 *
 * - Owned policies are the SCPs named `<prefix>-<slot>` (slot: digits), tagged `keyless=session-cut`;
 *   the tag is what the least-privilege policy scopes UpdatePolicy/DeletePolicy/DetachPolicy to.
 * - Every change is retried with capped exponential backoff and full jitter on
 *   ConcurrentModificationException, TooManyRequestsException and transient errors; anything else
 *   becomes a KeylessError that says what to do.
 * Organizations: https://docs.aws.amazon.com/organizations/latest/APIReference/API_Operations.html
 */
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  UpdatePolicyCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ErrorCodes, KeylessError, type OwnedPolicy, type SessionCutPolicies } from '../../../src';
import { sleep } from '../../shared/pace';
import { awsErrorName, isThrottling, isTransient, translateAwsError } from '../identity-center/aws-errors';
import { backoffDelay, defaultRetry, type RetryOptions } from '../identity-center/aws-caller';

/** The tag every keyless session-cut policy carries (the IAM policy's aws:ResourceTag condition). */
export const SESSION_CUT_TAG = { Key: 'keyless', Value: 'session-cut' } as const;
export const SCP_TYPE = 'SERVICE_CONTROL_POLICY';

export interface SessionCutPoliciesOptions {
  /** Policy names are `<prefix>-<slot>`. */
  prefix: string;
  /** Where the policies attach: the organization root (`r-…`) or OUs (`ou-…`). */
  targets: readonly string[];
  retry?: RetryOptions;
}

const isConcurrent = (error: unknown): boolean => awsErrorName(error) === 'ConcurrentModificationException';

function reasonOf(error: unknown): string | undefined {
  return (error as { Reason?: string } | undefined)?.Reason;
}

/** Organizations errors keyless can explain, in words a person can act on. */
export function translateOrganizationsError(error: unknown, action: string, details: Record<string, unknown> = {}) {
  const name = awsErrorName(error);
  const reason = reasonOf(error);
  const make = (code: (typeof ErrorCodes)[keyof typeof ErrorCodes], message: string, hint: string) =>
    new KeylessError(code, message, {
      hint,
      cause: error,
      details: { ...details, action, awsError: name, ...(reason ? { reason } : {}) },
    });
  if (name === 'PolicyTypeNotEnabledException') {
    return make(
      ErrorCodes.ConfigInvalid,
      'Service control policies are not enabled in this organization, so keyless cannot end the live sessions of revoked grants.',
      'Enable them in the management account (aws organizations enable-policy-type --root-id r-… --policy-type SERVICE_CONTROL_POLICY), or set KEYLESS_SESSION_CUT=off.',
    );
  }
  if (name === 'ConstraintViolationException' && reason === 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED') {
    return make(
      ErrorCodes.ConfigInvalid,
      `A target of keyless's session-cut policies already has 5 service control policies attached, the most AWS allows (${String(details.target ?? 'target')}).`,
      'Detach an SCP you no longer need from that root or OU (keyless needs one free slot per policy), or point KEYLESS_SESSION_CUT_TARGETS elsewhere.',
    );
  }
  if (name === 'ConstraintViolationException' && reason === 'POLICY_CONTENT_LIMIT_EXCEEDED') {
    return make(
      ErrorCodes.InvalidInput,
      'A session-cut policy is larger than the 5,120 characters AWS allows for a service control policy.',
      'This is a keyless defect: policies are split before they reach this size. Report it with the log line.',
    );
  }
  if (name === 'ConstraintViolationException' && reason === 'POLICY_NUMBER_LIMIT_EXCEEDED') {
    return make(
      ErrorCodes.ConfigInvalid,
      'The organization has as many service control policies as AWS allows; keyless cannot create another.',
      'Delete SCPs the organization no longer uses.',
    );
  }
  if (name === 'MalformedPolicyDocumentException') {
    return make(
      ErrorCodes.InvalidInput,
      `AWS refused a session-cut policy as malformed: ${(error as Error).message}`,
      'This is a keyless defect. Report it with the log line.',
    );
  }
  if (name === 'DuplicatePolicyException') {
    return make(
      ErrorCodes.ConfigInvalid,
      `A service control policy named ${String(details.name ?? '')} exists already but keyless cannot see it as its own.`,
      'Rename or delete that policy, or choose another KEYLESS_SESSION_CUT_PREFIX.',
    );
  }
  return translateAwsError(error, { action, details });
}

export class AwsSessionCutPolicies implements SessionCutPolicies {
  private readonly retry: RetryOptions;
  private readonly slotName: RegExp;

  constructor(
    private readonly client: OrganizationsClient,
    private readonly options: SessionCutPoliciesOptions,
  ) {
    if (!/^[\w+=,.@-]{1,100}$/.test(options.prefix)) {
      throw new KeylessError(ErrorCodes.ConfigInvalid, `"${options.prefix}" cannot start a policy name.`);
    }
    if (options.targets.length === 0) {
      throw new KeylessError(
        ErrorCodes.ConfigInvalid,
        'keyless needs at least one root or OU to attach its policies to.',
      );
    }
    this.retry = options.retry ?? defaultRetry;
    this.slotName = new RegExp(`^${options.prefix.replace(/[.+^$()|[\]\\]/g, '\\$&')}-(\\d{1,6})$`);
  }

  /** Sends with retries on conflicts, throttling and transient errors; translates anything else. */
  private async send<T>(
    action: string,
    work: () => Promise<T>,
    details: Record<string, unknown> = {},
    passThrough?: (error: unknown) => boolean,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (passThrough?.(error)) throw error;
        const retryable = isConcurrent(error) || isThrottling(error) || isTransient(error);
        if (!retryable || attempt + 1 >= this.retry.maxAttempts) {
          throw translateOrganizationsError(error, action, { ...details, attempts: attempt + 1 });
        }
        await sleep(backoffDelay(this.retry, attempt));
      }
    }
  }

  private slotOf(name: string | undefined): number | undefined {
    const m = name === undefined ? null : this.slotName.exec(name);
    return m ? Number(m[1]) : undefined;
  }

  async list(): Promise<OwnedPolicy[]> {
    const owned: { id: string; slot: number }[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.send('organizations:ListPolicies', () =>
        this.client.send(new ListPoliciesCommand({ Filter: SCP_TYPE, ...(NextToken ? { NextToken } : {}) })),
      );
      for (const p of page.Policies ?? []) {
        const slot = this.slotOf(p.Name);
        if (slot !== undefined && p.Id && !p.AwsManaged) owned.push({ id: p.Id, slot });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    const result: OwnedPolicy[] = [];
    for (const p of owned.sort((a, b) => a.slot - b.slot)) {
      const out = await this.send(
        'organizations:DescribePolicy',
        () => this.client.send(new DescribePolicyCommand({ PolicyId: p.id })),
        { policyId: p.id },
      );
      result.push({ ...p, content: out.Policy?.Content ?? '' });
    }
    return result;
  }

  async create(slot: number, content: string): Promise<OwnedPolicy> {
    if (!Number.isInteger(slot) || slot < 0 || slot > 999_999) {
      throw new KeylessError(ErrorCodes.InvalidInput, `${slot} is not a policy slot (0–999999).`);
    }
    const name = `${this.options.prefix}-${slot}`;
    const existing = (await this.list()).find((p) => p.slot === slot);
    let id: string;
    if (existing) {
      await this.update(existing.id, content);
      id = existing.id;
    } else {
      const out = await this.send(
        'organizations:CreatePolicy',
        () =>
          this.client.send(
            new CreatePolicyCommand({
              Name: name,
              Description: 'keyless: denies the live sessions of revoked grants (issued before the revocation).',
              Type: SCP_TYPE,
              Content: content,
              Tags: [{ ...SESSION_CUT_TAG }],
            }),
          ),
        { name },
      );
      id = out.Policy?.PolicySummary?.Id ?? '';
      if (!id) throw new KeylessError(ErrorCodes.Unavailable, 'AWS created a policy but did not say its id.');
    }
    await this.attachEverywhere(id);
    return { id, slot, content };
  }

  /** Attaches a policy to every configured target that does not have it yet. */
  private async attachEverywhere(policyId: string): Promise<void> {
    const attached = await this.targetsOf(policyId);
    for (const target of this.options.targets) {
      if (attached.has(target)) continue;
      const duplicate = (error: unknown) => awsErrorName(error) === 'DuplicatePolicyAttachmentException';
      await this.send(
        'organizations:AttachPolicy',
        () => this.client.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: target })),
        { policyId, target },
        duplicate,
      ).catch((error: unknown) => {
        if (!duplicate(error)) throw error;
      });
    }
  }

  private async targetsOf(policyId: string, passThrough?: (error: unknown) => boolean): Promise<Set<string>> {
    const targets = new Set<string>();
    let NextToken: string | undefined;
    do {
      const page = await this.send(
        'organizations:ListTargetsForPolicy',
        () =>
          this.client.send(
            new ListTargetsForPolicyCommand({ PolicyId: policyId, ...(NextToken ? { NextToken } : {}) }),
          ),
        { policyId },
        passThrough,
      );
      for (const t of page.Targets ?? []) if (t.TargetId) targets.add(t.TargetId);
      NextToken = page.NextToken;
    } while (NextToken);
    return targets;
  }

  async update(policyId: string, content: string): Promise<void> {
    await this.send(
      'organizations:UpdatePolicy',
      () => this.client.send(new UpdatePolicyCommand({ PolicyId: policyId, Content: content })),
      { policyId },
    );
  }

  async remove(policyId: string): Promise<void> {
    const gone = (error: unknown) => awsErrorName(error) === 'PolicyNotFoundException';
    let targets: Set<string>;
    try {
      targets = await this.targetsOf(policyId, gone);
    } catch (error) {
      if (gone(error)) return;
      throw error;
    }
    for (const target of targets) {
      const notAttached = (error: unknown) => awsErrorName(error) === 'PolicyNotAttachedException' || gone(error);
      await this.send(
        'organizations:DetachPolicy',
        () => this.client.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: target })),
        { policyId, target },
        notAttached,
      ).catch((error: unknown) => {
        if (!notAttached(error)) throw error;
      });
    }
    await this.send(
      'organizations:DeletePolicy',
      () => this.client.send(new DeletePolicyCommand({ PolicyId: policyId })),
      { policyId },
      gone,
    ).catch((error: unknown) => {
      if (!gone(error)) throw error;
    });
  }
}

/**
 * The organization's management account id, read from the root's ARN
 * (`arn:aws:organizations::<management account>:root/<org>/<root>`): service control policies never
 * apply to it, so its grants are told their sessions are not ended. ListRoots is a call keyless
 * already makes for the account catalog, so this needs no other permission.
 */
export async function managementAccountOf(client: OrganizationsClient): Promise<string | undefined> {
  const root = (await client.send(new ListRootsCommand({}))).Roots?.[0];
  return /^arn:[^:]+:organizations::(\d{12}):root\//.exec(root?.Arn ?? '')?.[1];
}
