import { ErrorCodes, endedGrantText, isKeylessError, type ChatUser, type Grant } from '../../../src';
import { testEngine, users } from '../../builders/test-engine';

/**
 * End now and Extend on a grant that has ended (a stale button in a DM, the App Home, an approval
 * message, a Teams card) are answered with the grant's real state, decided by the engine, and
 * change nothing: no "removing it from AWS now" for a grant that is already gone.
 */
const olgaInParis: ChatUser = { ...users.olga, timeZone: 'Europe/Paris' };

async function activeSandboxGrant() {
  const t = testEngine();
  const { request } = await t.engine.requestAccess({
    requester: users.olga,
    account: 'sandbox',
    permissionSet: 'ReadOnlyAccess',
    duration: '1h',
    reason: 'look at the logs',
  });
  await t.engine.idle();
  const grantId = (await t.engine.getRequest(request.id))!.grantId!;
  return { t, grantId };
}

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('actions on a grant that has ended', () => {
  it('End now after expiry answers "already ended (expired)" with the time, and changes nothing', async () => {
    const { t, grantId } = await activeSandboxGrant();
    t.clock.advance(3600_000);
    await t.engine.sweep();
    await t.engine.idle();
    const expired = (await t.engine.getGrant(grantId)) as Grant;
    expect(expired.status).toBe('expired');
    const events = t.notifier.types().length;
    const unassigns = t.identity.unassignCalls.length;

    const result = await t.engine.revoke({ grantId, actor: olgaInParis });
    await t.engine.idle();
    expect(result.outcome).toBe('already_ended');
    expect(result.grant.status).toBe('expired');
    expect(result.grant.version).toBe(expired.version);
    expect(t.notifier.types()).toHaveLength(events);
    expect(t.identity.unassignCalls).toHaveLength(unassigns);
    expect(endedGrantText(result.grant, 'Europe/Paris')).toMatch(
      /^This access already ended at \w{3} \d+ \w{3}, \d\d:\d\d GMT\+1 \(Europe\/Paris\) \(expired\)\.$/,
    );
  });

  it('End now on a live grant starts the removal; a second click is told it is already ending or ended', async () => {
    const { t, grantId } = await activeSandboxGrant();
    const first = await t.engine.revoke({ grantId, actor: users.olga });
    expect(first.outcome).toBe('revoking');
    const second = await t.engine.revoke({ grantId, actor: users.olga });
    expect(second.outcome).toBe('already_ended');
    await t.engine.idle();
    expect(t.identity.unassignCalls).toHaveLength(1);
    const third = await t.engine.revoke({ grantId, actor: users.olga });
    expect(third.outcome).toBe('already_ended');
    expect(endedGrantText(third.grant)).toMatch(/already ended at .* \(UTC\) \(revoked by Olga\)\./);
  });

  it('Extend after expiry is refused with GRANT_ENDED in the person’s own zone, and asks nothing of approvers', async () => {
    const { t, grantId } = await activeSandboxGrant();
    t.clock.advance(3600_000);
    await t.engine.sweep();
    await t.engine.idle();
    const submitted = t.notifier.ofType('request_submitted').length;
    const error = await errorOf(t.engine.extend({ grantId, actor: olgaInParis, duration: '1h' }));
    expect(isKeylessError(error, ErrorCodes.GrantEnded)).toBe(true);
    expect((error as Error).message).toMatch(
      /^This access already ended at .* GMT\+1 \(Europe\/Paris\) \(expired\)\.$/,
    );
    expect(t.notifier.ofType('request_submitted')).toHaveLength(submitted);
  });

  it('still refuses a stranger before saying anything about the grant', async () => {
    const { t, grantId } = await activeSandboxGrant();
    t.clock.advance(3600_000);
    await t.engine.sweep();
    await t.engine.idle();
    expect(isKeylessError(await errorOf(t.engine.revoke({ grantId, actor: users.rita })), ErrorCodes.NotAllowed)).toBe(
      true,
    );
  });
});
