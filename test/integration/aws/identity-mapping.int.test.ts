/**
 * Who a chat user is in Identity Center, on the real adapter against the local emulator, which is
 * as strict as AWS: GetUserId matches `emails.value` and `userName` exactly (letter case included)
 * and looks up ExternalId {Issuer, Id} pairs. The rule under test:
 * 1. the identity provider's id (Teams: the Entra object id) under the configured issuer, then
 * 2. the email in its one normalised form (trimmed, lower-cased), and nothing else,
 * so that the answer depends on the identity alone, never on what was looked up before.
 */
import { GetUserIdCommand, DescribeUserCommand, type GetUserIdCommandInput } from '@aws-sdk/client-identitystore';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { DEMO_EXTERNAL_ID_ISSUER } from '../../../adapters/local/aws-emulator/seed';
import { loadDemoSeed, type EmulatorSeed } from '../../../adapters/local/aws-emulator';
import { ErrorCodes, isKeylessError } from '../../../src';
import {
  DEMO_IDENTITY_STORE_ID,
  clientConfig,
  startEmulatedIdentityCenter,
  type EmulatedIdentityCenter,
} from './emulator-harness';

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** The demo organization, plus user7 (stored lower-case) and Dora (stored in mixed case, against the rule). */
function seed(): EmulatorSeed {
  const demo = loadDemoSeed();
  return {
    ...demo,
    users: [
      ...demo.users,
      { userName: 'user7', email: 'user7@example.com', displayName: 'User Seven', groups: [], externalIds: [] },
      { userName: 'dora', email: 'Dora.Mixed@example.com', displayName: 'Dora', groups: [], externalIds: [] },
    ],
  };
}

describe('finding people in Identity Center', () => {
  let env: EmulatedIdentityCenter | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  const start = async (externalIdIssuer?: string) => {
    env = await startEmulatedIdentityCenter({
      seed: seed(),
      ...(externalIdIssuer ? { adapter: { directory: { externalIdIssuer } } } : {}),
    });
    return env;
  };

  describe('by email: one normalised form, whatever was looked up before', () => {
    it.each([
      ['the odd spelling first', [' USER7@Example.com ', 'user7@example.com']],
      ['the lower-case spelling first', ['user7@example.com', ' USER7@Example.com ']],
    ])('resolves user7 in any letter case with %s, asking AWS once for the lower-case form', async (_, order) => {
      const { ic, emulator } = await start();
      const [first, second] = [await ic.resolvePrincipal(order[0]!), await ic.resolvePrincipal(order[1]!)];
      expect(first.userName).toBe('user7');
      expect(second).toEqual(first);
      expect(emulator.log.count('GetUserId')).toBe(1);
    });

    it('finds nobody for an address Identity Center holds in mixed case, by any spelling, and says how to fix it', async () => {
      const { ic } = await start();
      for (const spelling of ['Dora.Mixed@example.com', 'dora.mixed@example.com']) {
        const error = await errorOf(ic.resolvePrincipal(spelling));
        expect(isKeylessError(error, ErrorCodes.PrincipalNotFound)).toBe(true);
        expect((error as Error).message).toContain('looked for dora.mixed@example.com');
        expect((error as { hint?: string }).hint).toMatch(/lower case/);
      }
    });
  });

  describe('by Entra object id (SCIM external id)', () => {
    it('finds the person by external id even when the verified email is another one', async () => {
      const { ic, emulator } = await start(DEMO_EXTERNAL_ID_ISSUER);
      const rita = await ic.resolvePrincipal({ externalId: 'aad-rita', email: 'rita.renamed@contoso.example' });
      expect(rita).toMatchObject({ userName: 'rita', email: 'rita@example.com' });
      expect(emulator.log.count('GetUserId')).toBe(1);
    });

    it('falls back to the email when no user carries the external id, and finds nobody when neither matches', async () => {
      const { ic } = await start(DEMO_EXTERNAL_ID_ISSUER);
      expect((await ic.resolvePrincipal({ externalId: 'aad-unknown', email: 'Ann@Example.com' })).userName).toBe('ann');
      const error = await errorOf(ic.resolvePrincipal({ externalId: 'aad-unknown', email: 'x@contoso.example' }));
      expect(isKeylessError(error, ErrorCodes.PrincipalNotFound)).toBe(true);
      const noEmail = await errorOf(ic.resolvePrincipal({ externalId: 'aad-unknown' }));
      expect(isKeylessError(noEmail, ErrorCodes.PrincipalNotFound)).toBe(true);
    });

    it('does not use external ids when no issuer is configured (email only)', async () => {
      const { ic, emulator } = await start();
      const error = await errorOf(
        ic.resolvePrincipal({ externalId: 'aad-rita', email: 'rita.renamed@contoso.example' }),
      );
      expect(isKeylessError(error, ErrorCodes.PrincipalNotFound)).toBe(true);
      expect(emulator.log.count('GetUserId')).toBe(2); // emails.value, then userName
    });

    it('does not match an external id recorded under another issuer', async () => {
      const { ic } = await start('https://scim.aws.com/another-directory');
      const error = await errorOf(ic.resolvePrincipal({ externalId: 'aad-rita' }));
      expect(isKeylessError(error, ErrorCodes.PrincipalNotFound)).toBe(true);
    });
  });
});

