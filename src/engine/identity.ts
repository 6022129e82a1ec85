import {
  ErrorCodes,
  KeylessError,
  findAccount,
  findPermissionSet,
  verifiedIdentityOf,
  type Account,
  type ChatUser,
  type PermissionSet,
  type Principal,
} from '../domain';
import type { EngineContext } from './deps';

/** A chat user's Identity Center principal, from the email their platform verified. */
export async function principalOf(ctx: EngineContext, user: ChatUser): Promise<Principal> {
  const who = verifiedIdentityOf(user);
  if (!who) {
    throw new KeylessError(
      ErrorCodes.UnverifiedIdentity,
      `I could not read a verified email for you on ${user.platform}, so I cannot tell who you are in AWS.`,
      { hint: 'Ask your workspace admin to make your email visible to apps.' },
    );
  }
  return ctx.identity.resolvePrincipal(who);
}

export async function accountByText(ctx: EngineContext, text: string): Promise<Account> {
  const accounts = await ctx.identity.listAccounts();
  const account = findAccount(accounts, text);
  if (!account) {
    throw new KeylessError(ErrorCodes.UnknownAccount, `I don't know an account called "${text.trim()}".`, {
      hint: 'Use the 12-digit id or the exact name; `accounts <filter>` lists them.',
    });
  }
  return account;
}

export async function permissionSetByText(ctx: EngineContext, text: string): Promise<PermissionSet> {
  const sets = await ctx.identity.listPermissionSets();
  const ps = findPermissionSet(sets, text);
  if (!ps) {
    throw new KeylessError(ErrorCodes.UnknownPermissionSet, `I don't know a permission set called "${text.trim()}".`, {
      hint: `Known permission sets: ${sets.map((s) => s.name).join(', ') || 'none'}.`,
    });
  }
  return ps;
}
