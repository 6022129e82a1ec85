/**
 * keyless's own service control policies, the ones that end live AWS sessions of revoked grants
 * (README "Security model", ending sessions). The content of each policy is rendered by the domain
 * (minified JSON, at most 5,120 characters); this port only finds, creates and replaces it.
 *
 * - `list` returns every policy keyless owns (found by its name prefix), whatever its content.
 * - `create` makes the policy for `slot` (named `<prefix>-<slot>`) with `content` and attaches it to
 *   the configured targets (the organization root or the OUs keyless governs). Creating a slot that
 *   exists already returns the existing one after replacing its content.
 * - `update` replaces one policy's content. A ConcurrentModificationException is retried inside the
 *   adapter (with backoff); any other failure throws a KeylessError with a readable message.
 * - `remove` detaches and deletes a slot's policy that keyless no longer needs.
 */
export interface SessionCutPolicies {
  list(): Promise<OwnedPolicy[]>;
  create(slot: number, content: string): Promise<OwnedPolicy>;
  update(policyId: string, content: string): Promise<void>;
  remove(policyId: string): Promise<void>;
}

export interface OwnedPolicy {
  /** The Organizations policy id (`p-…`). */
  id: string;
  /** keyless's own index of the policy, from its name. */
  slot: number;
  /** The policy document as stored (minified JSON). */
  content: string;
}
