import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's request signature (https://docs.slack.dev/authentication/verifying-requests-from-slack):
 * `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret. Bolt 5.1 rejects
 * old timestamps but accepts ones in the future (facts.md), so keyless checks both directions itself,
 * over the raw bytes, with a constant-time comparison.
 */
export type SignatureVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'future_timestamp' | 'bad_signature';
    };

export interface SignatureInput {
  signingSecret: string;
  rawBody: Buffer | string;
  timestamp: string | undefined;
  signature: string | undefined;
  /** Now, in epoch seconds. */
  nowSeconds: number;
  /** Accepted clock difference in either direction. Default 300 s. */
  skewSeconds?: number;
}

export function signatureFor(signingSecret: string, timestamp: string | number, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

export function verifySignature(input: SignatureInput): SignatureVerdict {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const skew = input.skewSeconds ?? 300;
  const age = input.nowSeconds - Number(timestamp);
  if (age > skew) return { ok: false, reason: 'stale_timestamp' };
  if (age < -skew) return { ok: false, reason: 'future_timestamp' };
  const expected = Buffer.from(signatureFor(input.signingSecret, timestamp, input.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}
