import {
  assignmentKeyString,
  grantAssignment,
  type AssignmentKey,
  type ChatNotifier,
  type Clock,
  type Engine,
  type IdentityCenter,
  type MembershipKey,
  type OwnedPolicy,
  type SessionCutOptions,
  type SessionCutPolicies,
  type TimerHandle,
} from '../../src';
import { FakeSessionCutPolicies } from './fake-session-cut-policies';
import { InMemoryLeaderLease } from './in-memory-leader-lease';
import { testEngine } from '../builders/test-engine';
import { FakeIdentityCenter } from './fake-identity-center';
import { InMemoryGrantStore } from './in-memory-grant-store';
import { ManualClock } from './manual-clock';
import { RecordingNotifier } from './recording-notifier';
import { demoSeed } from './seed';

/**
 * Several engines (replicas) on one in-memory store, one fake Identity Center and one manual clock,
 * as in production with one DynamoDB table. A replica can crash: at its next Identity Center call,
 * before the call reaches AWS or after AWS did it but before the replica heard back. A crashed
 * replica does nothing more (its timers never fire, its store, Identity Center and chat calls never
 * return), as a dead process; a fresh replica with a new id takes its place.
 *
 * Every Identity Center call is checked as it starts: the calling replica must hold the lease of the
 * one grant the call is for, and no other call may be open on the same assignment. Calls are counted
 * per grant; any breach is kept in `violations`.
 */
export interface IcCall {
  op: 'assign' | 'unassign';
  grantId: string | undefined;
  replica: string;
  outcome: 'ok' | 'failed' | 'lost_before' | 'lost_after';
}

interface Life {
  dead: boolean;
  crash?: 'before' | 'after';
  /** Dies at its next write of a session-cut policy, before AWS takes it or after. */
  policyCrash?: 'before' | 'after';
  /** Resolves when the replica dies. */
  died: Promise<void>;
  die: () => void;
}

function newLife(): Life {
  let die!: () => void;
  const died = new Promise<void>((resolve) => (die = resolve));
  const life: Life = {
    dead: false,
    died,
    die: () => {
      life.dead = true;
      die();
    },
  };
  return life;
}

const NEVER = new Promise<never>(() => undefined);

