import {
  isKeylessError,
  ErrorCodes,
  type AccountId,
  type AssignmentKey,
  type IdentityCenter,
  type PermissionSetArn,
  type PrincipalId,
} from '../../src';

/** What a harness knows of the seeded world it built. */
export interface IdentityCenterHarness {
  ic: IdentityCenter;
  /** An existing user: email, display/user name, and one group they belong to. */
  user: { email: string; userName: string; group: string };
  /** Another member of `user.group`. */
  colleagueEmail: string;
  account: { id: AccountId; name: string; ouId: string; tag: [string, string] };
  permissionSet: { arn: PermissionSetArn; name: string; sessionDurationSeconds: number };
  /** Makes the next assignment fail in Identity Center (status FAILED) with this reason. */
  failNextAssignment?: (reason: string) => void;
  teardown?: () => Promise<void>;
}

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** The IdentityCenter contract: run against the fake and the SDK adapter on the local AWS emulator. */
export function identityCenterContract(name: string, makeHarness: () => Promise<IdentityCenterHarness>): void {
  describe(`IdentityCenter contract: ${name}`, () => {
    let h: IdentityCenterHarness;
    let key: AssignmentKey;

    beforeEach(async () => {
      h = await makeHarness();
      const principal = await h.ic.resolvePrincipal(h.user.email);
      key = {
        principalId: principal.principalId as PrincipalId,
        accountId: h.account.id,
        permissionSetArn: h.permissionSet.arn,
      };
    });

    afterEach(async () => {
      await h.teardown?.();
    });

    it('resolves a verified email to the Identity Center user and their groups', async () => {
      const p = await h.ic.resolvePrincipal(h.user.email);
      expect(p.email.toLowerCase()).toBe(h.user.email.toLowerCase());
      expect(p.userName).toBe(h.user.userName);
      expect(p.groups).toContain(h.user.group);
    });

    it('says kindly when nobody has that email', async () => {
      const error = await errorOf(h.ic.resolvePrincipal('nobody-here@example.com'));
      expect(isKeylessError(error, ErrorCodes.PrincipalNotFound)).toBe(true);
    });

    it('lists the members of a group', async () => {
      const members = await h.ic.listGroupMembers(h.user.group);
      expect(members.map((m) => m.email.toLowerCase())).toEqual(
        expect.arrayContaining([h.user.email.toLowerCase(), h.colleagueEmail.toLowerCase()]),
      );
    });

    it('lists accounts with their name, OU path and tags', async () => {
      const account = (await h.ic.listAccounts()).find((a) => a.id === h.account.id);
      expect(account?.name).toBe(h.account.name);
      expect(account?.ouPath).toContain(h.account.ouId);
      expect(account?.tags[h.account.tag[0]]).toBe(h.account.tag[1]);
    });

    it('lists permission sets with their names and session durations', async () => {
      const ps = (await h.ic.listPermissionSets()).find((p) => p.arn === h.permissionSet.arn);
      expect(ps?.name).toBe(h.permissionSet.name);
      expect(ps?.sessionDurationSeconds).toBe(h.permissionSet.sessionDurationSeconds);
    });

    it('assigns once confirmed, and a repeat counts as assigned', async () => {
      await h.ic.assign(key);
      await h.ic.assign(key);
      const found = (await h.ic.listAssignments([h.permissionSet.arn])).filter(
        (a) => a.principalId === key.principalId && a.accountId === key.accountId,
      );
      expect(found).toHaveLength(1);
    });

    it('unassigns once confirmed, and a repeat counts as unassigned', async () => {
      await h.ic.assign(key);
      await h.ic.unassign(key);
      await h.ic.unassign(key);
      const found = (await h.ic.listAssignments([h.permissionSet.arn])).filter(
        (a) => a.principalId === key.principalId,
      );
      expect(found).toHaveLength(0);
    });

    it("says whether one user's assignment exists, before and after its removal", async () => {
      expect(await h.ic.hasAssignment(key)).toBe(false);
      await h.ic.assign(key);
      expect(await h.ic.hasAssignment(key)).toBe(true);
      await h.ic.unassign(key);
      expect(await h.ic.hasAssignment(key)).toBe(false);
    });

    it('refuses an account outside the organization with a clear error', async () => {
      const error = await errorOf(h.ic.assign({ ...key, accountId: '999999999999' as AccountId }));
      expect(isKeylessError(error, ErrorCodes.UnknownAccount)).toBe(true);
    });

    it('refuses a permission set that does not exist with a clear error', async () => {
      const missing = `${h.permissionSet.arn.slice(0, -16)}ffffffffffffffff` as PermissionSetArn;
      const error = await errorOf(h.ic.assign({ ...key, permissionSetArn: missing }));
      expect(isKeylessError(error, ErrorCodes.UnknownPermissionSet)).toBe(true);
    });

    it("carries AWS's reason when an assignment fails", async () => {
      if (!h.failNextAssignment) throw new Error('the harness must be able to make an assignment fail');
      h.failNextAssignment('Received a 404 status error: Not supported policy arn:aws:iam::aws:policy/Nope.');
      const error = await errorOf(h.ic.assign(key));
      expect(isKeylessError(error, ErrorCodes.AssignmentFailed)).toBe(true);
      expect((error as Error).message).toContain('Not supported policy');
    });
  });
}
