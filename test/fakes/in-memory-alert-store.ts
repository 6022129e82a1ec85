import {
  ErrorCodes,
  KeylessError,
  isLiveAlert,
  type Alert,
  type AlertDigest,
  type PostureSnapshot,
  type AlertStore,
  type LeaderLease,
  type RootWindow,
} from '../../src';

const clone = <T>(value: T): T => structuredClone(value);
const conflict = (what: string) =>
  new KeylessError(ErrorCodes.VersionConflict, `${what} changed meanwhile; try again.`);

/** The AlertStore contract in memory: the reference the DynamoDB adapter is held to. */
export class InMemoryAlertStore implements AlertStore, LeaderLease {
  readonly alerts = new Map<string, Alert>();
  readonly events = new Map<string, number>();
  readonly digests = new Map<string, AlertDigest>();
  readonly postures = new Map<string, PostureSnapshot>();
  readonly windows: RootWindow[] = [];
  readonly regions = new Map<string, number>();
  readonly leases = new Map<string, { owner: string; deadline: number }>();
  writes = 0;
  /**
   * Dedupe keys by account, as the table's index answers a query by account prefix: listing one
   * account's alerts costs that account's alerts, not every alert (the key-scan bench lists each
   * account once per scan, with tens of thousands of alerts stored).
   */
  private readonly byAccount = new Map<string, Set<string>>();

  private put(alert: Alert): void {
    this.alerts.set(alert.dedupeKey, clone(alert));
    const id = alert.finding.account.id;
    let keys = this.byAccount.get(id);
    if (!keys) this.byAccount.set(id, (keys = new Set()));
    keys.add(alert.dedupeKey);
  }

  async getAlert(key: string): Promise<Alert | undefined> {
    const a = this.alerts.get(key);
    return a && clone(a);
  }

  async createAlert(alert: Alert): Promise<void> {
    if (this.alerts.has(alert.dedupeKey)) throw conflict(`Alert ${alert.dedupeKey}`);
    this.writes++;
    this.put(alert);
  }

  async saveAlert(next: Alert, expectedVersion: number): Promise<void> {
    const current = this.alerts.get(next.dedupeKey);
    if (!current || current.version !== expectedVersion) throw conflict(`Alert ${next.dedupeKey}`);
    this.writes++;
    this.put(next);
  }

  async listLiveAlerts(query: { accountId?: string } = {}): Promise<Alert[]> {
    const stored =
      query.accountId === undefined
        ? [...this.alerts.values()]
        : [...(this.byAccount.get(query.accountId) ?? [])].map((k) => this.alerts.get(k)!);
    return stored
      .filter((a) => isLiveAlert(a) && (query.accountId === undefined || a.finding.account.id === query.accountId))
      .sort(
        (a, b) => a.finding.account.id.localeCompare(b.finding.account.id) || a.dedupeKey.localeCompare(b.dedupeKey),
      )
      .map(clone);
  }

  async claimEvent(eventId: string, nowMs: number, ttlSeconds: number): Promise<boolean> {
    const until = this.events.get(eventId);
    if (until !== undefined && until > nowMs) return false;
    this.writes++;
    this.events.set(eventId, nowMs + ttlSeconds * 1000);
    return true;
  }

  async releaseEvent(eventId: string): Promise<void> {
    this.events.delete(eventId);
  }

  async getDigest(id: string): Promise<AlertDigest | undefined> {
    const d = this.digests.get(id);
    return d && clone(d);
  }

  async saveDigest(next: AlertDigest, expectedVersion: number): Promise<void> {
    const current = this.digests.get(next.id);
    if ((current?.version ?? 0) !== expectedVersion) throw conflict(`Digest ${next.id}`);
    this.writes++;
    this.digests.set(next.id, clone(next));
  }

  async getPostureSnapshot(week: string): Promise<PostureSnapshot | undefined> {
    const p = this.postures.get(week);
    return p && clone(p);
  }

  async savePostureSnapshot(next: PostureSnapshot, expectedVersion: number): Promise<void> {
    const current = this.postures.get(next.week);
    if ((current?.version ?? 0) !== expectedVersion) throw conflict(`Posture ${next.week}`);
    this.writes++;
    this.postures.set(next.week, clone(next));
  }

  async addRootWindow(window: RootWindow): Promise<void> {
    if (!this.windows.some((w) => w.id === window.id)) this.windows.push(clone(window));
  }

  async listRootWindows(accountId: string, atMs: number): Promise<RootWindow[]> {
    return this.windows
      .filter((w) => w.accountId === accountId && w.until >= atMs)
      .sort((a, b) => a.from - b.from)
      .map(clone);
  }

  async recordRegionSeen(region: string, atMs: number): Promise<void> {
    this.regions.set(region, Math.max(this.regions.get(region) ?? 0, atMs));
  }

  async listRegionsSeen(): Promise<Record<string, number>> {
    return Object.fromEntries(this.regions);
  }

  async acquire(name: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const held = this.leases.get(name);
    if (held && held.owner !== owner && held.deadline > nowMs) return false;
    this.writes++;
    this.leases.set(name, { owner, deadline: nowMs + ttlMs });
    return true;
  }

  async release(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }
}
