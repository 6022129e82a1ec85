import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on a construct, with its reason. `findings` narrows it to the
 * given finding ids (`AwsSolutions-IAM5[Resource::…]`); without it, the whole rule is acknowledged.
 */
export function acknowledge(scope: IConstruct, rule: string, reason: string, findings: string[] = []): void {
  if (findings.length === 0) Validations.of(scope).acknowledge({ id: rule, reason });
  for (const finding of findings) Validations.of(scope).acknowledge({ id: `${rule}[${finding}]`, reason });
}
