import { generateSeed, loadDemoSeed, parseSeedYaml, SeedError } from '../../../../../adapters/local/aws-emulator/seed';

describe('the emulator seed', () => {
  it('loads the demo seed shipped with the repository', () => {
    const seed = loadDemoSeed();
    expect(seed.accounts.length).toBeGreaterThanOrEqual(8);
    expect(seed.users.map((u) => u.userName)).toEqual(expect.arrayContaining(['rita', 'ann', 'bob', 'sam']));
    expect(seed.permissionSets.map((p) => p.name)).toEqual([
      'AdministratorAccess',
      'ReadOnlyAccess',
      'PowerUserAccess',
    ]);
  });

  it('names the path of every problem in an invalid seed', () => {
    const yaml = `
identityCenter: { instanceArn: arn:aws:sso:::instance/ssoins-1111111111111111, identityStoreId: d-1234567890 }
organization: { id: o-demo123456, managementAccountId: '100000000001', rootId: r-ab12 }
accounts:
  - { id: 111111111111, name: prod }
  - { id: '222222222222', name: sandbox, ou: ou-ab12-99999999 }
users:
  - { userName: rita, email: rita@example.com, groups: [nobody] }
permissionSets:
  - { name: Admin, sessionDuration: PT13H }
`;
    let error: unknown;
    try {
      parseSeedYaml(yaml, 'bad.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SeedError);
    const problems = (error as SeedError).problems.join('\n');
    expect(problems).toContain('accounts.0.id');
    expect(problems).toContain('permissionSets.0.sessionDuration');
    expect((error as SeedError).message).toContain('bad.yaml');
  });

  it('reports cross-reference problems: unknown OU and unknown group', () => {
    const yaml = `
identityCenter: { instanceArn: arn:aws:sso:::instance/ssoins-1111111111111111, identityStoreId: d-1234567890 }
organization: { id: o-demo123456, managementAccountId: '100000000001', rootId: r-ab12 }
accounts:
  - { id: '222222222222', name: sandbox, ou: ou-ab12-99999999 }
users:
  - { userName: rita, email: rita@example.com, groups: [nobody] }
`;
    expect(() => parseSeedYaml(yaml)).toThrow(
      /accounts\.0\.ou: unknown OU ou-ab12-99999999[\s\S]*users\.0\.groups\.0: unknown group nobody/,
    );
  });

  it('generates large organizations for type-ahead', () => {
    const seed = generateSeed({ accounts: 5000, ous: 20 });
    expect(seed.accounts).toHaveLength(5000);
    expect(new Set(seed.accounts.map((a) => a.id)).size).toBe(5000);
  });
});
