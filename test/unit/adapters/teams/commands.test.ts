import { normalizeCommandText, parseCommand, tokenize } from '../../../../adapters/teams/commands';

describe('parsing Teams text commands', () => {
  test('a root window names the account, the duration and the reason', () => {
    expect(parseCommand('root-window prod 2h CHG-42 close the plan')).toEqual({
      ok: true,
      command: { name: 'root-window', account: 'prod', duration: '2h', reason: 'CHG-42 close the plan' },
    });
    expect(parseCommand('root-window prod 2h')).toMatchObject({
      ok: false,
      example: expect.stringContaining('root-window'),
    });
  });

  test('the bot mention and HTML Teams adds in channels are removed', () => {
    expect(normalizeCommandText('<at>keyless</at>&nbsp;list <p></p>')).toBe('list');
    expect(parseCommand('<at>keyless</at> accounts pay').ok && parseCommand('<at>keyless</at> accounts pay')).toEqual({
      ok: true,
      command: { name: 'accounts', filter: 'pay' },
    });
  });

  test('"home" asks for the home card; "cancel" needs a request id', () => {
    expect(parseCommand('Home')).toEqual({ ok: true, command: { name: 'home' } });
    expect(parseCommand('cancel r-123')).toEqual({ ok: true, command: { name: 'cancel', requestId: 'r-123' } });
    expect(parseCommand('cancel')).toMatchObject({ ok: false, example: 'cancel r-7f3a' });
  });

  test('an empty message or "help" asks for help', () => {
    expect(parseCommand('')).toEqual({ ok: true, command: { name: 'help' } });
    expect(parseCommand('HELP')).toEqual({ ok: true, command: { name: 'help' } });
  });

  test('a request with every part is parsed, the reason keeps its words', () => {
    expect(parseCommand('request prod AdministratorAccess 2h INC-1 restore the queue')).toEqual({
      ok: true,
      command: {
        name: 'request',
        form: false,
        account: 'prod',
        permissionSet: 'AdministratorAccess',
        duration: '2h',
        reason: 'INC-1 restore the queue',
      },
    });
  });

  test('several accounts or an OU make one multi-account request', () => {
    expect(parseCommand('request prod,staging,ou:Payments ReadOnlyAccess 2h INC-9 check')).toMatchObject({
      ok: true,
      command: { name: 'request', accounts: ['prod', 'staging', 'ou:Payments'], permissionSet: 'ReadOnlyAccess' },
    });
    expect(parseCommand('request prod ReadOnlyAccess 2h INC-9 check')).toMatchObject({
      command: expect.not.objectContaining({ accounts: expect.anything() }),
    });
    expect(parseCommand('break-glass prod,staging AdministratorAccess 1h fire')).toMatchObject({
      command: expect.not.objectContaining({ accounts: expect.anything() }),
    });
  });

  test('a request may start later with --from, anywhere after the account', () => {
    expect(parseCommand('request prod ReadOnlyAccess 2h nightly migration --from tomorrow 09:00')).toEqual({
      ok: true,
      command: {
        name: 'request',
        form: false,
        account: 'prod',
        permissionSet: 'ReadOnlyAccess',
        duration: '2h',
        reason: 'nightly migration',
        start: 'tomorrow 09:00',
      },
    });
    expect(parseCommand('request prod ReadOnlyAccess 2h migration --from')).toMatchObject({ ok: false });
    expect(parseCommand('break-glass prod AdministratorAccess 1h down --from 09:00')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('leave --from out'),
    });
  });

  test('an account name with spaces can be quoted', () => {
    expect(tokenize('why "core banking" ReadOnlyAccess')).toEqual(['why', 'core banking', 'ReadOnlyAccess']);
  });

  test('request or break-glass alone opens the form', () => {
    expect(parseCommand('request')).toEqual({ ok: true, command: { name: 'request', form: true } });
    expect(parseCommand('break_glass')).toEqual({ ok: true, command: { name: 'break-glass', form: true } });
  });

  test('a request missing parts names exactly what is missing and gives an example', () => {
    expect(parseCommand('request prod AdministratorAccess')).toEqual({
      ok: false,
      problem:
        '`request` needs an account, a permission set, a duration and a reason; a duration, a reason are missing. Send `request` alone for a form.',
      example: 'request prod AdministratorAccess 2h INC-1234 restore the queue',
    });
  });

  test('extend and revoke need a grant id', () => {
    expect(parseCommand('extend g-1')).toMatchObject({ ok: false, example: 'extend g-7f3a 1h still debugging' });
    expect(parseCommand('revoke')).toMatchObject({ ok: false, example: 'revoke g-7f3a done' });
    expect(parseCommand('extend grt000001 1h more tests')).toEqual({
      ok: true,
      command: { name: 'extend', grantId: 'grt000001', duration: '1h', reason: 'more tests' },
    });
  });

  test('an unknown command lists the known ones', () => {
    const result = parseCommand('grant me root');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain('I don\'t know the command "grant"');
    expect(!result.ok && result.problem).toContain('break-glass');
  });
});

describe('group requests', () => {
  it('reads `request group:<name> <duration> <reason>` and `why group:<name>`', () => {
    expect(parseCommand('request group:db-admins 1h INC-7 fix the replica')).toEqual({
      ok: true,
      command: {
        name: 'request',
        form: false,
        account: 'group:db-admins',
        permissionSet: '',
        duration: '1h',
        reason: 'INC-7 fix the replica',
      },
    });
    expect(parseCommand('why group:db-admins')).toEqual({
      ok: true,
      command: { name: 'why', account: 'group:db-admins', permissionSet: '' },
    });
    const bad = parseCommand('request group:db-admins 1h');
    expect(bad.ok).toBe(false);
  });
});
