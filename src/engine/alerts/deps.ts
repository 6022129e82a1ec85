import type { KeyThresholds, PeopleSpec, Policy, UserKindRule } from '../../domain';
import type {
  AlertNames,
  AlertPublisher,
  AlertStore,
  Clock,
  Directory,
  IamScanner,
  KeyRemediator,
  Logger,
} from '../../ports';

export interface AlertEngineOptions {
  /** Root activity repeated within this time joins the open incident (its thread). Default 1 hour. */
  incidentWindowMs: number;
  /** Raw event ids are remembered this long (SQS and EventBridge retry within hours). Default 7 days. */
  eventDedupeTtlSeconds: number;
  /** Accounts scanned at once. Default 16. */
  scanConcurrency: number;
  /** Users of one account looked up at once (the adapter paces calls per account anyway). Default 4. */
  userConcurrency: number;
  /** Thresholds for machine users, over the policy's. */
  machineThresholds: Partial<KeyThresholds>;
  userKindRule: UserKindRule;
  /** Regions whose feed must stay alive; silence longer than `regionSilenceMs` is an alert. */
  expectedRegions: string[];
  regionSilenceMs: number;
  /** A deactivated key may be reactivated from chat for this long. Default 7 days. */
  reactivateWindowMs: number;
  /** Who approves a deactivation; default: the policy's admins. */
  securityApprovers: PeopleSpec | undefined;
  /** A scan finding seen again is re-written at most this often (resolution does not depend on it). */
  seenWriteEveryMs: number;
  /** Region liveness is written at most this often per region. */
  regionWriteEveryMs: number;
  /** Longest announced root window. Default 24 hours. */
  maxRootWindowMs: number;
}

export const defaultAlertEngineOptions: AlertEngineOptions = {
  incidentWindowMs: 3_600_000,
  eventDedupeTtlSeconds: 7 * 86_400,
  scanConcurrency: 16,
  userConcurrency: 4,
  machineThresholds: {},
  userKindRule: {},
  expectedRegions: [],
  regionSilenceMs: 24 * 3_600_000,
  reactivateWindowMs: 7 * 86_400_000,
  securityApprovers: undefined,
  seenWriteEveryMs: 3_600_000,
  regionWriteEveryMs: 60_000,
  maxRootWindowMs: 24 * 3_600_000,
};

export interface ScanAccount {
  id: string;
  name: string;
}

export interface AlertEngineDeps {
  store: AlertStore;
  publisher: AlertPublisher;
  clock: Clock;
  logger: Logger;
  policy: () => Policy;
  /** Who a chat user is (approvers are checked against the policy with their groups). */
  directory: Pick<Directory, 'resolvePrincipal'>;
  /** The accounts to scan: Organizations (the catalog) or a configured list. */
  accounts: () => Promise<ScanAccount[]>;
  scanner?: IamScanner;
  remediator?: KeyRemediator;
  /** Names of people and permission sets (Identity Center); without it, drift alerts show ids and say so. */
  names?: AlertNames;
  options?: Partial<AlertEngineOptions>;
}

/** Counters an adapter exposes as metrics. */
export interface AlertStats {
  received: number;
  malformed: number;
  duplicates: number;
  ignored: number;
  heartbeats: number;
  raised: number;
  repeated: number;
  resolved: number;
  publishFailures: number;
}

export interface AlertContext extends Omit<AlertEngineDeps, 'options'> {
  options: AlertEngineOptions;
  stats: AlertStats;
  /** Account names, cached from `accounts()`. */
  accountName(id: string): string;
  refreshAccounts(): Promise<ScanAccount[]>;
  /** Loads account names once (the first event waits for them; later ones never do). */
  ensureAccounts(): Promise<void>;
  regionWrites: Map<string, number>;
  startedAt: number;
}