/** A proxy whose every method call on a dead replica never returns. */
function mortal<T extends object>(target: T, life: Life): T {
  return new Proxy(target, {
    get(t, p, receiver) {
      const value: unknown = Reflect.get(t, p, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (life.dead ? NEVER : (value as (...a: unknown[]) => unknown).apply(t, args));
    },
  });
}

class ReplicaClock implements Clock {
  constructor(
    private readonly shared: ManualClock,
    private readonly life: Life,
  ) {}

  now(): number {
    return this.shared.now();
  }

  setTimer(atMs: number, fn: () => void): TimerHandle {
    return this.shared.setTimer(atMs, () => {
      if (!this.life.dead) fn();
    });
  }
}

export class ReplicaCluster {
  readonly store = new InMemoryGrantStore();
  readonly identity = new FakeIdentityCenter(demoSeed());
  readonly clock = new ManualClock();
  readonly notifier = new RecordingNotifier();
  readonly calls: IcCall[] = [];
  readonly violations: string[] = [];
  replicas: { id: string; engine: Engine; life: Life }[] = [];
  private readonly open = new Map<string, number>();
  private generation = 0;

  /** keyless's SCPs (shared by every replica) and the writer's lease, when session cuts are on. */
  readonly policies: FakeSessionCutPolicies;
  readonly cutLease = new InMemoryLeaderLease();

  constructor(
    readonly size: number,
    private readonly options: Parameters<typeof testEngine>[0] = {},
    private readonly sessionCut?: { options: Partial<SessionCutOptions>; concurrentEvery?: number },
  ) {
    this.policies = new FakeSessionCutPolicies({
      now: () => this.clock.now(),
      ...(sessionCut?.concurrentEvery ? { concurrentEvery: sessionCut.concurrentEvery } : {}),
    });
    for (let i = 0; i < size; i++) this.replicas.push(this.spawn(i));
  }

  private spawn(slot: number): { id: string; engine: Engine; life: Life } {
    const id = `replica-${slot + 1}.${this.generation++}`;
    const life = newLife();
    const identity = mortal(new CheckedIdentityCenter(this, id, life), life);
    const { engine } = testEngine({
      ...this.options,
      store: mortal(this.store, life),
      identity,
      clock: new ReplicaClock(this.clock, life),
      notifier: mortal(this.notifier as ChatNotifier, life),
      ...(this.sessionCut
        ? {
            sessionCuts: {
              store: mortal(this.store, life),
              policies: mortal(new CrashingPolicies(this.policies, life), life),
              lease: mortal(this.cutLease, life),
            },
          }
        : {}),
      idPrefix: `x${slot + 1}g${this.generation}x`,
      options: {
        stuckAfterAttempts: 3,
        ...this.options?.options,
        replicaId: id,
        ...(this.sessionCut ? { sessionCut: { enabled: true, ...this.sessionCut.options } } : {}),
      },
    });
    return { id, engine, life };
  }

  /** Runs `work` on the replica in `slot` (modulo the size); undefined if the replica dies meanwhile. */
  on<T>(slot: number, work: (engine: Engine) => Promise<T>): Promise<T | undefined> {
    const r = this.replicas[slot % this.size]!;
    return Promise.race([work(r.engine), r.life.died.then(() => undefined)]);
  }

  /**
   * The replica in `slot` dies at its next Identity Center call (it keeps taking work until then);
   * a fresh replica with a new id takes its place as it dies.
   */
  crash(slot: number, when: 'before' | 'after'): void {
    const i = slot % this.size;
    const doomed = this.replicas[i]!;
    if (doomed.life.crash) return;
    doomed.life.crash = when;
    void doomed.life.died.then(() => {
      const at = this.replicas.indexOf(doomed);
      if (at >= 0) this.replicas[at] = this.spawn(at);
    });
  }

  /** The replica in `slot` dies now, as a SIGKILLed process: no heartbeat, timer or call of it ever again; nobody takes its place. */
  kill(slot: number): void {
    this.replicas[slot % this.size]!.life.die();
  }

  /** The replica in `slot` dies at its next session-cut policy write (before or after AWS takes it). */
  crashAtPolicyWrite(slot: number, when: 'before' | 'after'): void {
    const i = slot % this.size;
    const doomed = this.replicas[i]!;
    if (doomed.life.crash || doomed.life.policyCrash) return;
    doomed.life.policyCrash = when;
    void doomed.life.died.then(() => {
      const at = this.replicas.indexOf(doomed);
      if (at >= 0) this.replicas[at] = this.spawn(at);
    });
  }

  /** Replicas that died, for the record. */
  get dead(): number {
    return this.generation - this.size;
  }

  /** Every replica that is still alive has no work in flight. */
  async idle(): Promise<void> {
    // A replica that dies while we wait never becomes idle: its death ends the wait for it.
    await Promise.all(
      this.replicas.filter((r) => !r.life.dead).map((r) => Promise.race([r.engine.idle(), r.life.died])),
    );
  }

  /** Time passes; each timer's work (expiry, lease renewal) finishes before time moves on. */
  advance(ms: number): Promise<void> {
    return this.clock.advanceSettled(ms, () => this.idle());
  }

  async sweepAll(): Promise<void> {
    await Promise.all(this.replicas.map((r) => Promise.race([r.engine.sweep(), r.life.died])));
    await this.idle();
  }

  /** Called by a replica's Identity Center as a call starts: checks the lease and that it is alone. */
  begin(op: 'assign' | 'unassign', key: AssignmentKey, replica: string): { grantId: string | undefined; key: string } {
    const k = assignmentKeyString(key);
    const now = this.clock.now();
    // Deletes come from a grant being torn down, or from one whose assignment just failed, cleaning
    // up what an earlier attempt with a lost answer may have left.
    const wanted = op === 'assign' ? ['provisioning'] : ['deprovisioning', 'provisioning'];
    const held = [...this.store.grants.values()].filter((g) => {
      const lease = this.store.leases.get(g.id);
      return (
        assignmentKeyString(grantAssignment(g)) === k &&
        wanted.includes(g.status) &&
        (lease?.owner === replica || lease?.owner.startsWith(`${replica}@`)) &&
        lease.until >= now
      );
    });
    // A replica may hold the leases of several grants of one assignment (one activating, one waiting
    // for the slot): the call is for the one that holds the slot.
    const mine = held.length > 1 ? held.filter((g) => this.store.slots.get(k) === g.id) : held;
    if (mine.length !== 1) {
      this.violations.push(
        `${replica} called ${op} on ${k} holding the lease of ${mine.length} ${wanted.join('/')} grant(s)`,
      );
    }
    const open = this.open.get(k) ?? 0;
    if (open > 0) this.violations.push(`${replica} called ${op} on ${k} while another call on it was open`);
    this.open.set(k, open + 1);
    return { grantId: mine[0]?.id, key: k };
  }

  end(call: { key: string }, record: IcCall): void {
    this.open.set(call.key, (this.open.get(call.key) ?? 1) - 1);
    this.calls.push(record);
  }
}

/** One replica's view of the shared fake Identity Center, checked and counted by the cluster. */
class CheckedIdentityCenter implements IdentityCenter {
  constructor(
    private readonly cluster: ReplicaCluster,
    private readonly replica: string,
    private readonly life: Life,
  ) {}

  resolvePrincipal = (email: string) => this.cluster.identity.resolvePrincipal(email);
  listGroupMembers = (group: string) => this.cluster.identity.listGroupMembers(group);
  listAccounts = () => this.cluster.identity.listAccounts();
  listPermissionSets = () => this.cluster.identity.listPermissionSets();
  listAssignments = (arns: Parameters<IdentityCenter['listAssignments']>[0]) =>
    this.cluster.identity.listAssignments(arns);
  hasAssignment = (key: AssignmentKey) => this.cluster.identity.hasAssignment(key);
  findGroup = (name: string) => this.cluster.identity.findGroup(name);
  listGroupMemberIds = (groupId: Parameters<IdentityCenter['listGroupMemberIds']>[0]) =>
    this.cluster.identity.listGroupMemberIds(groupId);
  addGroupMember = (key: MembershipKey) => this.cluster.identity.addGroupMember(key);
  removeGroupMember = (key: MembershipKey) => this.cluster.identity.removeGroupMember(key);

  assign(key: AssignmentKey): Promise<void> {
    return this.call('assign', key);
  }

  unassign(key: AssignmentKey): Promise<void> {
    return this.call('unassign', key);
  }

  private async call(op: 'assign' | 'unassign', key: AssignmentKey): Promise<void> {
    const started = this.cluster.begin(op, key, this.replica);
    const record = (outcome: IcCall['outcome']) =>
      this.cluster.end(started, { op, grantId: started.grantId, replica: this.replica, outcome });
    if (this.life.crash === 'before') {
      this.life.die();
      record('lost_before');
      return NEVER;
    }
    try {
      await this.cluster.identity[op](key);
    } catch (error) {
      record('failed');
      throw error;
    }
    if (this.life.crash === 'after') {
      this.life.die();
      record('lost_after');
      return NEVER;
    }
    record('ok');
  }
}

/** One replica's view of the shared policies: it may die as a write starts or right after it. */
class CrashingPolicies implements SessionCutPolicies {
  constructor(
    private readonly shared: FakeSessionCutPolicies,
    private readonly life: Life,
  ) {}

  list(): Promise<OwnedPolicy[]> {
    return this.shared.list();
  }

  create(slot: number, content: string): Promise<OwnedPolicy> {
    return this.write(() => this.shared.create(slot, content));
  }

  update(policyId: string, content: string): Promise<void> {
    return this.write(() => this.shared.update(policyId, content));
  }

  remove(policyId: string): Promise<void> {
    return this.write(() => this.shared.remove(policyId));
  }

  private async write<T>(work: () => Promise<T>): Promise<T> {
    if (this.life.policyCrash === 'before') {
      this.life.die();
      return NEVER;
    }
    const out = await work();
    if (this.life.policyCrash === 'after') {
      this.life.die();
      return NEVER;
    }
    return out;
  }
}
