import type { ChatUser, Logger } from '../../../src';
import { INVALID_BUTTON_TEXT } from '../../../adapters/slack/listeners/actions/interaction';
import { APPROVALS, startSlackStack, type SlackStack } from '../../support/slack-harness';

const rita: ChatUser = { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' };
const render = (m: { text?: string; blocks?: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;

/** Every log entry, fields included, to check what is (not) written. */
function recordingLogger(entries: { level: string; fields: Record<string, unknown>; message: string }[]): Logger {
  const at = (level: string, base: Record<string, unknown>) => (fields: Record<string, unknown>, message: string) =>
    void entries.push({ level, fields: { ...base, ...fields }, message });
  const make = (base: Record<string, unknown>): Logger => ({
    debug: at('debug', base),
    info: at('info', base),
    warn: at('warn', base),
    error: at('error', base),
    child: (fields) => make({ ...base, ...fields }),
  });
  return make({});
}

describe('Slack refusals over HTTP', () => {
  let stack: SlackStack;
  const entries: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  beforeEach(async () => {
    entries.length = 0;
    stack = await startSlackStack({ logger: recordingLogger(entries) });
  });
  afterEach(() => stack.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;

  async function pendingRequest() {
    const { request } = await stack.engine.requestAccess({
      requester: rita,
      account: 'prod',
      permissionSet: 'AdministratorAccess',
      duration: '1h',
      reason: 'INC-9 restore the queue',
    });
    await stack.settle();
    const post = ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes(request.id))!;
    return { request, post };
  }

  it('an approve click by a Slack user unknown to Identity Center is refused, told, and audited', async () => {
    const { request, post } = await pendingRequest();
    await client().clickInMessage('U0NOBODY', APPROVALS, post.ts, 'approve_request');
    await stack.settle();
    expect((await stack.engine.getRequest(request.id))?.approvals).toHaveLength(0);
    expect(render(ws().ephemeralsOf('U0NOBODY').at(-1))).toMatch(/Identity Center|not find|don.t know/i);
    const trail = await stack.store.listAudit({ kind: 'request', id: request.id });
    expect(trail.map((e) => [e.event, e.actor.id, e.reason])).toContainEqual([
      'approve_refused',
      'slack:U0NOBODY',
      'not known to Identity Center',
    ]);
  });

  it.each([
    ['approve_request', 'req-1 OR 1=1'],
    ['approve_request', ''],
    ['deny_request', '../../etc/passwd'],
    ['approve_request', 'x'.repeat(65)],
  ])('a %s button with a tampered value (%s) is answered privately and changes nothing', async (actionId, value) => {
    const { request, post } = await pendingRequest();
    const payload = client().clickPayload('U0ANN', APPROVALS, post.ts, actionId);
    (payload.actions as { value?: string }[])[0]!.value = value;
    const answer = await client().deliver({ type: 'interactive', payload });
    expect(answer.status).toBe(200);
    await stack.settle();
    expect(render(ws().ephemeralsOf('U0ANN').at(-1))).toContain('This button is not valid');
    expect(ws().ephemeralsOf('U0ANN').at(-1)?.text).toBe(INVALID_BUTTON_TEXT);
    const after = await stack.engine.getRequest(request.id);
    expect(after?.status).toBe('pending');
    expect(after?.approvals).toHaveLength(0);
    expect(ws().openModals('U0ANN')).toEqual([]);
    const logged = entries.find((e) => e.fields.code === 'INVALID_BUTTON');
    expect(logged).toMatchObject({ level: 'warn', fields: { actionId, actor: 'slack:U0ANN' } });
    if (value) expect(JSON.stringify(entries)).not.toContain(value);
  });

  it('a button whose action_id keyless never made is acknowledged and answered privately, and changes nothing', async () => {
    const { request, post } = await pendingRequest();
    const payload = client().clickPayload('U0ANN', APPROVALS, post.ts, 'approve_request');
    (payload.actions as { action_id: string }[])[0]!.action_id = 'approve_request_for_everyone';
    const answer = await client().deliver({ type: 'interactive', payload });
    expect(answer.status).toBe(200);
    await stack.settle();
    expect(ws().ephemeralsOf('U0ANN').at(-1)?.text).toBe(INVALID_BUTTON_TEXT);
    expect((await stack.engine.getRequest(request.id))?.approvals).toHaveLength(0);
    expect(entries.find((e) => e.fields.code === 'INVALID_BUTTON')).toMatchObject({ fields: { actor: 'slack:U0ANN' } });
    expect(JSON.stringify(entries)).not.toContain('approve_request_for_everyone');
  });
});
