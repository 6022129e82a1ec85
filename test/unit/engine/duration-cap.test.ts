import { ErrorCodes, isKeylessError, ruleMaxSeconds, termViolation, type Grant, type GrantId } from '../../../src';
import { testEngine, users, type TestEngine } from '../../builders/test-engine';

/**
 * The duration invariant on every path that moves an end: no grant lasts longer than the rule that
 * approved it allows, whatever the interleaving of approvals, merges and extensions.
 */
async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

const sandboxRead = { account: 'sandbox', permissionSet: 'ReadOnlyAccess', reason: 'read the logs' };
const prodAdmin = { account: 'prod', permissionSet: 'AdministratorAccess', reason: 'INC-42 restart the queue' };

function maxOf(t: TestEngine, rule: string): number {
  if (rule === 'break-glass') return ruleMaxSeconds(t.policy.breakGlass!);
  return ruleMaxSeconds(t.policy.rules.find((r) => r.name === rule)!);
}

function liveGrants(t: TestEngine): Grant[] {
  return [...t.store.grants.values()].filter((g) => g.status === 'active');
}

/** Holds every assignment open until `release()`: requests pile up before the first grant is active. */
function holdAssignments(t: TestEngine): { release: () => void } {
  const waiting: (() => void)[] = [];
  let held = true;
  t.identity.confirm = (op) =>
    op === 'assign' && held ? new Promise<void>((r) => waiting.push(r)) : Promise.resolve();
  return {
    release: () => {
      held = false;
      for (const r of waiting.splice(0)) r();
    },
  };
}

describe('a grant never outlasts its rule', () => {
  it('two approved 4h requests made before the first grant is active give 4h, not 8h', async () => {
    const t = testEngine();
    const gate = holdAssignments(t);
    const first = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin, duration: '4h' });
    const second = await t.engine.requestAccess({ requester: users.rita, ...prodAdmin, duration: '4h' });
    for (const r of [first, second]) {
      await t.engine.approve({ requestId: r.request.id, actor: users.ann });
      await t.engine.approve({ requestId: r.request.id, actor: users.bob });
    }
    await new Promise((r) => setImmediate(r));
    gate.release();
    await t.engine.idle();
    await t.engine.sweep();
    await t.engine.idle();

    const [grant, ...others] = liveGrants(t);
    expect(others).toEqual([]);
    expect(grant!.expiresAt! - grant!.activatedAt!).toBe(4 * 3600_000);
    expect(grant!.expiresAt! - grant!.activatedAt!).toBeLessThanOrEqual(maxOf(t, 'prod-admin') * 1000);
    expect(t.identity.assignCalls).toHaveLength(1);
    // The requester is told the real end, not "+4h".
    const told = t.notifier.ofType('grant_extended');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ addSeconds: 0, grant: { id: grant!.id } });
    expect(told[0]!.grant.expiresAt ?? told[0]!.grant.durationSeconds * 1000 + grant!.activatedAt!).toBe(
      grant!.expiresAt,
    );
  });

  it('a second request on a grant still provisioning extends it to the later end, cut to the cap', async () => {
    const t = testEngine();
    const gate = holdAssignments(t);
    await t.engine.requestAccess({ requester: users.olga, ...sandboxRead, duration: '6h' });
    await new Promise((r) => setImmediate(r));
    const second = await t.engine.requestAccess({ requester: users.olga, ...sandboxRead, duration: '8h' });
    expect(second.request.kind).toBe('extension');
    await new Promise((r) => setImmediate(r));
    gate.release();
    await t.engine.idle();
    const [grant] = liveGrants(t);
    expect(grant!.expiresAt! - grant!.activatedAt!).toBe(8 * 3600_000);
    const told = t.notifier.ofType('grant_extended');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ addSeconds: 2 * 3600, capped: false, grant: { durationSeconds: 8 * 3600 } });
  });

  it('30 concurrent auto-approved 1h requests give one 1h grant on an 8h rule', async () => {
    const t = testEngine();
    await Promise.all(
      Array.from({ length: 30 }, () =>
        t.engine.requestAccess({ requester: users.olga, ...sandboxRead, duration: '1h' }),
      ),
    );
    await t.engine.idle();
    await t.engine.sweep();
    await t.engine.idle();
    const grants = liveGrants(t);
    expect(grants).toHaveLength(1);
    expect(grants[0]!.expiresAt! - grants[0]!.activatedAt!).toBe(3600_000);
    expect(t.identity.assignCalls).toHaveLength(1);
  });

  it('6 concurrent break-glass 1h requests give one 1h grant (the break-glass cap)', async () => {
    const t = testEngine();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        t.engine.requestAccess({ requester: users.ann, ...prodAdmin, duration: '1h', breakGlass: true }),
      ),
    );
    await t.engine.idle();
    await t.engine.sweep();
    await t.engine.idle();
    const grants = liveGrants(t);
    expect(grants).toHaveLength(1);
    expect(grants[0]!.expiresAt! - grants[0]!.activatedAt!).toBeLessThanOrEqual(maxOf(t, 'break-glass') * 1000);
    expect(t.identity.assignCalls).toHaveLength(1);
  });

  it('an extension adds the time asked, and the grant keeps its cap from the extension on', async () => {
    const t = testEngine();
    const { request } = await t.engine.requestAccess({ requester: users.olga, ...sandboxRead, duration: '2h' });
    await t.engine.idle();
    const grantId = (await t.engine.getRequest(request.id))!.grantId! as GrantId;
    t.clock.advance(3600_000);
    await t.engine.extend({ grantId, actor: users.olga, duration: '3h' });
    await t.engine.idle();
    const g = (await t.engine.getGrant(grantId))!;
    expect(g.expiresAt! - g.activatedAt!).toBe(5 * 3600_000);
    expect(g.windowStartAt).toBe(t.clock.now());
    expect(termViolation(g)).toBeUndefined();
    expect(t.notifier.ofType('grant_extended')[0]).toMatchObject({
      addSeconds: 3 * 3600,
      grant: { expiresAt: g.expiresAt },
    });
  });
});

