import type { ActivitySummary, AuditRecord, Grant, GrantId } from '../domain';

/** Where an export reads a grant's stored activity summary (issue 18): the grant store. */
export type GrantActivitySource = (grantId: string) => Promise<ActivitySummary | undefined>;

/** The activity summary stored with each grant, read from a grant store. */
export function grantActivitySource(store: { getGrant(id: GrantId): Promise<Grant | undefined> }): GrantActivitySource {
  return async (grantId) => (await store.getGrant(grantId as GrantId))?.activity?.summary;
}

/**
 * The activity summaries of the grants an export's records are about, for one export: each grant
 * is read once (its events sit close together in time, so a bounded memory of the latest grants
 * serves a long export), at most `parallel` reads at once. A read that fails fails the export:
 * an export never leaves a grant's activity out without saying so.
 */
export class ExportActivity {
  private readonly known = new Map<string, Promise<ActivitySummary | undefined>>();

  constructor(
    private readonly source: GrantActivitySource,
    private readonly options: { parallel?: number; remember?: number } = {},
  ) {}

  /** The summaries of the records' grants, by grant id (grants without one are absent). */
  async of(records: readonly AuditRecord[]): Promise<Map<string, ActivitySummary>> {
    const ids = [...new Set(records.map((r) => r.grantId).filter((id): id is string => id !== undefined))];
    const out = new Map<string, ActivitySummary>();
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const summary = await this.read(id);
        if (summary) out.set(id, summary);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.parallel ?? 8, ids.length) }, lane));
    return out;
  }

  private read(id: string): Promise<ActivitySummary | undefined> {
    let found = this.known.get(id);
    if (!found) {
      found = this.source(id);
      this.known.set(id, found);
      found.catch(() => this.known.delete(id));
      const remember = this.options.remember ?? 5000;
      while (this.known.size > remember) this.known.delete(this.known.keys().next().value!);
    }
    return found;
  }
}
