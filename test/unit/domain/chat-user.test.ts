import { matchesPeople, normalizeEmail, sameEmail, verifiedIdentityOf, type Principal } from '../../../src';

const principal = (email: string): Principal => ({
  principalId: 'p-1',
  userName: 'rita',
  email,
  displayName: 'Rita',
  groups: [],
});

describe('one form of an email address', () => {
  it('is trimmed and wholly lower-cased, the local part too', () => {
    expect(normalizeEmail('  Rita.Requester@Example.COM ')).toBe('rita.requester@example.com');
    expect(sameEmail('RITA@example.com', 'rita@EXAMPLE.com ')).toBe(true);
    expect(sameEmail('rita@example.com', 'rita2@example.com')).toBe(false);
  });

  it('is what policy compares: requesters and approvers listed by email match in any case and spacing', () => {
    const spec = { groups: [], emails: [' Rita@Example.com'] };
    expect(matchesPeople(spec, principal('rita@example.COM'))).toBe(true);
    expect(matchesPeople(spec, principal('ritax@example.com'))).toBe(false);
  });

  it('is what a chat user’s verified identity carries, with the directory id when the platform gave one', () => {
    expect(verifiedIdentityOf({ platform: 'slack', id: 'U1', displayName: 'R', email: ' Rita@Example.com ' })).toEqual({
      email: 'rita@example.com',
    });
    expect(
      verifiedIdentityOf({ platform: 'teams', id: 'aad-1', displayName: 'R', directoryId: 'aad-1', email: 'R@x.io' }),
    ).toEqual({ email: 'r@x.io', externalId: 'aad-1' });
    expect(verifiedIdentityOf({ platform: 'teams', id: 'aad-1', displayName: 'R', directoryId: 'aad-1' })).toEqual({
      externalId: 'aad-1',
    });
    expect(verifiedIdentityOf({ platform: 'slack', id: 'U1', displayName: 'R', email: '  ' })).toBeUndefined();
  });
});
