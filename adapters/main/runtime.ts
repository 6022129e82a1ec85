import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Clock, IdGenerator, Logger, LogFields, TimerHandle } from '../../src';

/** The wall clock. Timers further out than Node's 24.8-day limit are chained. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(atMs: number, fn: () => void): TimerHandle {
    let handle: NodeJS.Timeout;
    const arm = () => {
      const wait = Math.max(0, atMs - Date.now());
      handle = setTimeout(wait > 2 ** 31 - 1 ? arm : fn, Math.min(wait, 2 ** 31 - 1));
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Sortable ids: 10 characters of time, 10 of randomness (Crockford base 32, lower case). */
export const randomIds: IdGenerator = {
  next(kind) {
    let t = Date.now();
    let time = '';
    for (let i = 0; i < 10; i++) {
      time = ALPHABET[t % 32]! + time;
      t = Math.floor(t / 32);
    }
    const rand = [...randomBytes(10)].map((b) => ALPHABET[b % 32]).join('');
    return `${kind === 'request' ? 'r' : 'g'}${time}${rand}`;
  },
};

/** Fields that may carry secrets or whole payloads: never written, whatever a caller passes. */
export const REDACTED_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'appPassword',
  'authorization',
  'headers.authorization',
  'headers["x-slack-signature"]',
  'body',
  'payload',
  'credentials',
  'err.config',
  'err.$response',
];

/** pino as the Logger port: JSON lines with the design's fixed keys, secrets redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const base = pino(
    {
      level,
      base: { service: 'keyless' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (fields: LogFields, message: string) => p.debug(fields, message),
    info: (fields: LogFields, message: string) => p.info(fields, message),
    warn: (fields: LogFields, message: string) => p.warn(fields, message),
    error: (fields: LogFields, message: string) => p.error(fields, message),
    child: (fields: LogFields) => wrap(p.child(fields)),
  };
}
