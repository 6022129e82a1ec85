import {
  DEFAULT_MAX_ACCOUNTS_PER_REQUEST,
  ErrorCodes,
  KeylessError,
  checkBundleSize,
  expandAccountTargets,
  isKeylessError,
  normalizeEmail,
  parseRequestId,
  splitAccountTargets,
  type AccessRequest,
  type Account,
  type BundleRefusal,
  type BundleView,
  type ChatUser,
  type Decision,
  type Grant,
  type RequestBundle,
} from '../domain';
import { approve, deny, type DecideResult } from './decide-request';
import type { EngineContext } from './deps';
import { approverEmails, requestAccess, requestIdFor, type RequestAccessInput } from './request-access';
import { revoke, type RevokeResult } from './revoke-grant';

export interface RequestBundleInput extends Omit<
  RequestAccessInput,
  'account' | 'bundle' | 'dryRun' | 'breakGlass' | 'addsTime'
> {
  /** As typed or picked: account ids, exact names, `ou:<OU name or id>`; commas separate them. */
  accounts: string | readonly string[];
}

export interface RequestBundleResult {
  bundleId: string;
  /** One request per account the policy allowed, in the order asked. */
  requests: AccessRequest[];
  /** The accounts the policy refused, each with why; no request was made for them. */
  refused: BundleRefusal[];
  /** True when the same submission had already been received. */
  duplicate: boolean;
}

/** What one click did to each account of a bundle (`error`: the code of a refusal for that account). */
export interface BundleActionResult {
  bundleId: string;
  results: { requestId: string; accountName: string; outcome?: string; error?: string }[];
}

const refusalCodes: readonly string[] = [ErrorCodes.NotEligibleApprover, ErrorCodes.SelfApprovalForbidden];

/**
 * Several accounts in one request (issue 16): the accounts are expanded (`ou:` to every account
 * under it), counted against the policy's `maxAccountsPerRequest`, and each is decided by the
 * policy on its own through `requestAccess`, the one path of every request. An account the person
 * may not have is refused up front with the policy's reason, and the others proceed; then one
 * request per allowed account is filed with the bundle recorded on it, and the bundle is announced
 * once. A retry with the same idempotency key files nothing twice (each account's request id is
 * derived from the key and the account).
 */
export async function requestBundle(ctx: EngineContext, input: RequestBundleInput): Promise<RequestBundleResult> {
  const typed = splitAccountTargets(input.accounts);
  const catalog = await ctx.identity.listAccounts();
  const accounts = expandAccountTargets(catalog, typed);
  checkBundleSize(accounts.length, ctx.policy().maxAccountsPerRequest ?? DEFAULT_MAX_ACCOUNTS_PER_REQUEST, typed);
  const baseKey = input.idempotencyKey ?? `bundle:${ctx.ids.next('request')}`;
  const bundleId = requestIdFor(ctx, `${baseKey}#bundle`);
  const { accounts: _accounts, ...common } = input;
  const one = (account: Account, extra: Pick<RequestAccessInput, 'bundle' | 'dryRun'>) =>
    requestAccess(ctx, { ...common, account: account.id, idempotencyKey: `${baseKey}#${account.id}`, ...extra });

  // First every account is decided, nothing written: the bundle must name its requests before any exists.
  const refused: BundleRefusal[] = [];
  const allowed: { account: Account; id: string }[] = [];
  for (const account of accounts) {
    try {
      const { request } = await one(account, { dryRun: true });
      allowed.push({ account, id: request.id });
    } catch (error) {
      if (!isKeylessError(error, ErrorCodes.PolicyDenied)) throw error;
      refused.push({ accountId: account.id, accountName: account.name, why: error.message });
    }
  }
  if (allowed.length === 0) {
    throw new KeylessError(
      ErrorCodes.PolicyDenied,
      `Access denied for every account asked:\n${refused.map((r) => `- ${r.accountName} (${r.accountId}): ${r.why}`).join('\n')}`,
      { hint: 'Run `why <account> <permission set>` to see which rules apply.', details: { accounts: refused.length } },
    );
  }

  const bundle: RequestBundle = { id: bundleId, requestIds: allowed.map((a) => parseRequestId(a.id)), refused };
  const requests: AccessRequest[] = [];
  const decisions: Decision[] = [];
  let duplicate = false;
  for (const { account } of allowed) {
    try {
      const result = await one(account, { bundle });
      requests.push(result.request);
      decisions.push(result.decision);
      duplicate ||= result.duplicate;
    } catch (error) {
      // The policy changed between the two passes: this account is refused after all.
      if (!isKeylessError(error, ErrorCodes.PolicyDenied)) throw error;
      refused.push({ accountId: account.id, accountName: account.name, why: error.message });
    }
  }
  ctx.logger.info(
    { bundleId, accounts: accounts.length, refused: refused.length, platform: input.requester.platform },
    'multi-account request filed',
  );
  if (!duplicate && requests.length > 0) {
    const emails = new Map<string, string>();
    for (const r of requests.filter((x) => x.status === 'pending')) {
      for (const e of await approverEmails(ctx, r)) emails.set(normalizeEmail(e), e);
    }
    const channels = decisions.find((d) => d.channels)?.channels;
    await ctx.publish({
      type: 'bundle_submitted',
      requests,
      approverEmails: [...emails.values()],
      ...(channels ? { channels } : {}),
    });
  }
  return { bundleId, requests, refused, duplicate };
}

