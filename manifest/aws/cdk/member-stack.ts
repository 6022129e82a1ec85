/**
 * manifest/aws/member-roles.yml: what keyless needs in every account and Region of the organization.
 * The organization stack deploys it everywhere with a service-managed StackSet (auto-deployment on,
 * so a new account is covered as soon as it joins an OU); the management account, which a
 * service-managed StackSet never targets, deploys it with plain CloudFormation (README).
 *
 * - In the home Region only (IAM is global): the audit role (keyless-scanner) and the remediation
 *   role (keyless-key-remediation: UpdateAccessKey, and DeleteAccessKey for an approved rotation). Both trust only keyless's task role, and
 *   only with the ExternalId.
 * - In every Region: a rule that forwards root activity and AWS Health exposed-key notices to
 *   keyless's event bus, and a heartbeat rule that forwards a scheduled event to the same bus.
 *
 * Why forwarding rules and not an organization trail alone: CloudTrail puts each account's events on
 * the default EventBridge bus of that account, in the Region where the call was made (a root console
 * sign-in lands in the Region of the sign-in endpoint, usually us-east-1). An organization trail
 * writes every account's logs to one S3 bucket, but puts nothing on the management account's bus, and
 * reading S3 files adds minutes. AWS's documented way to centralize events is a rule in each source
 * account and Region whose target is an event bus in the central account ("cross-account,
 * cross-Region event bus target", with an execution role, as AWS recommends for bus targets). A
 * trail that logs management events must exist in each account for the "AWS API Call via
 * CloudTrail" events (an organization trail, e.g. Control Tower's, covers every member); the rule
 * asks for read-only management events too (state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS),
 * since keyless reports read-only root calls in its digest.
 *
 * The heartbeat: EventBridge's own scheduled event, forwarded like the rest. keyless counts it as a
 * sign of life for its Region (src/domain/root-activity.ts, SCHEDULED_EVENT); a Region in
 * KEYLESS_ALERTS_EXPECTED_REGIONS that sends nothing for a day raises "region silent".
 */
