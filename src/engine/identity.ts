import {
  ErrorCodes,
  KeylessError,
  findAccount,
  findPermissionSet,
  isKeylessError,
  verifiedIdentityOf,
  type Account,
  type ChatUser,
  type PermissionSet,
  type Principal,
} from '../domain';
import type { Directory } from '../ports';
import type { EngineContext } from './deps';

/**
 * A chat user's Identity Center principal, from what their platform verified: the directory id
 * (Teams: the Entra object id) and the email, by the Directory's one rule. A person with neither,
 * or with only a directory id Identity Center does not know, is unverified: no typed text helps.
 */
export async function resolveChatUser(
  directory: Pick<Directory, 'resolvePrincipal'>,
  user: ChatUser,
  unverifiedMessage = `I could not read a verified email for you on ${user.platform}, so I cannot tell who you are in AWS.`,
): Promise<Principal> {
  const unverified = () =>
    new KeylessError(ErrorCodes.UnverifiedIdentity, unverifiedMessage, {
      hint: 'Ask your workspace admin to make your email visible to apps.',
    });
  const who = verifiedIdentityOf(user);
  if (!who) throw unverified();
  try {
    return await directory.resolvePrincipal(who);
  } catch (error) {
    if (!who.email && isKeylessError(error, ErrorCodes.PrincipalNotFound)) throw unverified();
    throw error;
  }
}

export function principalOf(ctx: EngineContext, user: ChatUser): Promise<Principal> {
  return resolveChatUser(ctx.identity, user);
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
