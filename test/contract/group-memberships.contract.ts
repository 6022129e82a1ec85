import { ErrorCodes, isKeylessError, type GroupId, type IdentityCenter, type PrincipalId } from '../../src';

/** What a harness knows of the seeded world: a user, a group they are not in, another group. */
export interface GroupMembershipsHarness {
  ic: IdentityCenter;
  userEmail: string;
  /** A group with no member: keyless grants its membership for a while. */
  group: string;
  teardown?: () => Promise<void>;
}

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** The group half of the IdentityCenter port, run against the fake and the SDK adapter on the emulator. */
export function groupMembershipsContract(name: string, makeHarness: () => Promise<GroupMembershipsHarness>): void {
  describe(`GroupMemberships contract: ${name}`, () => {
    let h: GroupMembershipsHarness;
    let principalId: PrincipalId;
    let groupId: GroupId;

    beforeEach(async () => {
      h = await makeHarness();
      principalId = (await h.ic.resolvePrincipal(h.userEmail)).principalId as PrincipalId;
      const group = await h.ic.findGroup(h.group);
      if (!group) throw new Error(`the harness has no group ${h.group}`);
      groupId = group.id;
    });

    afterEach(async () => {
      await h.teardown?.();
    });

    it('finds a group by its exact display name only', async () => {
      const g = await h.ic.findGroup(h.group);
      expect(g).toEqual({ id: groupId, name: h.group });
      expect(await h.ic.findGroup(h.group.toUpperCase())).toBeUndefined();
      expect(await h.ic.findGroup('no-such-group')).toBeUndefined();
    });

    it('adds a member, and adding again is not an error (idempotent)', async () => {
      expect(await h.ic.listGroupMemberIds(groupId)).not.toContain(principalId);
      await h.ic.addGroupMember({ principalId, groupId });
      await h.ic.addGroupMember({ principalId, groupId });
      expect((await h.ic.listGroupMemberIds(groupId)).filter((id) => id === principalId)).toHaveLength(1);
    });

    it('removes a member, and removing one already gone is not an error', async () => {
      await h.ic.addGroupMember({ principalId, groupId });
      await h.ic.removeGroupMember({ principalId, groupId });
      expect(await h.ic.listGroupMemberIds(groupId)).not.toContain(principalId);
      await expect(h.ic.removeGroupMember({ principalId, groupId })).resolves.toBeUndefined();
    });

    it('a membership removed and added again is there again', async () => {
      await h.ic.addGroupMember({ principalId, groupId });
      await h.ic.removeGroupMember({ principalId, groupId });
      await h.ic.addGroupMember({ principalId, groupId });
      expect(await h.ic.listGroupMemberIds(groupId)).toContain(principalId);
    });

    it('refuses a group that does not exist with UNKNOWN_GROUP', async () => {
      const missing = '9067ffff-0000-4000-8000-00000000ffff' as GroupId;
      const error = await errorOf(h.ic.addGroupMember({ principalId, groupId: missing }));
      expect(isKeylessError(error, ErrorCodes.UnknownGroup)).toBe(true);
    });

    it('refuses a user who does not exist with PRINCIPAL_NOT_FOUND', async () => {
      const nobody = '9067eeee-0000-4000-8000-00000000eeee' as PrincipalId;
      const error = await errorOf(h.ic.addGroupMember({ principalId: nobody, groupId }));
      expect(isKeylessError(error, ErrorCodes.PrincipalNotFound)).toBe(true);
      expect(await h.ic.listGroupMemberIds(groupId)).not.toContain(nobody);
    });
  });
}
