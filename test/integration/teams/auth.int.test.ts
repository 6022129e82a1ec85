import { LOCAL_TEAMS_TENANT_ID } from '../../../adapters/local/teams-connector';
import { createTeamsAdapter } from '../../../adapters/teams';
import { ErrorCodes, silentLogger, type Logger } from '../../../src';
import { InMemoryGrantStore } from '../../fakes/in-memory-grant-store';
import { testEngine } from '../../builders/test-engine';
import { startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';

function recordingLogger(lines: { level: string; message: string }[]): Logger {
  const logger: Logger = {
    debug: (_f, message) => lines.push({ level: 'debug', message }),
    info: (_f, message) => lines.push({ level: 'info', message }),
    warn: (_f, message) => lines.push({ level: 'warn', message }),
    error: (_f, message) => lines.push({ level: 'error', message }),
    child: () => logger,
  };
  return logger;
}

type AdapterConfig = Parameters<typeof createTeamsAdapter>[0]['config'];
const deps = (config: Omit<AdapterConfig, 'allowedTenantIds'>, logger: Logger = silentLogger) => {
  const store = new InMemoryGrantStore();
  return {
    engine: testEngine().engine,
    refs: store,
    conversations: store,
    idempotency: store,
    logger,
    config: { allowedTenantIds: [LOCAL_TEAMS_TENANT_ID], ...config },
  };
};

describe('Teams authentication', () => {
  describe('with an app id configured', () => {
    let h: TeamsHarness;
    beforeEach(async () => {
      h = await startTeamsHarness({
        config: { local: false, appId: '11111111-2222-3333-4444-555555555555', appPassword: 'not-a-real-secret' },
      });
    });
    afterEach(() => h.stop());

    test('an activity without a Bot Framework token is refused with 401 and never reaches the bot', async () => {
      h.connector.world.addConversation({
        id: 'a:1on1-aad-rita',
        conversationType: 'personal',
        members: ['aad-rita'],
        botInstalled: true,
      });
      const answer = await h.connector.say('aad-rita', 'request prod AdministratorAccess 1h INC-1 fix');
      expect(answer.status).toBe(401);
      expect(h.store.requests.size).toBe(0);
      expect(h.connector.world.calls).toEqual([]);
    });

    test('a file consent answer (fileConsent/invoke) without a valid token is refused with 401 and uploads nothing', async () => {
      h.connector.world.addConversation({
        id: 'a:1on1-aad-olga',
        conversationType: 'personal',
        members: ['aad-olga'],
        botInstalled: true,
      });
      const value = {
        type: 'fileUpload',
        action: 'accept',
        context: { kind: 'keyless-audit-export', user: 'aad-olga', words: [], at: 0, expiresAt: Date.now() + 60_000 },
        uploadInfo: {
          contentUrl: `${h.connector.url}/_files/X/x.csv`,
          name: 'x.csv',
          uploadUrl: `${h.connector.url}/_upload/whatever`,
          uniqueId: 'X',
          fileType: 'csv',
        },
      };
      expect((await h.connector.fileConsentRaw('aad-olga', undefined, value)).status).toBe(401);
      h.connector.setAuthorization('Bearer not.a.jwt');
      const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect((await h.connector.fileConsentRaw('aad-olga', undefined, value)).status).toBe(401);
      } finally {
        error.mockRestore();
      }
      expect(h.connector.world.calls).toEqual([]);
    });

    test('an activity with a forged token is refused with 401', async () => {
      h.connector.setAuthorization('Bearer not.a.jwt');
      const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const answer = await h.connector.install('aad-rita');
        expect(answer.status).toBe(401);
      } finally {
        error.mockRestore();
      }
      expect(h.store.conversations.size).toBe(0);
    });
  });

  test('local mode without an app id warns loudly at start', () => {
    const lines: { level: string; message: string }[] = [];
    createTeamsAdapter(deps({ local: true }, recordingLogger(lines)));
    expect(lines).toContainEqual({ level: 'warn', message: expect.stringMatching(/authentication is DISABLED/) });
  });

  test('outside local mode an app id is required', () => {
    expect(() => createTeamsAdapter(deps({ local: false }))).toThrow(
      expect.objectContaining({ code: ErrorCodes.ConfigInvalid }),
    );
  });

  test('a single-tenant bot needs its tenant, and any bot its password', () => {
    expect(() =>
      createTeamsAdapter(deps({ local: false, appId: 'a', appPassword: 'p', appType: 'SingleTenant' })),
    ).toThrow(/tenant id/);
    expect(() => createTeamsAdapter(deps({ local: false, appId: 'a' }))).toThrow(/password/);
    expect(() =>
      createTeamsAdapter(deps({ local: false, appId: 'a', appPassword: 'p', tenantId: 't', appType: 'SingleTenant' })),
    ).not.toThrow();
  });
});
