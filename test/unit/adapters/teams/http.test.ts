import { activityOf, isLoopbackAddress, tokenFailureOf } from '../../../../adapters/teams/http';

describe('isLoopbackAddress (who may reach an unauthenticated local bot)', () => {
  test.each(['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'])('%s is this machine', (a) =>
    expect(isLoopbackAddress(a)).toBe(true),
  );
  test.each(['10.0.0.2', '192.168.1.4', '::ffff:10.0.0.2', 'fe80::1', '', undefined])('%s is not', (a) =>
    expect(isLoopbackAddress(a)).toBe(false),
  );
});

describe('activityOf', () => {
  test.each([[{}], [{ type: '' }], [{ type: 'message', conversation: {} }], [{ type: 7 }]])(
    '%j is not an activity (400)',
    (body) =>
      expect(() => activityOf(body as Record<string, unknown>)).toThrow(expect.objectContaining({ status: 400 })),
  );
  test('a minimal message is one', () => {
    expect(activityOf({ type: 'message', conversation: { id: 'c' }, extra: 1 })).toMatchObject({
      type: 'message',
      extra: 1,
    });
  });
});

describe('tokenFailureOf', () => {
  test('a missing header is a missing token; something that is not a JWT is malformed', () => {
    expect(tokenFailureOf(new Error('Unauthorized Access. Request is not authorized'), undefined)).toEqual({
      status: 401,
      reason: 'missing_token',
    });
    expect(tokenFailureOf(new Error('whatever'), 'Bearer not-a-jwt')).toEqual({
      status: 401,
      reason: 'malformed_token',
    });
    expect(tokenFailureOf(new Error('whatever'), 'Basic dXNlcjpwYXNz')).toEqual({
      status: 401,
      reason: 'malformed_token',
    });
  });
  test('signing keys that cannot be fetched are a 503 (the sender is not at fault)', () => {
    const error = Object.assign(new Error('Failed to load openID config: 500'), { statusCode: 500 });
    expect(tokenFailureOf(error, 'Bearer a.b.c')).toEqual({ status: 503, reason: 'keys_unavailable' });
  });
});
