import { evaluateScps, parseScp, SCP_MAX_CHARACTERS } from '../../../../../adapters/local/aws-emulator/services/scp';

const FULL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const USER = '90676a4c-1111-4222-8333-444455556666';
const ISSUED = '2026-01-01T10:00:00.000Z';

function cut(conditions: Record<string, Record<string, string | string[]>>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Cut0', Effect: 'Deny', Action: '*', Resource: '*', Condition: conditions }],
  });
}

const request = (keys: Record<string, string> = {}) => ({
  action: 's3:ListAllMyBuckets',
  keys: {
    'identitystore:UserId': USER,
    'aws:TokenIssueTime': ISSUED,
    'aws:PrincipalAccount': '222222222222',
    'aws:PrincipalArn':
      'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_ReadOnlyAccess_0123456789abcdef',
    ...keys,
  },
});

describe('service control policies in the local AWS emulator', () => {
  const deny = cut({
    StringEquals: { 'identitystore:UserId': USER, 'aws:PrincipalAccount': '222222222222' },
    DateLessThan: { 'aws:TokenIssueTime': '2026-01-01T11:00:00Z' },
    ArnLike: {
      'aws:PrincipalArn': 'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_ReadOnlyAccess_*',
    },
  });

  it('denies a session of the user issued before T, explicitly', () => {
    expect(evaluateScps([[FULL, deny], [FULL]], request())).toEqual({ allowed: false, reason: 'explicit' });
  });

  it('lets a session issued at or after T through', () => {
    expect(evaluateScps([[FULL, deny]], request({ 'aws:TokenIssueTime': '2026-01-01T11:00:00Z' }))).toEqual({
      allowed: true,
    });
  });

  it('lets another user, another account and another permission set through', () => {
    expect(evaluateScps([[FULL, deny]], request({ 'identitystore:UserId': 'someone-else' })).allowed).toBe(true);
    expect(evaluateScps([[FULL, deny]], request({ 'aws:PrincipalAccount': '111111111111' })).allowed).toBe(true);
    expect(
      evaluateScps(
        [[FULL, deny]],
        request({
          'aws:PrincipalArn':
            'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef',
        }),
      ).allowed,
    ).toBe(true);
  });

  it('does not deny a session that lacks a key the statement tests (an assumed role has no identitystore:UserId)', () => {
    const keys = request().keys as Record<string, string>;
    delete keys['identitystore:UserId'];
    expect(evaluateScps([[FULL, deny]], { action: 's3:ListAllMyBuckets', keys }).allowed).toBe(true);
  });

  it('reads condition key names case-insensitively, as IAM does', () => {
    const lower = cut({ StringEquals: { 'identitystore:userId': USER } });
    expect(evaluateScps([[FULL, lower]], request()).allowed).toBe(false);
  });

  it('denies implicitly when a level of the path allows nothing', () => {
    expect(evaluateScps([[FULL], []], request())).toEqual({ allowed: false, reason: 'implicit' });
  });

  it('refuses an operator it does not evaluate instead of ignoring it', () => {
    expect(() => parseScp(cut({ StringNotEquals: { 'identitystore:UserId': USER } }))).toThrow(
      expect.objectContaining({ code: 'MalformedPolicyDocumentException' }),
    );
    expect(() => parseScp(cut({ 'ForAnyValue:StringEquals': { 'aws:PrincipalTag/team': 'x' } }))).toThrow(
      /does not evaluate/,
    );
  });

  it('refuses a document over 5,120 characters, whitespace included, with the reason AWS gives', () => {
    const padded = FULL.replace('{', `{${' '.repeat(SCP_MAX_CHARACTERS - FULL.length + 1)}`);
    expect(padded.length).toBe(SCP_MAX_CHARACTERS + 1);
    expect(() => parseScp(padded)).toThrow(
      expect.objectContaining({
        code: 'ConstraintViolationException',
        fields: { Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED' },
      }),
    );
    expect(() => parseScp(FULL.replace('{', `{${' '.repeat(SCP_MAX_CHARACTERS - FULL.length)}`))).not.toThrow();
  });

  it('refuses a Principal element and a bad Version', () => {
    expect(() =>
      parseScp('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}'),
    ).toThrow(/Principal is not allowed/);
    expect(() => parseScp(FULL.replace('2012-10-17', '2008-10-17'))).toThrow(/Version/);
  });
});
