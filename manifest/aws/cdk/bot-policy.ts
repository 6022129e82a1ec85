/**
 * The bot's IAM policy: the one source. The bot stack builds its task role from it (with
 * CloudFormation references), and `npm run synth` writes it with placeholders to
 * manifest/aws/iam-policy.json for people who run keyless under a role of their own. The
 * least-privilege tests (test/integration/aws/*least-privilege*.int.test.ts) hold that file to the
 * calls the code makes; test/unit/manifest/cdk-stacks.test.ts holds the stack's role to that file.
 */

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** Where the policy's resources are. Strings, or CloudFormation tokens inside the stack. */
export interface BotPolicyPlaces {
  partition: string;
  /** The account that holds Identity Center (its identity store ARN names it). */
  identityStoreAccountId: string;
  identityCenterInstanceArn: string;
  /** `ssoins-…`, the last part of the instance ARN. */
  identityCenterInstanceId: string;
  identityStoreId: string;
  /**
   * The ARNs of the Identity Center groups the policy grants membership of (its rules' `groups`):
   * arn:aws:identitystore:::group/<group id>. Membership writes reach these groups only.
   */
  governedGroupArns: string[];
  scannerRoleName: string;
  remediationRoleName: string;
  tableArn: string;
  /** The index keyless queries (adapters/dynamodb/items.ts GSI_NAME). */
  indexName: string;
  /** The sparse index of writes waiting for the audit pump. */
  auditIndexName: string;
  queueArn: string;
  policyParameterArn: string;
  /** The audit archive's objects: `arn:…:s3:::<bucket>/<prefix>/*` (KEYLESS_AUDIT_BUCKET). */
  auditArchiveObjectsArn: string;
}

/** Placeholders of manifest/aws/iam-policy.json: replace them with your own values. */
export const PLACEHOLDERS: BotPolicyPlaces = {
  partition: 'aws',
  identityStoreAccountId: 'REPLACE_MANAGEMENT_ACCOUNT_ID',
  identityCenterInstanceArn: 'arn:aws:sso:::instance/ssoins-REPLACE0000000000',
  identityCenterInstanceId: 'ssoins-REPLACE0000000000',
  identityStoreId: 'd-REPLACE000',
  governedGroupArns: ['arn:aws:identitystore:::group/REPLACE_GOVERNED_GROUP_ID'],
  scannerRoleName: 'keyless-scanner',
  remediationRoleName: 'keyless-key-remediation',
  tableArn: 'arn:aws:dynamodb:REPLACE_REGION:REPLACE_ACCOUNT_ID:table/keyless',
  indexName: 'byStatusExpiry',
  auditIndexName: 'byAuditPending',
  queueArn: 'arn:aws:sqs:REPLACE_REGION:REPLACE_ACCOUNT_ID:keyless-root-activity',
  policyParameterArn: 'arn:aws:ssm:REPLACE_REGION:REPLACE_ACCOUNT_ID:parameter/keyless/policy',
  auditArchiveObjectsArn: 'arn:aws:s3:::REPLACE_AUDIT_BUCKET/audit/*',
};

