import { nextEscalationStep, systemActor, type AccessRequest } from '../domain';
import { commitRequest } from './commit';
import type { EngineContext } from './deps';
import { approverEmails } from './request-access';

/**
 * The reminder and escalation steps of pending requests that are due (a rule's `escalation`). Each
 * step is a transition of the request (`remind`, `escalate`) written under a condition on its
 * version: of several replicas sweeping at once, or a replica sweeping again after a restart, only
 * the one whose write lands tells anybody. Returns how many steps this replica took.
 */
export async function escalateDueRequests(
  ctx: EngineContext,
  pending: readonly AccessRequest[],
  forEach: (items: readonly AccessRequest[], fn: (r: AccessRequest) => Promise<unknown>) => Promise<unknown[]>,
): Promise<{ reminded: number; escalated: number; failures: unknown[] }> {
  const now = ctx.clock.now();
  const due = pending.filter((r) => {
    const step = nextEscalationStep(r);
    return step !== undefined && step.at <= now;
  });
  const counts = { reminded: 0, escalated: 0 };
  const failures = await forEach(due, async (r) => {
    // At most two steps (after an outage both may be due): the reminder first, then the escalation.
    for (let i = 0; i < 2; i++) {
      const { request, changed } = await commitRequest(ctx, r.id, (cur) => {
        const step = nextEscalationStep(cur);
        const at = ctx.clock.now();
        return step && step.at <= at && cur.decideBy > at
          ? { type: step.step, actor: systemActor('escalation'), at }
          : undefined;
      });
      if (!changed) return;
      const step = request.history.at(-1)?.event === 'escalate' ? 'escalate' : 'remind';
      if (step === 'escalate') counts.escalated++;
      else counts.reminded++;
      ctx.logger.info(
        { requestId: request.id, code: step },
        step === 'escalate' ? 'request escalated' : 'approvers reminded',
      );
      const emails =
        step === 'escalate'
          ? await approverEmails(ctx, request, request.escalation?.to)
          : await approverEmails(ctx, request);
      await ctx.publish({ type: 'request_escalated', step, request, approverEmails: emails });
    }
  });
  return { ...counts, failures };
}
