import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The issuer of tokens the Bot Framework channel service sends to bots. */
export const CHANNEL_ISSUER = 'https://api.botframework.com';

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

function rsaPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/**
 * A loopback stand-in for login.botframework.com's OpenID metadata and signing keys, with one RSA
 * key under a known key id, and a forger of tokens (good ones signed with that key, and the forged
 * kinds an attacker tries).
 */
export class BotFrameworkKeys {
  readonly kid = 'keyless-test-key';
  private readonly key = rsaPair();
  private readonly otherKey = rsaPair();
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    const jwk = this.key.publicKey.export({ format: 'jwk' });
    this.server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openidconfiguration') {
        res.end(JSON.stringify({ issuer: CHANNEL_ISSUER, jwks_uri: `${this.url}/keys` }));
      } else if (req.url === '/keys') {
        res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get metadataUrl(): string {
    return `${this.url}/.well-known/openidconfiguration`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Claims of a channel token for `appId`, valid for an hour from `nowSeconds`. */
  claims(appId: string, serviceUrl: string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
    return { iss: CHANNEL_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: nowSeconds - 60, exp: nowSeconds + 3600 };
  }

  /** A token signed with the published key (what the channel service sends). */
  signed(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    return this.rs256(claims, this.key.privateKey, header);
  }

  /** The known key id, signed with another key. */
  badSignature(claims: Record<string, unknown>): string {
    return this.rs256(claims, this.otherKey.privateKey);
  }

  /** `alg: none` with the known key id and no signature. */
  algNone(claims: Record<string, unknown>): string {
    return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT', kid: this.kid }))}.${b64url(JSON.stringify(claims))}.`;
  }

  /** HS256 keyed with the published public key (the classic algorithm-confusion forgery). */
  hs256(claims: Record<string, unknown>): string {
    const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: this.kid }))}.${b64url(JSON.stringify(claims))}`;
    const secret = this.key.publicKey.export({ type: 'spki', format: 'pem' });
    return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
  }

  /** A well-signed token under a key id nobody published. */
  unknownKid(claims: Record<string, unknown>): string {
    return this.rs256(claims, this.key.privateKey, { kid: 'nobody-published-this' });
  }

  private rs256(claims: Record<string, unknown>, key: KeyObject, header: Record<string, unknown> = {}): string {
    const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid, ...header }))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(key);
    return `${input}.${b64url(signature)}`;
  }
}
