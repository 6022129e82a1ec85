/**
 * manifest/aws/org.yml: deployed once in the management account (or a CloudFormation delegated
 * administrator account, CallAs=DELEGATED_ADMIN). It creates a service-managed StackSet of
 * member-roles.yml with auto-deployment: every account of the chosen OUs (the root id r-… for the
 * whole organization) gets the roles and the forwarding rules in every chosen Region, and so does
 * every account that joins later. Removed accounts lose them.
 */
import { CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';
import { keylessLinkParameters } from './link-parameters';
import { DEFAULT_REGIONS, HOME_REGION, STACK_SET_NAME } from './names';

export class OrgStack extends Stack {
  constructor(scope: Construct, id: string, memberTemplate: object, props: StackProps = {}) {
    super(scope, id, {
      description: 'keyless for the whole organization: a StackSet of the member-account roles and forwarding rules',
      ...props,
    });
    const ous = new CfnParameter(this, 'OrganizationalUnitIds', {
      type: 'CommaDelimitedList',
      description: 'OUs to cover (ou-…), or the root id (r-…) for every account of the organization.',
    });
    const regions = new CfnParameter(this, 'Regions', {
      type: 'CommaDelimitedList',
      default: DEFAULT_REGIONS.join(','),
      description:
        "Regions to forward root activity and heartbeats from. Keep it equal to the keyless stack's WatchedRegions.",
    });
    const { keylessRoleArn, externalId, busArn } = keylessLinkParameters(this);
    const rolesRegion = new CfnParameter(this, 'RolesRegion', {
      type: 'String',
      default: HOME_REGION,
      description: 'The Region where the member IAM roles are created (one of Regions).',
    });
    const callAs = new CfnParameter(this, 'CallAs', {
      type: 'String',
      default: 'SELF',
      allowedValues: ['SELF', 'DELEGATED_ADMIN'],
      description: 'SELF in the management account; DELEGATED_ADMIN in a delegated administrator account.',
    });

    const stackSet = new CfnStackSet(this, 'MemberStackSet', {
      stackSetName: STACK_SET_NAME,
      description: 'keyless audit and remediation roles, root activity and heartbeat forwarding',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: callAs.valueAsString,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 10,
      },
      parameters: [
        { parameterKey: 'KeylessRoleArn', parameterValue: keylessRoleArn.valueAsString },
        { parameterKey: 'ExternalId', parameterValue: externalId.valueAsString },
        { parameterKey: 'EventBusArn', parameterValue: busArn.valueAsString },
        { parameterKey: 'RolesRegion', parameterValue: rolesRegion.valueAsString },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: ous.valueAsList },
          regions: regions.valueAsList,
        },
      ],
      templateBody: JSON.stringify(memberTemplate),
    });
    stackSet.overrideLogicalId('MemberStackSet');
  }
}
