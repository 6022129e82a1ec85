import { assertLocalStaysLocal, isLoopbackHost } from '../../../../adapters/main/server';
import { ErrorCodes } from '../../../../src';

describe('isLoopbackHost', () => {
  test.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );
  test.each(['0.0.0.0', '::', '[::]', '10.0.0.5', '192.168.1.10', 'example.com', '128.0.0.1', '::ffff:10.0.0.1', ''])(
    '%s is not loopback',
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );
});

describe('assertLocalStaysLocal', () => {
  test('refuses a non-loopback host with a readable CONFIG_INVALID error naming the host', () => {
    expect(() => assertLocalStaysLocal('0.0.0.0', 'local mode')).toThrow(
      expect.objectContaining({
        code: ErrorCodes.ConfigInvalid,
        message: expect.stringMatching(/KEYLESS_HOST=0\.0\.0\.0/),
      }),
    );
  });
  test('lets a loopback host through', () => {
    expect(() => assertLocalStaysLocal('127.0.0.1', 'local mode')).not.toThrow();
  });
});
