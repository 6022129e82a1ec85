import { CfnParameter } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The parameters that tie a stack to the keyless stack: its task role, the ExternalId it sends and its
 * event bus (the org stack passes them on to the member stacks unchanged, so they are declared once).
 */
export function keylessLinkParameters(scope: Construct): {
  keylessRoleArn: CfnParameter;
  externalId: CfnParameter;
  busArn: CfnParameter;
} {
  return {
    keylessRoleArn: new CfnParameter(scope, 'KeylessRoleArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
      description: "ARN of keyless's task role (output TaskRoleArn of the keyless stack).",
    }),
    externalId: new CfnParameter(scope, 'ExternalId', {
      type: 'String',
      noEcho: true,
      minLength: 16,
      maxLength: 1224,
      allowedPattern: '^[\\w+=,.@:/-]+$',
      description: 'The ExternalId keyless sends with sts:AssumeRole (the same value as the keyless stack).',
    }),
    busArn: new CfnParameter(scope, 'EventBusArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/.+$',
      description: "keyless's event bus (output EventBusArn of the keyless stack).",
    }),
  };
}