describe('the exact boundary of every cap', () => {
  it('a rule: its maximum is accepted, one second more is refused', async () => {
    const t = testEngine();
    const max = maxOf(t, 'sandbox-readonly');
    const ok = await t.engine.requestAccess({ requester: users.olga, ...sandboxRead, duration: `PT${max}S` });
    expect(ok.decision.outcome).toBe('auto_approve');
    const t2 = testEngine();
    const refused = await errorOf(
      t2.engine.requestAccess({ requester: users.olga, ...sandboxRead, duration: `PT${max + 1}S` }),
    );
    expect(isKeylessError(refused, ErrorCodes.PolicyDenied)).toBe(true);
  });

  it('break-glass: its cap is accepted, one second more is refused', async () => {
    const t = testEngine();
    const max = maxOf(t, 'break-glass');
    const ok = await t.engine.requestAccess({
      requester: users.ann,
      ...prodAdmin,
      duration: `PT${max}S`,
      breakGlass: true,
    });
    expect(ok.decision.outcome).toBe('break_glass');
    const t2 = testEngine();
    const refused = await errorOf(
      t2.engine.requestAccess({ requester: users.ann, ...prodAdmin, duration: `PT${max + 1}S`, breakGlass: true }),
    );
    expect(isKeylessError(refused, ErrorCodes.PolicyDenied)).toBe(true);
  });

  it('an extension: up to the rule maximum in all is accepted, one second more is refused', async () => {
    const t = testEngine();
    const max = maxOf(t, 'sandbox-readonly');
    const { request } = await t.engine.requestAccess({ requester: users.olga, ...sandboxRead, duration: '2h' });
    await t.engine.idle();
    const grantId = (await t.engine.getRequest(request.id))!.grantId!;
    const left = max - 2 * 3600;
    const refused = await errorOf(t.engine.extend({ grantId, actor: users.olga, duration: `PT${left + 1}S` }));
    expect(isKeylessError(refused, ErrorCodes.PolicyDenied)).toBe(true);
    await t.engine.extend({ grantId, actor: users.olga, duration: `PT${left}S` });
    await t.engine.idle();
    const g = (await t.engine.getGrant(grantId))!;
    expect(g.expiresAt! - g.activatedAt!).toBe(max * 1000);
  });
});