import { CfnCondition, CfnParameter, CfnResource, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { keylessLinkParameters } from './link-parameters';
import { acknowledge } from './nag';
import {
  API_CALL,
  CONSOLE_SIGN_IN,
  CONSOLE_SIGN_IN_AS_DOCUMENTED,
  CREDENTIALS_EXPOSED,
  HEALTH_EVENT,
} from '../../../src';
import { HOME_REGION, REMEDIATION_ROLE, SCANNER_ROLE } from './names';

/** Root activity and exposed keys: the events keyless turns into findings. */
export const ROOT_ACTIVITY_PATTERN = {
  $or: [
    {
      'detail-type': [CONSOLE_SIGN_IN, CONSOLE_SIGN_IN_AS_DOCUMENTED, API_CALL],
      detail: { userIdentity: { type: ['Root'] } },
    },
    { source: ['aws.health'], 'detail-type': [HEALTH_EVENT], detail: { eventTypeCode: [CREDENTIALS_EXPOSED] } },
  ],
};

export const MEMBER_PARAMETERS = ['KeylessRoleArn', 'ExternalId', 'EventBusArn', 'RolesRegion', 'HeartbeatSchedule'];

export class MemberStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description:
        'keyless in a member account: audit and key-remediation roles, root activity and heartbeat forwarding',
      ...props,
    });
    const { keylessRoleArn, externalId, busArn } = keylessLinkParameters(this);
    const rolesRegion = new CfnParameter(this, 'RolesRegion', {
      type: 'String',
      default: HOME_REGION,
      description: 'The one Region where the IAM roles are created (IAM is global: one copy per account).',
    });
    const heartbeat = new CfnParameter(this, 'HeartbeatSchedule', {
      type: 'String',
      default: 'rate(1 hour)',
      description: 'How often each Region tells keyless it is alive (keyless alerts after a day of silence).',
    });

    const inRolesRegion = new CfnCondition(this, 'InRolesRegion', {
      expression: Fn.conditionEquals(Fn.ref('AWS::Region'), rolesRegion.valueAsString),
    });
    const trustKeyless = () =>
      new iam.ArnPrincipal(keylessRoleArn.valueAsString).withConditions({
        StringEquals: { 'sts:ExternalId': externalId.valueAsString },
      });
    const usersArn = `arn:${this.partition}:iam::${this.account}:user/*`;

    const scanner = new iam.Role(this, 'KeylessScannerRole', {
      roleName: SCANNER_ROLE,
      maxSessionDuration: Duration.hours(1),
      assumedBy: trustKeyless(),
      description:
        'keyless audit role: credential report, account summary, access keys, their last use and user tags, CloudTrail event history',
      inlinePolicies: {
        'keyless-scanner': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'CredentialReportAndAccountSummaryHaveNoResource',
              actions: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport', 'iam:GetAccountSummary'],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              sid: 'AccessKeysLastUseAndTagsOfUsers',
              actions: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:ListUserTags'],
              resources: [usersArn],
            }),
            // What an ended grant did (issue 18): CloudTrail's event history, read-only; LookupEvents has no resource.
            new iam.PolicyStatement({
              sid: 'EventHistoryOfEndedGrantsHasNoResource',
              actions: ['cloudtrail:LookupEvents'],
              resources: ['*'],
            }),
          ],
        }),
      },
    });
    const remediation = new iam.Role(this, 'KeylessKeyRemediationRole', {
      roleName: REMEDIATION_ROLE,
      maxSessionDuration: Duration.hours(1),
      assumedBy: trustKeyless(),
      description:
        'keyless key remediation: deactivate or reactivate an access key, delete one after an approved rotation; never create or read',
      inlinePolicies: {
        'keyless-key-remediation': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'ActivateOrDeactivateAccessKeysOfUsers',
              actions: ['iam:UpdateAccessKey'],
              resources: [usersArn],
            }),
            // The rotation assistant's last step, after an approval, on a key inactive and unused
            // for the whole waiting period. Never CreateAccessKey: keyless never handles a secret.
            new iam.PolicyStatement({
              sid: 'DeleteRotatedAccessKeysOfUsers',
              actions: ['iam:DeleteAccessKey'],
              resources: [usersArn],
            }),
          ],
        }),
      },
    });
    for (const [role, logicalId] of [
      [scanner, 'KeylessScannerRole'],
      [remediation, 'KeylessKeyRemediationRole'],
    ] as const) {
      const cfn = role.node.defaultChild as iam.CfnRole;
      cfn.overrideLogicalId(logicalId);
      cfn.cfnOptions.condition = inRolesRegion;
      acknowledge(
        role,
        'AwsSolutions-IAM5',
        'Access keys belong to IAM users: the role acts on the users of its own account (the scanner reads all of them); the credential report and the account summary take no resource.',
        ['Resource::*', 'Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*'],
      );
    }

    // EventBridge assumes this role to put events on keyless's bus (another account, maybe another Region).
    const forwarder = new iam.Role(this, 'ForwardToKeylessRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: "Lets EventBridge forward root activity and heartbeats to keyless's event bus",
      inlinePolicies: {
        'put-on-keyless-bus': new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [busArn.valueAsString] })],
        }),
      },
    });
    (forwarder.node.defaultChild as CfnResource).overrideLogicalId('ForwardToKeylessRole');
    const target = { id: 'keyless-bus', arn: busArn.valueAsString, roleArn: forwarder.roleArn };

    new events.CfnRule(this, 'RootActivityForwarder', {
      description: "Root sign-ins, root API calls (read-only too) and exposed-key notices, to keyless's bus",
      eventPattern: ROOT_ACTIVITY_PATTERN,
      state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      targets: [target],
    }).overrideLogicalId('RootActivityForwarder');
    new events.CfnRule(this, 'Heartbeat', {
      description: 'Tells keyless this Region is still forwarded (a silent Region raises an alert)',
      scheduleExpression: heartbeat.valueAsString,
      state: 'ENABLED',
      targets: [target],
    }).overrideLogicalId('Heartbeat');
  }
}
