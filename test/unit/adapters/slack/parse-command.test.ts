import { parseCommand, tokenize } from '../../../../adapters/slack/parse-command';

describe('parseCommand', () => {
  it('reads a root window: account, duration, then the reason', () => {
    expect(parseCommand('root-window prod 2h CHG-42 close the support plan')).toEqual({
      kind: 'root-window',
      account: 'prod',
      duration: '2h',
      reason: 'CHG-42 close the support plan',
    });
  });

  it('says what a root window lacks, with an example', () => {
    expect(parseCommand('root-window prod soon')).toMatchObject({
      kind: 'problem',
      message: expect.stringContaining('"soon"'),
    });
    expect(parseCommand('root-window prod 2h')).toMatchObject({
      kind: 'problem',
      message: expect.stringContaining('why'),
    });
    expect(parseCommand('root-window')).toMatchObject({
      kind: 'problem',
      example: expect.stringContaining('root-window'),
    });
  });

  it('opens the form for an empty command and for a bare request', () => {
    expect(parseCommand('')).toEqual({ kind: 'modal' });
    expect(parseCommand('  request ')).toEqual({ kind: 'modal' });
  });

  it('reads a one-line request: account, permission set, duration, then the reason', () => {
    expect(parseCommand('request prod AdministratorAccess 2h INC-1234 restore the queue')).toEqual({
      kind: 'request',
      account: 'prod',
      permissionSet: 'AdministratorAccess',
      duration: '2h',
      reason: 'INC-1234 restore the queue',
    });
  });

  it('reads several accounts or an OU as one multi-account request', () => {
    expect(parseCommand('request prod,staging,ou:Payments ReadOnlyAccess 2h INC-9 check')).toMatchObject({
      kind: 'request',
      accounts: ['prod', 'staging', 'ou:Payments'],
      permissionSet: 'ReadOnlyAccess',
      reason: 'INC-9 check',
    });
    expect(parseCommand('request ou:Sandbox ReadOnlyAccess 1h look')).toMatchObject({ accounts: ['ou:Sandbox'] });
    expect(parseCommand('request "prod, staging" ReadOnlyAccess 1h look')).toMatchObject({
      accounts: ['prod', 'staging'],
    });
    expect(parseCommand('request prod ReadOnlyAccess 1h look')).not.toHaveProperty('accounts');
  });

  it('reads "until 18:00", ISO durations and a --ticket anywhere in the reason', () => {
    expect(parseCommand('request 111111111111 ReadOnlyAccess until 18:00 look --ticket OPS-1 at logs')).toMatchObject({
      duration: 'until 18:00',
      reason: 'look at logs',
      ticket: 'OPS-1',
    });
    expect(parseCommand('request prod ReadOnlyAccess PT90M read')).toMatchObject({ duration: 'PT90M' });
    expect(parseCommand('request prod ReadOnlyAccess 1h30m read --ticket=https://t.example/1')).toMatchObject({
      duration: '1h30m',
      ticket: 'https://t.example/1',
    });
  });

  it('reads --from anywhere in the reason: a time, a day and a time, or an ISO date-time', () => {
    expect(parseCommand('request prod ReadOnlyAccess 2h nightly --from 09:00 migration')).toMatchObject({
      kind: 'request',
      reason: 'nightly migration',
      start: '09:00',
    });
    expect(parseCommand('request prod ReadOnlyAccess 2h migration --from tomorrow 09:00')).toMatchObject({
      reason: 'migration',
      start: 'tomorrow 09:00',
    });
    expect(
      parseCommand('request prod ReadOnlyAccess 2h migration --from 2026-12-24 09:30 --ticket OPS-1'),
    ).toMatchObject({ reason: 'migration', start: '2026-12-24 09:30', ticket: 'OPS-1' });
    expect(parseCommand('request prod ReadOnlyAccess 2h migration --from=2026-12-24T09:00+01:00')).toMatchObject({
      start: '2026-12-24T09:00+01:00',
    });
    expect(parseCommand('request prod ReadOnlyAccess 2h migration')).not.toHaveProperty('start');
    expect(parseCommand('request prod ReadOnlyAccess 2h migration --from')).toMatchObject({
      kind: 'problem',
      message: expect.stringContaining('--from'),
    });
  });

  it('keeps quoted words together', () => {
    expect(tokenize('why "Prod Account" ReadOnlyAccess')).toEqual(['why', 'Prod Account', 'ReadOnlyAccess']);
  });

  it('names the missing duration with a corrected example', () => {
    expect(parseCommand('request prod AdministratorAccess fix it')).toEqual({
      kind: 'problem',
      message: '"fix" is not a duration: put one such as 90m, 2h or "until 18:00" after the permission set.',
      example: '/aws-access request prod AdministratorAccess 2h INC-1234 restore the payments queue',
    });
  });

  it('asks for a reason after the duration', () => {
    expect(parseCommand('request prod AdministratorAccess 2h')).toMatchObject({
      kind: 'problem',
      message: 'Please give a reason after the duration.',
    });
  });

  it('reads revoke, extend, cancel, why, accounts and approvals', () => {
    expect(parseCommand('revoke g123 done early')).toEqual({ kind: 'revoke', grantId: 'g123', reason: 'done early' });
    expect(parseCommand('extend g123 1h')).toEqual({ kind: 'extend', grantId: 'g123', duration: '1h' });
    expect(parseCommand('extend g123 later')).toMatchObject({
      kind: 'problem',
      message: '"later" is not a duration such as 30m, 1h or 1h30m.',
    });
    expect(parseCommand('cancel r1')).toEqual({ kind: 'cancel', requestId: 'r1' });
    expect(parseCommand('why prod')).toMatchObject({
      kind: 'problem',
      example: '/aws-access why prod AdministratorAccess',
    });
    expect(parseCommand('accounts data sandbox')).toEqual({ kind: 'accounts', filter: 'data sandbox' });
    expect(parseCommand('APPROVALS')).toEqual({ kind: 'approvals' });
  });

  it('reads break-glass with or without a duration', () => {
    expect(parseCommand('break-glass prod AdministratorAccess db is down')).toEqual({
      kind: 'break-glass',
      account: 'prod',
      permissionSet: 'AdministratorAccess',
      reason: 'db is down',
    });
    expect(parseCommand('break-glass prod AdministratorAccess 30m db is down')).toMatchObject({ duration: '30m' });
    expect(parseCommand('break-glass prod AdministratorAccess')).toMatchObject({ kind: 'problem' });
  });

  it('suggests the closest subcommand for a typo, and help for gibberish', () => {
    expect(parseCommand('aprovals')).toMatchObject({
      kind: 'problem',
      message: expect.stringContaining('Did you mean `approvals`?'),
    });
    expect(parseCommand('xyzzyplugh')).toMatchObject({ kind: 'problem', example: '/aws-access help request' });
  });

  it('gives help on a topic, or in general', () => {
    expect(parseCommand('help extend')).toEqual({ kind: 'help', topic: 'extend' });
    expect(parseCommand('help nonsense')).toEqual({ kind: 'help' });
  });
});

describe('group requests', () => {
  it('reads `request group:<name> <duration> <reason>` with no permission set', () => {
    expect(parseCommand('request group:db-admins 1h INC-7 fix the replica')).toEqual({
      kind: 'request',
      account: 'group:db-admins',
      permissionSet: '',
      duration: '1h',
      reason: 'INC-7 fix the replica',
    });
    expect(parseCommand('why group:db-admins')).toEqual({ kind: 'why', account: 'group:db-admins', permissionSet: '' });
  });

  it('points at the duration when it is missing or wrong', () => {
    const bad = parseCommand('request group:db-admins soon please');
    expect(bad).toMatchObject({ kind: 'problem' });
    expect((bad as { message: string }).message).toContain('"soon" is not a duration');
    expect((parseCommand('request group:db-admins 1h') as { message: string }).message).toContain('reason');
  });
});
