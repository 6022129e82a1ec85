/**
 * manifest/aws/template.yml: keyless itself, in one account (the management account, or a member
 * account that Identity Center's delegated administration lets manage assignments) and one Region
 * (us-east-1 in the README).
 *
 * - DynamoDB table (adapters/dynamodb/table.ts tableDefinition(): keys and index), TTL, PITR, KMS.
 * - An event bus that every account of the organization may put events on (member-roles.yml
 *   forwards root activity and heartbeats to it); a rule on it fills an SQS queue (with a dead-letter
 *   queue) that keyless consumes.
 * - The policy, in an SSM parameter (KEYLESS_POLICY=ssm:/keyless/policy).
 * - ECS Fargate: two tasks by default (keyless runs as several replicas), the task role with exactly
 *   the statements of bot-policy.ts, chat secrets from one Secrets Manager secret.
 * - An internet-facing HTTPS load balancer that forwards only /slack/events and /api/messages to
 *   the tasks (Slack over HTTP, and Teams, which always calls over HTTP). /metrics and the health
 *   endpoints stay inside the VPC.
 */
import {
  CfnCondition,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';
import { AUDIT_PENDING_INDEX, GSI_NAME, TTL_ATTRIBUTE, tableDefinition } from '../../../adapters/dynamodb';
import { AUDIT_COLUMNS, SCHEDULED_EVENT } from '../../../src';
import { botPolicyStatements, sessionCutStatements } from './bot-policy';
import { ROOT_ACTIVITY_PATTERN } from './member-stack';
import { DEFAULT_REGIONS, PUBLIC_PATHS, REMEDIATION_ROLE, SCANNER_ROLE, SECRET_KEYS } from './names';

const PORT = 3000;

/**
 * Variables keyless reads that the stack leaves unset, and why. test/unit/manifest/cdk-stacks.test.ts
 * checks that every variable of adapters/main/config.ts is either set by the stack or listed here.
 */
export const UNSET_ENV: Record<string, string> = {
  KEYLESS_POLICY_FILE: 'the policy comes from the SSM parameter (KEYLESS_POLICY=ssm:…)',
  KEYLESS_HOST: 'production listens on 0.0.0.0',
  KEYLESS_DATA_DIR: 'local mode only (the embedded DynamoDB)',
  KEYLESS_REPLICA_ID: 'defaults to host name and process id, distinct for each task',
  KEYLESS_RETENTION_DAYS: 'default 400 days',
  KEYLESS_LOG_LEVEL: 'default info',
  KEYLESS_AWS_TPS: 'default 15 Identity Center calls per second',
  KEYLESS_AWS_MAX_OUTSTANDING: 'default 8 assignment operations in flight',
  KEYLESS_SWEEP_MS: 'default 2000 ms',
  KEYLESS_RECONCILE_EVERY: 'default 15m',
  KEYLESS_ALERTS_TPS_PER_ACCOUNT: 'default 5 IAM calls per second per account',
  KEYLESS_ALERTS_SCAN_CONCURRENCY: 'default 16 accounts at once',
  KEYLESS_CREATE_TABLE: 'production only checks the table, which this stack creates',
  KEYLESS_LOCAL_AUTH_DISABLED: 'local mode only; refused in production',
  KEYLESS_IDENTITY_EXTERNAL_ID_ISSUER:
    'optional: the SCIM issuer of Entra ID object ids in Identity Center; unset, Teams users are found by verified email',
  KEYLESS_POLICY_RELOAD_EVERY: 'default 60s',
  KEYLESS_AUDIT_PREFIX: 'default audit (the Glue table and the role expect it)',
  KEYLESS_AUDIT_EVERY: 'default 2000 ms',
  KEYLESS_AUDITORS:
    'optional: who may read the audit in chat: emails and Slack user groups (subteam:S… or @handle, scope usergroups:read); unset, nobody',
  KEYLESS_AUDIT_RETENTION_DAYS:
    'default KEYLESS_RETENTION_DAYS (the index in the table; the archive keeps AuditRetentionDays)',
  KEYLESS_ALERTS_EXTERNAL_ID: 'the older name of KEYLESS_MEMBER_ROLE_EXTERNAL_ID, which the stack sets',
  KEYLESS_PAGERDUTY_API_URL: 'default https://api.pagerduty.com (the EU service: https://api.eu.pagerduty.com)',
  KEYLESS_SESSION_CUT_PREFIX: 'default keyless-session-cut (the role may change only SCPs tagged keyless=session-cut)',
  KEYLESS_ACTIVITY: 'default on (the member audit role may cloudtrail:LookupEvents); off: no activity summaries',
  KEYLESS_ACTIVITY_FIRST_AFTER: 'default 5m after a grant ends',
  KEYLESS_ACTIVITY_FINAL_AFTER: 'default 20m after a grant ends',
};

export class BotStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'keyless - just-in-time AWS access granted in Slack and Microsoft Teams',
      ...props,
    });
    const p = (name: string, props: ConstructorParameters<typeof CfnParameter>[2]) =>
      new CfnParameter(this, name, props);

    const repositoryName = p('ImageRepositoryName', {
      type: 'String',
      default: 'keyless',
      description: 'The ECR repository (in this account and Region) holding the keyless image.',
    });
    const imageTag = p('ImageTag', { type: 'String', description: 'The tag of the image pushed to that repository.' });
    const vpcId = p('VpcId', { type: 'AWS::EC2::VPC::Id' });
    const subnetIds = p('SubnetIds', {
      type: 'List<AWS::EC2::Subnet::Id>',
      description: 'Private subnets for the tasks, with a route to the internet (Slack, Teams, AWS APIs) through NAT.',
    });
    const publicSubnetIds = p('PublicSubnetIds', {
      type: 'List<AWS::EC2::Subnet::Id>',
      description: 'Public subnets (two Availability Zones at least) for the load balancer.',
    });
    const certificateArn = p('CertificateArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/.+$',
      description: 'ACM certificate of the name Slack and Teams call (point that name at LoadBalancerDnsName).',
    });
    const ingressCidr = p('IngressCidr', {
      type: 'String',
      default: '0.0.0.0/0',
      allowedPattern: '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$',
      description: 'Who may reach the load balancer. Slack and Microsoft publish no fixed ranges.',
    });
    const desiredCount = p('DesiredCount', { type: 'Number', default: 2, minValue: 1 });
    const tableName = p('TableName', {
      type: 'String',
      default: 'keyless',
      allowedPattern: '^[a-zA-Z0-9_.-]{3,255}$',
    });
    const instanceArn = p('IdentityCenterInstanceArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$',
    });
    const identityStoreId = p('IdentityStoreId', { type: 'String', allowedPattern: '^d-[0-9a-f]{10}$' });
    const governedGroupArns = p('GovernedGroupArns', {
      type: 'CommaDelimitedList',
      default: 'arn:aws:identitystore:::group/none',
      description:
        'ARNs (arn:aws:identitystore:::group/<group id>) of the groups the policy grants membership of, comma-separated. The default names no real group: group grants are then refused by AWS.',
    });
    const organizationId = p('OrganizationId', {
      type: 'String',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      description: "Accounts of this organization may put events on keyless's bus.",
    });
    const policy = p('Policy', {
      type: 'String',
      minLength: 1,
      description: 'The keyless policy (YAML text), stored in the SSM parameter PolicyParameterName.',
    });
    const policyParameterName = p('PolicyParameterName', {
      type: 'String',
      default: '/keyless/policy',
      allowedPattern: '^/[a-zA-Z0-9_.\\-/]+$',
    });
    const secretArn = p('SecretArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+-[a-zA-Z0-9]{6}$',
      description: `The complete ARN of a Secrets Manager secret, a JSON object with the keys ${SECRET_KEYS.join(', ')} (empty strings for the ones you do not use).`,
    });
    acknowledge(
      this,
      'CloudFormation-Validate::W2509',
      'SecretArn names the secret; it is not one (the values stay in Secrets Manager).',
    );
    const externalId = p('ExternalId', {
      type: 'String',
      noEcho: true,
      minLength: 16,
      maxLength: 1224,
      allowedPattern: '^[\\w+=,.@:/-]+$',
      description: 'The ExternalId keyless sends when it assumes the member-account roles (same value in org.yml).',
    });
    const watchedRegions = p('WatchedRegions', {
      type: 'CommaDelimitedList',
      default: DEFAULT_REGIONS.join(','),
      description: "Regions that must keep sending heartbeats (the org stack's Regions).",
    });
    const slackTeamIds = p('SlackTeamIds', {
      type: 'String',
      default: '',
      description: 'Slack workspace ids (T…) keyless answers, comma-separated.',
    });
    const teamsTenantIds = p('TeamsTenantIds', {
      type: 'String',
      default: '',
      description: 'Microsoft Entra tenant ids keyless answers, comma-separated.',
    });
    const sessionCut = p('EnableSessionCut', {
      type: 'String',
      default: 'off',
      allowedValues: ['on', 'off'],
      description:
        "on: revoking a grant also ends its live AWS sessions with a service control policy of keyless's own (the task role may then create SCPs tagged keyless=session-cut and change only those). Deploy the stack in the management account, with SCPs enabled.",
    });
    const sessionCutTargets = p('SessionCutTargets', {
      type: 'String',
      default: '',
      allowedPattern:
        '^((r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})(,(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}))*)?$',
      description:
        'With EnableSessionCut=on: the organization root (r-…) or the OUs (ou-…) the session-cut policies attach to, comma-separated.',
    });
    const sessionCutOn = new CfnCondition(this, 'SessionCutOn', {
      expression: Fn.conditionEquals(sessionCut.valueAsString, 'on'),
    });
    const appType = p('MicrosoftAppType', {
      type: 'String',
      default: 'SingleTenant',
      allowedValues: ['SingleTenant', 'MultiTenant'],
      description: 'The Azure Bot type (SingleTenant needs MICROSOFT_APP_TENANT_ID in the secret).',
    });

    // DynamoDB: keys and index from the code's own definition.
    const definition = tableDefinition('keyless');
    const table = new dynamodb.CfnTable(this, 'Table', {
      tableName: tableName.valueAsString,
      billingMode: definition.BillingMode,
      attributeDefinitions: definition.AttributeDefinitions.map((a) => ({
        attributeName: a.AttributeName!,
        attributeType: a.AttributeType!,
      })),
      keySchema: definition.KeySchema.map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType! })),
      globalSecondaryIndexes: (definition.GlobalSecondaryIndexes ?? []).map((g) => ({
        indexName: g.IndexName!,
        keySchema: (g.KeySchema ?? []).map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType! })),
        projection: { projectionType: g.Projection?.ProjectionType ?? 'ALL' },
      })),
      // Clean-up of closed records after the retention; TTL never decides access.
      timeToLiveSpecification: { attributeName: TTL_ATTRIBUTE, enabled: true },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      sseSpecification: { sseEnabled: true, sseType: 'KMS' },
      deletionProtectionEnabled: true,
      tags: [{ key: 'app', value: 'keyless' }],
    });
    table.overrideLogicalId('Table');
    // The table holds the audit trail: keep it when the stack goes or the table is replaced.
    table.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // The audit archive: every audit event as JSON lines under audit/dt=YYYY-MM-DD/, kept for
    // AuditRetentionDays (beyond the table's TTL), queried with Athena through the Glue table below.
    const auditRetentionDays = p('AuditRetentionDays', {
      type: 'Number',
      default: 2557,
      minValue: 1,
      description: 'Days the audit archive keeps an event (default 7 years); the table keeps closed records 400 days.',
    });
    const auditBucket = new s3.CfnBucket(this, 'AuditBucket', {
      bucketEncryption: {
        serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      },
      publicAccessBlockConfiguration: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
      versioningConfiguration: { status: 'Enabled' },
      lifecycleConfiguration: {
        rules: [
          {
            id: 'AuditRetention',
            status: 'Enabled',
            prefix: 'audit/',
            expirationInDays: auditRetentionDays.valueAsNumber,
            noncurrentVersionExpiration: { noncurrentDays: 30 },
          },
        ],
      },
      tags: [{ key: 'app', value: 'keyless' }],
    });
    auditBucket.overrideLogicalId('AuditBucket');
    auditBucket.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledge(
      auditBucket,
      'AwsSolutions-S1',
      'The archive is written by keyless alone (its role may only PutObject under audit/); CloudTrail data events are the access log an organization that needs one turns on.',
    );
    new s3.CfnBucketPolicy(this, 'AuditBucketPolicy', {
      bucket: auditBucket.ref,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Resource: [auditBucket.attrArn, `${auditBucket.attrArn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    }).overrideLogicalId('AuditBucketPolicy');
    const auditDatabase = new glue.CfnDatabase(this, 'AuditDatabase', {
      catalogId: this.account,
      databaseInput: { name: 'keyless_audit', description: 'keyless audit archive' },
    });
    auditDatabase.overrideLogicalId('AuditDatabase');
    const auditTable = new glue.CfnTable(this, 'AuditTable', {
      catalogId: this.account,
      databaseName: 'keyless_audit',
      tableInput: {
        name: 'events',
        description:
          'keyless audit events (one JSON line each); `id` identifies an event, a retried upload may repeat a line',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: 'dt', type: 'string' }],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2024-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `s3://${auditBucket.ref}/audit/dt=\${dt}/`,
        },
        storageDescriptor: {
          location: `s3://${auditBucket.ref}/audit/`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          columns: [...AUDIT_COLUMNS.map((name) => ({ name, type: 'string' })), { name: 'at_ms', type: 'bigint' }],
        },
      },
    });
    auditTable.overrideLogicalId('AuditTable');
    auditTable.addDependency(auditDatabase);

    // Root activity: every account's forwarders → this bus → the queue keyless consumes.
    const deadLetters = new sqs.Queue(this, 'RootEventsDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const queue = new sqs.Queue(this, 'RootEventsQueue', {
      queueName: 'keyless-root-activity',
      visibilityTimeout: Duration.seconds(60),
      receiveMessageWaitTime: Duration.seconds(20),
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });
    (queue.node.defaultChild as sqs.CfnQueue).overrideLogicalId('RootEventsQueue');
    (deadLetters.node.defaultChild as sqs.CfnQueue).overrideLogicalId('RootEventsDeadLetterQueue');

    const bus = new events.EventBus(this, 'SecurityBus', { eventBusName: 'keyless-security' });
    (bus.node.defaultChild as events.CfnEventBus).overrideLogicalId('SecurityBus');
    bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AccountsOfTheOrganizationForwardRootActivity',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': organizationId.valueAsString } },
      }),
    );
    for (const child of bus.node.findAll()) {
      if (child instanceof events.CfnEventBusPolicy) child.overrideLogicalId('SecurityBusPolicy');
    }
    const rule = new events.CfnRule(this, 'RootActivityRule', {
      description: 'Root activity, exposed keys and Region heartbeats from the organization, to keyless',
      eventBusName: bus.eventBusName,
      eventPattern: {
        $or: [...ROOT_ACTIVITY_PATTERN.$or, { source: ['aws.events'], 'detail-type': [SCHEDULED_EVENT] }],
      },
      state: 'ENABLED',
      targets: [
        {
          id: 'keyless-root-events',
          arn: queue.queueArn,
          retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
          deadLetterConfig: { arn: deadLetters.queueArn },
        },
      ],
    });
    rule.overrideLogicalId('RootActivityRule');
    for (const q of [queue, deadLetters]) {
      q.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'EventBridgeSendsRootActivity',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [q.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.attrArn } },
        }),
      );
    }

    const policyParameter = new ssm.CfnParameter(this, 'PolicyParameter', {
      name: policyParameterName.valueAsString,
      type: 'String',
      tier: 'Advanced',
      value: policy.valueAsString,
      description: 'The keyless policy (YAML)',
    });
    policyParameter.overrideLogicalId('PolicyParameter');

    // The bot's role: bot-policy.ts, the one source (iam-policy.json is written from it).
    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
      description: 'keyless: the AWS calls the code makes, nothing more',
      inlinePolicies: {
        keyless: iam.PolicyDocument.fromJson({
          Version: '2012-10-17',
          Statement: botPolicyStatements({
            partition: this.partition,
            identityStoreAccountId: this.account,
            identityCenterInstanceArn: instanceArn.valueAsString,
            identityCenterInstanceId: Fn.select(1, Fn.split('/', instanceArn.valueAsString)),
            identityStoreId: identityStoreId.valueAsString,
            governedGroupArns: governedGroupArns.valueAsList,
            scannerRoleName: SCANNER_ROLE,
            remediationRoleName: REMEDIATION_ROLE,
            tableArn: table.attrArn,
            indexName: GSI_NAME,
            auditIndexName: AUDIT_PENDING_INDEX,
            queueArn: queue.queueArn,
            policyParameterArn: `arn:${this.partition}:ssm:${this.region}:${this.account}:parameter${policyParameterName.valueAsString}`,
            auditArchiveObjectsArn: `${auditBucket.attrArn}/audit/*`,
          }),
        }),
      },
    });
    (taskRole.node.defaultChild as iam.CfnRole).overrideLogicalId('TaskRole');
    // Ending live sessions (opt-in): SCPs tagged keyless=session-cut, only when EnableSessionCut=on.
    const sessionCutPolicy = new iam.CfnPolicy(this, 'SessionCutPolicy', {
      policyName: 'keyless-session-cut',
      roles: [taskRole.roleName],
      policyDocument: {
        Version: '2012-10-17',
        Statement: sessionCutStatements({
          partition: this.partition,
          managementAccountId: this.account,
          organizationId: organizationId.valueAsString,
        }),
      },
    });
    sessionCutPolicy.cfnOptions.condition = sessionCutOn;
    sessionCutPolicy.overrideLogicalId('SessionCutPolicy');
    acknowledge(
      sessionCutPolicy,
      'AwsSolutions-IAM5',
      "Organizations policy ids are random, so keyless's own SCPs are named by the tag keyless=session-cut (aws:ResourceTag / aws:RequestTag) within the one organization; CreatePolicy, ListPolicies and ListPoliciesForTarget take no resource.",
      [
        'Resource::*',
        'Resource::arn:<AWS::Partition>:organizations::<AWS::AccountId>:policy/<OrganizationId>/service_control_policy/p-*',
        'Resource::arn:<AWS::Partition>:organizations::<AWS::AccountId>:root/<OrganizationId>/r-*',
        'Resource::arn:<AWS::Partition>:organizations::<AWS::AccountId>:ou/<OrganizationId>/ou-*',
      ],
    );
    acknowledge(
      taskRole,
      'AwsSolutions-IAM5',
      'Each wildcard is the narrowest AWS allows: the Organizations list calls and sts:GetCallerIdentity take no resource; an assignment names any account and any permission set of the one instance; identity-store users, groups and memberships carry no store id in their ARN; the member roles have one name in every account of the organization; the audit archive objects are named by day and batch, under audit/ of its own bucket.',
      [
        'Resource::*',
        'Resource::arn:<AWS::Partition>:sso:::account/*',
        'Resource::arn:<AWS::Partition>:sso:::permissionSet/{"Fn::Select":[1,{"Fn::Split":["/",{"Ref":"IdentityCenterInstanceArn"}]}]}/*',
        'Resource::arn:<AWS::Partition>:identitystore:::user/*',
        'Resource::arn:<AWS::Partition>:identitystore:::group/*',
        'Resource::arn:<AWS::Partition>:identitystore:::membership/*',
        `Resource::arn:<AWS::Partition>:iam::*:role/${SCANNER_ROLE}`,
        `Resource::arn:<AWS::Partition>:iam::*:role/${REMEDIATION_ROLE}`,
        'Resource::<AuditBucket.Arn>/audit/*',
      ],
    );

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: '/keyless/bot',
      retention: logs.RetentionDays.THIRTEEN_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (logGroup.node.defaultChild as logs.CfnLogGroup).overrideLogicalId('LogGroup');

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: 'keyless',
      cpu: 512,
      memoryLimitMiB: 1024,
      taskRole,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    (taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).overrideLogicalId('TaskDefinition');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'ChatSecrets', secretArn.valueAsString);
    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', repositoryName.valueAsString);
    taskDefinition.addContainer('keyless', {
      containerName: 'keyless',
      image: ecs.ContainerImage.fromEcrRepository(repository, imageTag.valueAsString),
      essential: true,
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: PORT, protocol: ecs.Protocol.TCP }],
      // Graceful shutdown: SIGTERM, then up to 60 s to finish assignments and revocations in flight.
      stopTimeout: Duration.seconds(60),
      environment: {
        KEYLESS_MODE: 'production',
        KEYLESS_POLICY: `ssm:${policyParameterName.valueAsString}`,
        KEYLESS_TABLE: table.ref,
        KEYLESS_AUDIT_BUCKET: auditBucket.ref,
        KEYLESS_PORT: String(PORT),
        AWS_REGION: this.region,
        KEYLESS_ROOT_EVENTS_QUEUE_URL: queue.queueUrl,
        KEYLESS_ALERTS_AUDIT_ROLE: SCANNER_ROLE,
        KEYLESS_ALERTS_REMEDIATION_ROLE: REMEDIATION_ROLE,
        KEYLESS_MEMBER_ROLE_EXTERNAL_ID: externalId.valueAsString,
        KEYLESS_ALERTS_EXPECTED_REGIONS: Fn.join(',', watchedRegions.valueAsList),
        KEYLESS_SLACK_TEAM_IDS: slackTeamIds.valueAsString,
        KEYLESS_TEAMS_TENANT_IDS: teamsTenantIds.valueAsString,
        MICROSOFT_APP_TYPE: appType.valueAsString,
        KEYLESS_SESSION_CUT: sessionCut.valueAsString,
        KEYLESS_SESSION_CUT_TARGETS: sessionCutTargets.valueAsString,
      },
      secrets: Object.fromEntries(SECRET_KEYS.map((key) => [key, ecs.Secret.fromSecretsManager(secret, key)])),
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'keyless' }),
    });
    acknowledge(
      taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds names, URLs, switches and the ExternalId (an identifier, not a secret); every credential comes from Secrets Manager.',
    );
    const executionRole = taskDefinition.obtainExecutionRole();
    (executionRole.node.defaultChild as iam.CfnRole).overrideLogicalId('TaskExecutionRole');
    const executionPolicy = executionRole.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (executionPolicy instanceof iam.CfnPolicy) executionPolicy.overrideLogicalId('TaskExecutionRolePolicy');
    acknowledge(
      executionRole,
      'AwsSolutions-IAM5',
      'ecr:GetAuthorizationToken, which ECS needs to pull the image, takes no resource.',
      ['Resource::*'],
    );

    // Network: the load balancer takes HTTPS from Slack and Microsoft; the tasks take only it.
    const lbSecurityGroup = new ec2.CfnSecurityGroup(this, 'LoadBalancerSecurityGroup', {
      groupDescription: 'keyless load balancer: HTTPS from Slack and Microsoft Teams',
      vpcId: vpcId.valueAsString,
      securityGroupIngress: [
        {
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrIp: ingressCidr.valueAsString,
          description: 'HTTPS from Slack and Bot Framework',
        },
      ],
    });
    lbSecurityGroup.overrideLogicalId('LoadBalancerSecurityGroup');
    const serviceSecurityGroup = new ec2.CfnSecurityGroup(this, 'ServiceSecurityGroup', {
      groupDescription: 'keyless tasks: inbound only from the load balancer; outbound HTTPS',
      vpcId: vpcId.valueAsString,
      securityGroupEgress: [
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0', description: 'Slack, Teams, AWS APIs' },
      ],
    });
    serviceSecurityGroup.overrideLogicalId('ServiceSecurityGroup');
    new ec2.CfnSecurityGroupIngress(this, 'ServiceFromLoadBalancer', {
      groupId: serviceSecurityGroup.attrGroupId,
      sourceSecurityGroupId: lbSecurityGroup.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: PORT,
      toPort: PORT,
      description: 'keyless HTTP from the load balancer',
    }).overrideLogicalId('ServiceFromLoadBalancer');
    new ec2.CfnSecurityGroupEgress(this, 'LoadBalancerToService', {
      groupId: lbSecurityGroup.attrGroupId,
      destinationSecurityGroupId: serviceSecurityGroup.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: PORT,
      toPort: PORT,
      description: 'to the keyless tasks',
    }).overrideLogicalId('LoadBalancerToService');

    const loadBalancer = new elbv2.CfnLoadBalancer(this, 'LoadBalancer', {
      type: 'application',
      scheme: 'internet-facing',
      subnets: publicSubnetIds.valueAsList,
      securityGroups: [lbSecurityGroup.attrGroupId],
      loadBalancerAttributes: [
        { key: 'routing.http.drop_invalid_header_fields.enabled', value: 'true' },
        { key: 'deletion_protection.enabled', value: 'false' },
      ],
    });
    loadBalancer.overrideLogicalId('LoadBalancer');
    acknowledge(
      loadBalancer,
      'AwsSolutions-ELB2',
      'keyless logs every request it accepts or refuses itself; turn on access logs with a bucket of your own if your rules ask for them.',
    );
    acknowledge(
      lbSecurityGroup,
      'AwsSolutions-EC23',
      'Slack and Microsoft Bot Framework call from addresses they do not publish; keyless verifies every request (Slack signature, Bot Framework token). IngressCidr narrows it.',
    );
    const targetGroup = new elbv2.CfnTargetGroup(this, 'TargetGroup', {
      vpcId: vpcId.valueAsString,
      targetType: 'ip',
      protocol: 'HTTP',
      port: PORT,
      healthCheckPath: '/healthz',
      healthCheckIntervalSeconds: 15,
      healthyThresholdCount: 2,
      targetGroupAttributes: [{ key: 'deregistration_delay.timeout_seconds', value: '30' }],
    });
    targetGroup.overrideLogicalId('TargetGroup');
    const listener = new elbv2.CfnListener(this, 'HttpsListener', {
      loadBalancerArn: loadBalancer.ref,
      protocol: 'HTTPS',
      port: 443,
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificates: [{ certificateArn: certificateArn.valueAsString }],
      defaultActions: [
        { type: 'fixed-response', fixedResponseConfig: { statusCode: '404', contentType: 'text/plain' } },
      ],
    });
    listener.overrideLogicalId('HttpsListener');
    const listenerRule = new elbv2.CfnListenerRule(this, 'ChatPaths', {
      listenerArn: listener.ref,
      priority: 10,
      conditions: [{ field: 'path-pattern', pathPatternConfig: { values: PUBLIC_PATHS } }],
      actions: [{ type: 'forward', targetGroupArn: targetGroup.ref }],
    });
    listenerRule.overrideLogicalId('ChatPaths');

    const cluster = new ecs.CfnCluster(this, 'Cluster', {
      clusterSettings: [{ name: 'containerInsights', value: 'enabled' }],
    });
    cluster.overrideLogicalId('Cluster');
    const service = new ecs.CfnService(this, 'Service', {
      cluster: cluster.ref,
      launchType: 'FARGATE',
      desiredCount: desiredCount.valueAsNumber,
      taskDefinition: taskDefinition.taskDefinitionArn,
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      healthCheckGracePeriodSeconds: 60,
      networkConfiguration: {
        awsvpcConfiguration: {
          assignPublicIp: 'DISABLED',
          subnets: subnetIds.valueAsList,
          securityGroups: [serviceSecurityGroup.attrGroupId],
        },
      },
      loadBalancers: [{ containerName: 'keyless', containerPort: PORT, targetGroupArn: targetGroup.ref }],
    });
    service.overrideLogicalId('Service');
    // The target group must belong to the load balancer before the service registers tasks in it.
    service.addResourceDependency(listenerRule);
    // Tasks read their secrets and image with the execution role's policy: it exists before they start.
    if (executionPolicy instanceof iam.CfnPolicy) service.addResourceDependency(executionPolicy);

    new CfnOutput(this, 'KeylessTable', { value: table.ref, description: 'The DynamoDB table (KEYLESS_TABLE)' });
    new CfnOutput(this, 'RootEventsQueueUrl', { value: queue.queueUrl });
    new CfnOutput(this, 'AuditBucketName', {
      value: auditBucket.ref,
      description: 'The audit archive (KEYLESS_AUDIT_BUCKET); Athena: database keyless_audit, table events',
    });
    new CfnOutput(this, 'TaskRoleArn', { value: taskRole.roleArn, description: 'KeylessRoleArn of org.yml' });
    new CfnOutput(this, 'EventBusArn', { value: bus.eventBusArn, description: 'EventBusArn of org.yml' });
    new CfnOutput(this, 'LoadBalancerDnsName', {
      value: loadBalancer.attrDnsName,
      description: "Point your certificate's name at it (CNAME or alias)",
    });
  }
}