describe('the emulator’s identitystore, as strict as AWS', () => {
  let env: EmulatedIdentityCenter;
  let client: IdentitystoreClient;
  beforeAll(async () => {
    env = await startEmulatedIdentityCenter({ seed: seed() });
    client = new IdentitystoreClient(clientConfig(env.emulator.url));
  });
  afterAll(async () => {
    client.destroy();
    await env.stop();
  });

  const getUserId = (AlternateIdentifier: GetUserIdCommandInput['AlternateIdentifier']) =>
    client.send(new GetUserIdCommand({ IdentityStoreId: DEMO_IDENTITY_STORE_ID, AlternateIdentifier }));
  const nameOf = async (work: Promise<unknown>) => ((await errorOf(work)) as Error | undefined)?.name;

  it('matches emails.value and userName exactly, letter case included', async () => {
    const exact = await getUserId({
      UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: 'rita@example.com' },
    });
    expect(exact.UserId).toBeDefined();
    expect(
      await nameOf(
        getUserId({ UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: 'RITA@example.com' } }),
      ),
    ).toBe('ResourceNotFoundException');
    expect(await nameOf(getUserId({ UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'Rita' } }))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('finds a user by ExternalId {Issuer, Id}, both exact, and DescribeUser shows the ExternalIds', async () => {
    const { UserId } = await getUserId({ ExternalId: { Issuer: DEMO_EXTERNAL_ID_ISSUER, Id: 'aad-ann' } });
    const user = await client.send(new DescribeUserCommand({ IdentityStoreId: DEMO_IDENTITY_STORE_ID, UserId }));
    expect(user.UserName).toBe('ann');
    expect(user.ExternalIds).toEqual([{ Issuer: DEMO_EXTERNAL_ID_ISSUER, Id: 'aad-ann' }]);
    expect(await nameOf(getUserId({ ExternalId: { Issuer: DEMO_EXTERNAL_ID_ISSUER, Id: 'AAD-ANN' } }))).toBe(
      'ResourceNotFoundException',
    );
    expect(await nameOf(getUserId({ ExternalId: { Issuer: 'https://elsewhere', Id: 'aad-ann' } }))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('answers ValidationException for a malformed identifier', async () => {
    const both = {
      ExternalId: { Issuer: DEMO_EXTERNAL_ID_ISSUER, Id: 'aad-ann' },
      UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'ann' },
    } as unknown as GetUserIdCommandInput['AlternateIdentifier'];
    expect(await nameOf(getUserId(both))).toBe('ValidationException');
    expect(await nameOf(getUserId({ ExternalId: { Issuer: '', Id: 'aad-ann' } }))).toBe('ValidationException');
    expect(await nameOf(getUserId({ ExternalId: { Issuer: 'has a space', Id: 'aad-ann' } }))).toBe(
      'ValidationException',
    );
    expect(await nameOf(getUserId({ ExternalId: { Issuer: 'x', Id: 'a'.repeat(257) } }))).toBe('ValidationException');
    expect(
      await nameOf(getUserId({ UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Ann Approver' } })),
    ).toBe('ValidationException');
  });
});
