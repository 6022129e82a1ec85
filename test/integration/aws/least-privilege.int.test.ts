/**
 * manifest/aws/iam-policy.json lists exactly the IAM actions the code calls. Every adapter method
 * runs against the emulator; its request log gives the operations sent, mapped to IAM actions,
 * and the two sets must be equal: a missing action breaks keyless in AWS, an extra one is
 * privilege nobody needs. The security feed's queue statement is held to the consumer's calls in
 * security-feed-least-privilege.int.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountId, PermissionSetArn, PrincipalId } from '../../../src';
import { AwsSts } from '../../../adapters/aws/sts/sts';
import { LOCAL_MEMBER_ROLE_EXTERNAL_ID } from '../../../adapters/main/config';
import { startEmulatedIdentityCenter, type EmulatedIdentityCenter } from './emulator-harness';

/** Emulator service name → IAM service prefix. */
const IAM_PREFIX: Record<string, string> = {
  'sso-admin': 'sso',
  identitystore: 'identitystore',
  organizations: 'organizations',
  sts: 'sts',
};

interface PolicyStatement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
}

function policyActions(): Set<string> {
  const policy = JSON.parse(readFileSync(join(__dirname, '../../../manifest/aws/iam-policy.json'), 'utf8')) as {
    Statement: PolicyStatement[];
  };
  const services = new Set(Object.values(IAM_PREFIX));
  return new Set(policy.Statement.flatMap((s) => s.Action).filter((a) => services.has(a.split(':')[0]!)));
}

function sortedDifference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x)).sort();
}

describe('the least-privilege IAM policy', () => {
  let env: EmulatedIdentityCenter | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  it('lists exactly the actions that every adapter method sends, no more and no fewer', async () => {
    env = await startEmulatedIdentityCenter();
    const { ic, emulator } = env;
    const rita = await ic.resolvePrincipal('rita@example.com');
    await ic.listGroupMembers('sre-leads');
    await ic.listAccounts();
    const [ps] = await ic.listPermissionSets();
    const key = {
      principalId: rita.principalId as PrincipalId,
      accountId: '111111111111' as AccountId,
      permissionSetArn: ps!.arn as PermissionSetArn,
    };
    await ic.assign(key);
    await ic.listAssignments([key.permissionSetArn]);
    await ic.unassign(key);
    // Group grants: membership added (twice: the second meets ConflictException), read, removed.
    const group = await ic.findGroup('db-admins');
    const membership = { principalId: rita.principalId as PrincipalId, groupId: group!.id };
    await ic.addGroupMember(membership);
    await ic.addGroupMember(membership);
    await ic.listGroupMemberIds(group!.id);
    await ic.removeGroupMember(membership);
    const sts = new AwsSts(env.sts);
    await sts.callerIdentity();
    await sts.assumeRole('111111111111', 'keyless-scanner', LOCAL_MEMBER_ROLE_EXTERNAL_ID, 'keyless-scan');

    const called = new Set(
      emulator.log.entries().map((e) => `${IAM_PREFIX[e.service] ?? `unmapped(${e.service})`}:${e.operation}`),
    );
    const allowed = policyActions();
    expect({
      calledButNotInPolicy: sortedDifference(called, allowed),
      inPolicyButNeverCalled: sortedDifference(allowed, called),
    }).toEqual({
      calledButNotInPolicy: [],
      inPolicyButNeverCalled: [],
    });
  });

  it('scopes Identity Center writes to the instance, its permission sets and accounts, never "*"', () => {
    const policy = JSON.parse(readFileSync(join(__dirname, '../../../manifest/aws/iam-policy.json'), 'utf8')) as {
      Statement: PolicyStatement[];
    };
    const writes = policy.Statement.filter((s) => s.Action.some((a) => /^sso:(Create|Delete)/.test(a)));
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) {
      const resources = ([] as string[]).concat(s.Resource);
      expect(resources).not.toContain('*');
      expect(resources.every((r) => r.startsWith('arn:aws:sso:::'))).toBe(true);
    }
  });

  it('holds group membership writes to the governed groups: no statement allows them on group/*', () => {
    const policy = JSON.parse(readFileSync(join(__dirname, '../../../manifest/aws/iam-policy.json'), 'utf8')) as {
      Statement: PolicyStatement[];
    };
    const writes = policy.Statement.filter((s) => s.Action.includes('identitystore:CreateGroupMembership'));
    expect(writes.length).toBeGreaterThan(0);
    const resources = writes.flatMap((s) => ([] as string[]).concat(s.Resource));
    expect(resources).not.toContain('*');
    const groups = resources.filter((r) => r.includes(':group/'));
    expect(groups).toEqual(['arn:aws:identitystore:::group/REPLACE_GOVERNED_GROUP_ID']);
  });
});