/** Exactly the actions the code calls, each on the narrowest resources AWS lets a policy name. */
export function botPolicyStatements(p: BotPolicyPlaces): PolicyStatement[] {
  const identityCenter = [
    p.identityCenterInstanceArn,
    `arn:${p.partition}:sso:::permissionSet/${p.identityCenterInstanceId}/*`,
    `arn:${p.partition}:sso:::account/*`,
  ];
  return [
    {
      Sid: 'IdentityCenterAssignmentWritesOnTheInstancePermissionSetsAndAccounts',
      Effect: 'Allow',
      Action: ['sso:CreateAccountAssignment', 'sso:DeleteAccountAssignment'],
      Resource: identityCenter,
    },
    {
      Sid: 'IdentityCenterReadsOnTheInstanceAndItsPermissionSets',
      Effect: 'Allow',
      Action: [
        'sso:DescribeAccountAssignmentCreationStatus',
        'sso:DescribeAccountAssignmentDeletionStatus',
        'sso:DescribePermissionSet',
        'sso:ListAccountAssignments',
        'sso:ListAccountsForProvisionedPermissionSet',
        'sso:ListPermissionSets',
      ],
      Resource: identityCenter,
    },
    {
      Sid: 'IdentityStoreReadsOfUsersGroupsAndMembershipsInTheOneStore',
      Effect: 'Allow',
      Action: [
        'identitystore:DescribeGroup',
        'identitystore:DescribeUser',
        'identitystore:GetGroupId',
        'identitystore:GetUserId',
        'identitystore:ListGroupMemberships',
        'identitystore:ListGroupMembershipsForMember',
      ],
      Resource: [
        `arn:${p.partition}:identitystore::${p.identityStoreAccountId}:identitystore/${p.identityStoreId}`,
        `arn:${p.partition}:identitystore:::user/*`,
        `arn:${p.partition}:identitystore:::group/*`,
        `arn:${p.partition}:identitystore:::membership/*`,
      ],
    },
    {
      // Group grants: IAM authorizes each resource of a request on its own, so the group part is
      // held to the governed groups here and the store, user and membership parts below.
      Sid: 'IdentityStoreMembershipWritesOnTheGovernedGroupsOnly',
      Effect: 'Allow',
      Action: [
        'identitystore:CreateGroupMembership',
        'identitystore:DeleteGroupMembership',
        'identitystore:GetGroupMembershipId',
      ],
      Resource: p.governedGroupArns,
    },
    {
      Sid: 'IdentityStoreMembershipWritesInTheOneStore',
      Effect: 'Allow',
      Action: [
        'identitystore:CreateGroupMembership',
        'identitystore:DeleteGroupMembership',
        'identitystore:GetGroupMembershipId',
      ],
      Resource: [
        `arn:${p.partition}:identitystore::${p.identityStoreAccountId}:identitystore/${p.identityStoreId}`,
        `arn:${p.partition}:identitystore:::user/*`,
        `arn:${p.partition}:identitystore:::membership/*`,
      ],
    },
    {
      Sid: 'OrganizationsReadOnlyTreeWalkAndAccountTagsForTheCatalog',
      Effect: 'Allow',
      Action: [
        'organizations:ListAccountsForParent',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListRoots',
        'organizations:ListTagsForResource',
      ],
      Resource: '*',
    },
    {
      Sid: 'StsWhoAmIAtBootNeedsNoResource',
      Effect: 'Allow',
      Action: ['sts:GetCallerIdentity'],
      Resource: '*',
    },
    {
      Sid: 'AssumeTheAuditAndKeyRemediationRolesInMemberAccounts',
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Resource: [
        `arn:${p.partition}:iam::*:role/${p.scannerRoleName}`,
        `arn:${p.partition}:iam::*:role/${p.remediationRoleName}`,
      ],
    },
    {
      Sid: 'TheKeylessTableAndItsIndex',
      Effect: 'Allow',
      Action: [
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      Resource: [p.tableArn, `${p.tableArn}/index/${p.indexName}`, `${p.tableArn}/index/${p.auditIndexName}`],
    },
    {
      Sid: 'WriteAuditEventsToTheAuditArchive',
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: p.auditArchiveObjectsArn,
    },
    {
      Sid: 'ReceiveDeleteAndDelayRootActivityEventsFromTheFeedQueue',
      Effect: 'Allow',
      Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
      Resource: p.queueArn,
    },
    {
      Sid: 'ReadThePolicyFromItsParameter',
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: p.policyParameterArn,
    },
  ];
}

/** manifest/aws/iam-policy.json. */
export function iamPolicyDocument(): { Version: '2012-10-17'; Statement: PolicyStatement[] } {
  return { Version: '2012-10-17', Statement: botPolicyStatements(PLACEHOLDERS) };
}

/** Where keyless's session-cut policies live (KEYLESS_SESSION_CUT=on). */
export interface SessionCutPlaces {
  partition: string;
  /** The organization's management account (Organizations ARNs name it). */
  managementAccountId: string;
  organizationId: string;
}

export const SESSION_CUT_PLACEHOLDERS: SessionCutPlaces = {
  partition: 'aws',
  managementAccountId: 'REPLACE_MANAGEMENT_ACCOUNT_ID',
  organizationId: 'o-REPLACE000',
};

/** The tag keyless puts on its own SCPs (adapters/aws/organizations SESSION_CUT_TAG). */
export const SESSION_CUT_TAG_KEY = 'keyless';
export const SESSION_CUT_TAG_VALUE = 'session-cut';

/**
 * Only with KEYLESS_SESSION_CUT=on: keyless creates SCPs tagged keyless=session-cut and changes,
 * attaches, detaches and deletes only SCPs that carry that tag (aws:ResourceTag). CreatePolicy and the
 * list calls take no resource that could narrow them; CreatePolicy is held to SCPs carrying the tag.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
 */
export function sessionCutStatements(p: SessionCutPlaces): PolicyStatement[] {
  const scps = `arn:${p.partition}:organizations::${p.managementAccountId}:policy/${p.organizationId}/service_control_policy/p-*`;
  const tagged = { StringEquals: { [`aws:RequestTag/${SESSION_CUT_TAG_KEY}`]: SESSION_CUT_TAG_VALUE } };
  const onlyTheTag = { 'ForAllValues:StringEquals': { 'aws:TagKeys': [SESSION_CUT_TAG_KEY] } };
  return [
    {
      Sid: 'SessionCutCreatesOnlyTaggedServiceControlPolicies',
      Effect: 'Allow',
      Action: ['organizations:CreatePolicy'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'organizations:PolicyType': 'SERVICE_CONTROL_POLICY',
          [`aws:RequestTag/${SESSION_CUT_TAG_KEY}`]: SESSION_CUT_TAG_VALUE,
        },
        ...onlyTheTag,
      },
    },
    {
      Sid: 'SessionCutTagsThePolicyItCreates',
      Effect: 'Allow',
      Action: ['organizations:TagResource'],
      Resource: scps,
      Condition: { ...tagged, ...onlyTheTag },
    },
    {
      Sid: 'SessionCutChangesOnlyItsOwnTaggedPolicies',
      Effect: 'Allow',
      Action: [
        'organizations:AttachPolicy',
        'organizations:DeletePolicy',
        'organizations:DescribePolicy',
        'organizations:DetachPolicy',
        'organizations:ListTargetsForPolicy',
        'organizations:UpdatePolicy',
      ],
      Resource: scps,
      Condition: { StringEquals: { [`aws:ResourceTag/${SESSION_CUT_TAG_KEY}`]: SESSION_CUT_TAG_VALUE } },
    },
    {
      Sid: 'SessionCutAttachesToTheRootAndOus',
      Effect: 'Allow',
      Action: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
      Resource: [
        `arn:${p.partition}:organizations::${p.managementAccountId}:root/${p.organizationId}/r-*`,
        `arn:${p.partition}:organizations::${p.managementAccountId}:ou/${p.organizationId}/ou-*`,
      ],
      Condition: { StringEquals: { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' } },
    },
    {
      Sid: 'SessionCutListsPoliciesWhichTakeNoResource',
      Effect: 'Allow',
      Action: ['organizations:ListPolicies', 'organizations:ListPoliciesForTarget'],
      Resource: '*',
    },
  ];
}

/** manifest/aws/iam-policy-session-cut.json: added to the bot's role only when KEYLESS_SESSION_CUT=on. */
export function sessionCutPolicyDocument(): { Version: '2012-10-17'; Statement: PolicyStatement[] } {
  return { Version: '2012-10-17', Statement: sessionCutStatements(SESSION_CUT_PLACEHOLDERS) };
}
