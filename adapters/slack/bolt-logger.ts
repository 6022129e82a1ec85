import type { Logger as BoltLogger } from '@slack/bolt';
import { webApi } from '@slack/bolt';
import type { Logger } from '../../src';

/** Bolt's logger interface over the keyless Logger port (pino), so Bolt's lines are JSON too. */
export function boltLogger(logger: Logger): BoltLogger {
  let level = webApi.LogLevel.INFO;
  const line = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => logger.debug({ component: 'bolt' }, line(msg)),
    info: (...msg: unknown[]) => logger.info({ component: 'bolt' }, line(msg)),
    warn: (...msg: unknown[]) => logger.warn({ component: 'bolt' }, line(msg)),
    error: (...msg: unknown[]) => logger.error({ component: 'bolt' }, line(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