/** Every request of the bundle `requestId` belongs to, and their grants; undefined for a lone request. */
export async function bundleOf(ctx: EngineContext, requestId: string): Promise<BundleView | undefined> {
  const lead = await ctx.store.getRequest(parseRequestId(requestId));
  if (!lead?.bundle) return undefined;
  const bundle = lead.bundle;
  const requests = (
    await Promise.all(bundle.requestIds.map((id) => (id === lead.id ? lead : ctx.store.getRequest(id))))
  ).filter((r): r is AccessRequest => r !== undefined);
  const grants = (
    await Promise.all(requests.map((r) => (r.grantId ? ctx.store.getGrant(r.grantId) : undefined)))
  ).filter((g): g is Grant => g !== undefined);
  return { id: bundle.id, requests, grants, refused: bundle.refused };
}

async function loadBundle(ctx: EngineContext, requestId: string): Promise<BundleView> {
  const view = await bundleOf(ctx, requestId);
  if (!view) throw new KeylessError(ErrorCodes.RequestNotFound, `There is no multi-account request ${requestId}.`);
  return view;
}

/**
 * Runs one decision on every pending request of a bundle. Each request is decided by its own rule
 * (`approve` / `deny` check the clicker against that request's approvers and count its approvals);
 * an account the clicker may not decide is skipped (and its refusal audited by `approve`/`deny`).
 * Refused for all: the first refusal is thrown, so the clicker hears why.
 */
async function decideAll(
  ctx: EngineContext,
  requestId: string,
  decideOne: (id: string) => Promise<DecideResult>,
): Promise<BundleActionResult> {
  const view = await loadBundle(ctx, requestId);
  const pending = view.requests.filter((r) => r.status === 'pending');
  const results: BundleActionResult['results'] = [];
  let refusal: unknown;
  for (const r of pending) {
    try {
      const { outcome } = await decideOne(r.id);
      results.push({ requestId: r.id, accountName: r.accountName, outcome });
    } catch (error) {
      if (!isKeylessError(error) || !refusalCodes.includes(error.code)) throw error;
      refusal ??= error;
      results.push({ requestId: r.id, accountName: r.accountName, error: error.code });
    }
  }
  if (results.length > 0 && results.every((x) => x.error !== undefined)) throw refusal;
  return { bundleId: view.id, results };
}

/** One Approve click on a bundle: every pending account the clicker may approve gets their approval. */
export function approveBundle(
  ctx: EngineContext,
  input: { requestId: string; actor: ChatUser },
): Promise<BundleActionResult> {
  return decideAll(ctx, input.requestId, (id) => approve(ctx, { requestId: id, actor: input.actor }));
}

/** One Deny on a bundle: every pending account the clicker may decide is denied, with the reason. */
export function denyBundle(
  ctx: EngineContext,
  input: { requestId: string; actor: ChatUser; reason?: string },
): Promise<BundleActionResult> {
  return decideAll(ctx, input.requestId, (id) =>
    deny(ctx, { requestId: id, actor: input.actor, ...(input.reason !== undefined ? { reason: input.reason } : {}) }),
  );
}

/**
 * "End now" on a bundle: every live grant of the bundle is ended through `revoke` (the same rights:
 * the grantee, an approver, an admin). Grants already ended are left as they are.
 */
export async function revokeBundle(
  ctx: EngineContext,
  input: { requestId: string; actor: ChatUser; reason?: string },
): Promise<BundleActionResult & { revoked: RevokeResult[] }> {
  const view = await loadBundle(ctx, input.requestId);
  const live = view.grants.filter((g) => g.status === 'active' || g.status === 'provisioning');
  const revoked: RevokeResult[] = [];
  const results: BundleActionResult['results'] = [];
  let refusal: unknown;
  for (const g of live) {
    try {
      const r = await revoke(ctx, {
        grantId: g.id,
        actor: input.actor,
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
      });
      revoked.push(r);
      results.push({ requestId: g.requestId, accountName: g.accountName, outcome: r.outcome });
    } catch (error) {
      if (!isKeylessError(error, ErrorCodes.NotAllowed)) throw error;
      refusal ??= error;
      results.push({ requestId: g.requestId, accountName: g.accountName, error: error.code });
    }
  }
  if (results.length > 0 && revoked.length === 0) throw refusal;
  return { bundleId: view.id, results, revoked };
}
