import {
  SocketModeReceiver,
  type App,
  type Logger as BoltLogger,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';
import type { GrantStore, Logger } from '../../src';
import type { AckFirstGate } from './ack-first';
import { boltLogger } from './bolt-logger';
import { DeliveryDedupe } from './delivery-dedupe';

export interface KeylessSocketReceiverOptions {
  /** The app-level token (xapp-…, scope connections:write): it only opens connections. */
  appToken: string;
  logger: Logger;
  store: Pick<GrantStore, 'rememberOnce'>;
  /** Told when an envelope arrives and when it is acked, so that acks go first. */
  gate?: Pick<AckFirstGate, 'arrived' | 'answered' | 'run'>;
  /** Web API root for apps.connections.open (the loopback workspace); Slack's own when absent. */
  apiUrl?: string;
  /** How long a delivery id is remembered. Default 1 hour. */
  dedupeTtlSeconds?: number;
  /** Waits between failed reconnects: the first retry after this, then doubling. Default 1 s. */
  reconnectBaseMs?: number;
  /** The longest wait between failed reconnects. Default 30 s. */
  reconnectMaxMs?: number;
  /**
   * A connection that closes sooner than this after `hello` counts as a failure once another one
   * did too (a Slack that closes every connection at once is not hammered). Default 5 s.
   */
  stableMs?: number;
}

/**
 * Socket Mode: Bolt's SocketModeReceiver does the protocol (apps.connections.open with the app
 * token, the WebSocket, `hello`, acks as `{envelope_id, payload}`, pings, `disconnect`); this
 * receiver reconnects, and puts keyless' delivery rules between Bolt's receiver and Bolt's App, the
 * same ones KeylessReceiver applies over HTTP:
 *
 * - every envelope is told to the ack-first gate when it arrives and when it is acked, so work
 *   after an ack waits while other envelopes wait for theirs;
 * - an envelope that Slack marks as a retry (`retry_attempt` > 0; Bolt's `retryNum`) whose delivery
 *   id was already handled is acked with nothing and goes no further (`DeliveryDedupe`, shared with
 *   HTTP). Retries of events are what Slack really sends; the rule is the same for every type.
 *
 * Bolt's receiver hands each envelope to `app.processEvent`; `init` gives it a view of the App whose
 * `processEvent` is `deliver`. A global middleware could not do this: Bolt acks events before any
 * middleware runs, and the gate must hear of an envelope before authorize.
 *
 * Reconnects are done here, not by Bolt's client (@slack/socket-mode 3.1.0, `autoReconnectEnabled`
 * off): its own reconnect waits the client ping timeout (5 s) after every `disconnect` from Slack,
 * rejects a promise nobody handles (crashing the process) when it is stopped in the middle of a
 * reconnect, and can open a connection after being stopped. Here a closed connection is replaced
 * at once, failures back off (1 s doubling to 30 s), and stop() waits for an attempt in progress and
 * closes whatever it opened. Connections that close within `stableMs` of opening, one after another,
 * back off the same way from the second one (a refresh Slack asks for soon after a connect is still
 * answered at once).
 */
export class KeylessSocketReceiver implements Receiver {
  /** Bolt's receiver; its `client` is the Socket Mode connection. */
  readonly bolt: SocketModeReceiver;
  private readonly dedupe: DeliveryDedupe;
  private readonly inFlight = new Set<Promise<unknown>>();
  private app: App | undefined;
  /** Connected (Slack said hello) and not closed since. */
  private connected = false;
  /** Set once the first connection succeeded: from then on a closed connection is replaced. */
  private running = false;
  private stopping = false;
  private failures = 0;
  /** Connections in a row that closed within `stableMs` of opening. */
  private quickCloses = 0;
  private connectedAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private opened = 0;

  constructor(private readonly options: KeylessSocketReceiverOptions) {
    this.bolt = new SocketModeReceiver({
      appToken: options.appToken,
      logger: withoutPayloads(boltLogger(options.logger)),
      autoReconnectEnabled: false,
      installerOptions: {
        clientOptions: {
          ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
          // One try per attempt, bounded: the reconnect loop below retries, and stop() waits for it.
          retryConfig: { retries: 0 },
          timeout: 10_000,
        },
      },
    });
    const client = this.bolt.client;
    client.on('connected', () => {
      this.connected = true;
      this.connectedAt = Date.now();
      this.opened++;
    });
    client.on('disconnected', () => {
      this.connected = false;
      if (this.running && !this.stopping) {
        const lived = Date.now() - this.connectedAt;
        this.quickCloses = lived >= (this.options.stableMs ?? 5000) ? 0 : this.quickCloses + 1;
        this.options.logger.info({ platform: 'slack' }, 'slack socket mode connection closed; reconnecting');
        this.reconnect();
      }
    });
    this.dedupe = new DeliveryDedupe(options);
  }

  /** Envelopes dropped as duplicates. */
  get deduped(): number {
    return this.dedupe.deduped;
  }

  /** Connections Slack said hello on, the first included (for tests and metrics). */
  get connections(): number {
    return this.opened;
  }

  init(app: App): void {
    this.app = app;
    const front = Object.create(app) as App;
    front.processEvent = (event) => this.deliver(event);
    this.bolt.init(front);
  }

  /** Opens the connection; resolves once Slack has said hello, rejects when it cannot connect. */
  async start(): Promise<void> {
    this.stopping = false;
    await this.bolt.start();
    this.running = true;
  }

  /**
   * Closes the connection (a close handshake, no reconnect) and waits for envelopes in progress.
   * Bolt's own stop() does not wait for the socket to close, so this disconnects its client itself.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.bolt.client;
    // Closes what is open or opening; a reconnect still fetching its URL finishes, then is closed too.
    await client.disconnect();
    await this.attempt;
    if (this.connected) await client.disconnect();
    this.running = false;
    await this.idle();
  }

  private reconnect(): void {
    if (this.stopping || this.retryTimer || this.attempt) return;
    const base = this.options.reconnectBaseMs ?? 1000;
    const setbacks = this.failures + Math.max(0, this.quickCloses - 1);
    const delay = setbacks === 0 ? 0 : Math.min(this.options.reconnectMaxMs ?? 30_000, base * 2 ** (setbacks - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopping) return;
      this.attempt = this.bolt
        .start()
        .then(
          () => {
            this.failures = 0;
          },
          (error: unknown) => {
            this.failures++;
            this.options.logger.warn(
              { err: error, platform: 'slack', failures: this.failures },
              'slack socket mode reconnect failed',
            );
          },
        )
        .finally(() => {
          this.attempt = undefined;
          if (!this.connected) this.reconnect();
        });
    }, delay);
  }

  /** Resolves when every envelope received so far has been handled (listeners included). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private deliver(event: ReceiverEvent): Promise<void> {
    const work = this.process(event);
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  private async process(event: ReceiverEvent): Promise<void> {
    const gate = this.options.gate;
    gate?.arrived();
    let told = false;
    const answered = () => {
      if (!told) {
        told = true;
        gate?.answered();
      }
    };
    const ack: ReceiverEvent['ack'] = async (response?: unknown) => {
      try {
        await event.ack(response);
      } finally {
        answered();
      }
    };
    try {
      const retryNum = event.retryNum;
      if (!(await this.dedupe.admit(event.body, (retryNum ?? 0) > 0, retryNum))) return await ack();
      if (!this.app) throw new Error('receiver used before Bolt initialised it');
      await this.app.processEvent({ ...event, ack });
    } finally {
      // An envelope nobody acked (or a listener that threw) must not hold the gate.
      answered();
    }
  }
}

/**
 * Bolt's Socket Mode client writes whole WebSocket messages, acks and API results into its debug
 * lines (payloads with their verification token, the one-time connection URL). keyless writes no
 * payload (see REDACTED_PATHS in adapters/main/runtime.ts): those parts are replaced.
 */
export function withoutPayloads(logger: BoltLogger): BoltLogger {
  const clean = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m.replace(/[{[][\s\S]*[}\]]/, '[redacted]') : '[redacted]'));
  return {
    ...logger,
    debug: (...msg: unknown[]) => logger.debug(...clean(msg)),
    info: (...msg: unknown[]) => logger.info(...clean(msg)),
    warn: (...msg: unknown[]) => logger.warn(...clean(msg)),
    error: (...msg: unknown[]) => logger.error(...clean(msg)),
  };
}
