import { signatureFor, verifySignature } from '../../../../adapters/slack/verify-signature';

const secret = 'signing-secret-for-tests';
const body = 'token=x&team_id=T1&command=%2Faws-access&text=help';
const now = 1_800_000_000;

const check = (over: Partial<Parameters<typeof verifySignature>[0]>) =>
  verifySignature({
    signingSecret: secret,
    rawBody: body,
    timestamp: String(now),
    signature: signatureFor(secret, now, body),
    nowSeconds: now,
    ...over,
  });

describe('verifySignature', () => {
  it("accepts Slack's v0 HMAC-SHA256 over v0:<timestamp>:<raw body>", () => {
    expect(check({})).toEqual({ ok: true });
    // The documented example: https://docs.slack.dev/authentication/verifying-requests-from-slack
    const docBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signatureFor('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, docBody)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('rejects a signature made with another secret, or over another body', () => {
    expect(check({ signature: signatureFor('other-secret', now, body) })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check({ rawBody: `${body}&extra=1` })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ signature: 'v0=short' })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects timestamps more than five minutes old', () => {
    expect(check({ nowSeconds: now + 300 })).toEqual({ ok: true });
    expect(check({ nowSeconds: now + 301 })).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects timestamps more than five minutes in the future (Bolt accepts them)', () => {
    expect(check({ nowSeconds: now - 300 })).toEqual({ ok: true });
    expect(check({ nowSeconds: now - 301 })).toEqual({ ok: false, reason: 'future_timestamp' });
  });

  it('honours a configured skew', () => {
    expect(check({ nowSeconds: now - 61, skewSeconds: 60 })).toEqual({ ok: false, reason: 'future_timestamp' });
  });

  it('rejects missing headers and a timestamp that is not a number', () => {
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(check({ timestamp: '17e8' })).toEqual({ ok: false, reason: 'bad_timestamp' });
  });
});
