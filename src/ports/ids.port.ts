/** Fresh identifiers for requests and grants: unique, URL-safe, 6–64 characters. */
export interface IdGenerator {
  next(kind: 'request' | 'grant'): string;
}
