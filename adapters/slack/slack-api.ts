import { webApi } from '@slack/bolt';
import type { Logger } from '../../src';
import { TokenBucket, sleep } from '../shared/pace';
import { METHODS, type SlackMethod } from './scopes';

/**
 * The Slack Web API as keyless uses it: only the methods of scopes.ts, paced per method tier and,
 * for chat.postMessage, per channel (about 1 message per second per channel), with 429 answers
 * honoured (Retry-After pauses that method or channel, then the call is tried again).
 * https://docs.slack.dev/apis/web-api/rate-limits
 */
export interface SlackApiOptions {
  token: string;
  /** Another Web API root, for the loopback workspace (ends with `/api/`). */
  apiUrl?: string;
  logger: Logger;
  /** Calls per minute allowed by each tier. Defaults: Slack's published minimums. */
  tiers?: Partial<Record<2 | 3 | 4, number>>;
  /** chat.postMessage per channel, per second. Default 1. */
  perChannelPerSecond?: number;
  /** Burst per channel. Default 3. */
  perChannelBurst?: number;
  /** How many 429s in a row one call survives. Default 3. */
  maxRateLimitRetries?: number;
  /** HTTP timeout of one call. Default 10 s. */
  timeoutMs?: number;
}

export type SlackResult = webApi.WebAPICallResult & Record<string, unknown>;

const DEFAULT_TIERS = { 2: 20, 3: 50, 4: 100 } as const;
/** chat.postMessage is also limited per workspace ("several hundred a minute"). */
const POST_MESSAGE_PER_MINUTE = 300;

export class SlackApi {
  readonly client: webApi.WebClient;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly options: SlackApiOptions;
  /** Calls made, by method (for tests and metrics). */
  readonly counts = new Map<string, number>();
  rateLimited = 0;

  constructor(options: SlackApiOptions) {
    this.options = options;
    this.client = new webApi.WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      // Pacing and 429s are handled here; the client's own retry policy (10 retries over ~30 min) is off.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: webApi.LogLevel.ERROR,
    });
  }

  private bucket(key: string, perMinute: number, burst?: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket({ ratePerSecond: perMinute / 60, burst: burst ?? Math.max(2, Math.ceil(perMinute / 6)) });
      this.buckets.set(key, b);
    }
    return b;
  }

  private async waitTurn(method: SlackMethod, channel: string | undefined): Promise<void> {
    const tiers = { ...DEFAULT_TIERS, ...this.options.tiers };
    const spec = METHODS[method];
    for (const key of [method, channel ? `${method}#${channel}` : undefined]) {
      if (!key) continue;
      const until = this.pausedUntil.get(key);
      if (until !== undefined && until > Date.now()) await sleep(until - Date.now());
    }
    if (spec.tier === 'special') {
      if (method === 'chat.postMessage') {
        await this.bucket(method, POST_MESSAGE_PER_MINUTE * ((tiers[4] ?? 100) / 100)).take();
        if (channel) {
          const perSecond = this.options.perChannelPerSecond ?? 1;
          await this.bucket(`${method}#${channel}`, perSecond * 60, this.options.perChannelBurst ?? 3).take();
        }
      } else {
        await this.bucket(method, tiers[4]).take();
      }
      return;
    }
    await this.bucket(method, tiers[spec.tier]).take();
  }

  /** Calls one method; rejects with the client's error for `ok: false`. */
  async call(method: SlackMethod, args: Record<string, unknown> = {}): Promise<SlackResult> {
    const channel = method === 'chat.postMessage' && typeof args.channel === 'string' ? args.channel : undefined;
    const maxRetries = this.options.maxRateLimitRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      await this.waitTurn(method, channel);
      this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
      try {
        return (await this.client.apiCall(method, args)) as SlackResult;
      } catch (error) {
        const retryAfter = rateLimitedFor(error);
        if (retryAfter === undefined || attempt >= maxRetries) throw error;
        this.rateLimited++;
        const until = Date.now() + retryAfter * 1000;
        this.pausedUntil.set(channel ? `${method}#${channel}` : method, until);
        this.options.logger.warn({ method, channel, retryAfter, code: 'THROTTLED' }, 'slack rate limited; waiting');
      }
    }
  }
}

export interface SlackUpload {
  /** Where the file is shared (a DM channel id). */
  channelId: string;
  filename: string;
  content: string;
  title?: string;
  comment?: string;
}

/**
 * files.uploadV2's three steps, each paced like any call: files.getUploadURLExternal (name and
 * length), a POST of the bytes to the URL Slack answered, files.completeUploadExternal (shares it).
 * Answers the file id.
 */
export async function uploadFile(api: SlackApi, upload: SlackUpload, timeoutMs = 10_000): Promise<string> {
  const bytes = Buffer.from(upload.content, 'utf8');
  const started = (await api.call('files.getUploadURLExternal', {
    filename: upload.filename,
    length: bytes.length,
  })) as { upload_url?: string; file_id?: string };
  if (!started.upload_url || !started.file_id) throw new Error('files.getUploadURLExternal gave no upload URL');
  const response = await fetch(started.upload_url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`Slack refused the file's bytes (HTTP ${response.status})`);
  await api.call('files.completeUploadExternal', {
    files: JSON.stringify([{ id: started.file_id, title: upload.title ?? upload.filename }]),
    channel_id: upload.channelId,
    ...(upload.comment ? { initial_comment: upload.comment } : {}),
  });
  return started.file_id;
}

function rateLimitedFor(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number };
  return e?.code === webApi.ErrorCode.RateLimitedError ? Math.max(0, e.retryAfter ?? 1) : undefined;
}

/** The `error` string of a Web API `ok: false` answer, if that is what `error` is. */
export function slackErrorCode(error: unknown): string | undefined {
  const e = error as { code?: string; data?: { error?: string } };
  return e?.code === webApi.ErrorCode.PlatformError ? e.data?.error : undefined;
}
