/**
 * The loopback Slack workspace holds keyless to the upload flow of files.uploadV2 as Slack does:
 * files.getUploadURLExternal needs the bot token, `files:write`, a filename and the exact length;
 * the bytes POSTed to the upload URL must be that length (raw or as a multipart part); completion
 * needs the file ids, happens once, and shares the file in `channel_id` (a member channel).
 */
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../../../adapters/local/slack-workspace';
import { SlackApi } from '../../../../adapters/slack/slack-api';
import { shareFile } from '../../../../adapters/slack/slack-files';
import { silentLogger } from '../../../../src';

const TOKEN = 'xoxb-upload-test';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)]);

describe('the loopback Slack workspace: the file upload flow', () => {
  let slack: RunningSlackWorkspace;

  beforeEach(async () => {
    slack = await startSlackWorkspace({ signingSecret: 'upload-test-secret', botToken: TOKEN });
  });
  afterEach(() => slack?.stop());

  async function call(method: string, args: Record<string, string>, token = TOKEN) {
    const response = await fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args).toString(),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  it('shares a PNG in a channel through the three steps, as keyless does it', async () => {
    const api = new SlackApi({ token: TOKEN, apiUrl: slack.apiUrl, logger: silentLogger });
    const { fileId } = await shareFile(api, {
      channel: 'C0SECURITY',
      filename: 'chart.png',
      bytes: PNG,
      title: 'Chart',
      altText: 'a chart',
      initialComment: 'the chart',
    });
    const posted = slack.state.channelMessages('C0SECURITY').at(-1)!;
    expect(posted.text).toBe('the chart');
    expect(posted.files).toEqual([
      { id: fileId, name: 'chart.png', title: 'Chart', mimetype: 'image/png', size: PNG.length, alt_txt: 'a chart' },
    ]);
    expect(slack.state.files.get(fileId)!.bytes!.equals(PNG)).toBe(true);
  });

  it('refuses a bad token, a missing scope, a missing filename or length', async () => {
    expect(await call('files.getUploadURLExternal', { filename: 'a.png', length: '10' }, 'xoxb-wrong')).toMatchObject({
      ok: false,
      error: 'invalid_auth',
    });
    expect(await call('files.getUploadURLExternal', { length: '10' })).toMatchObject({ error: 'invalid_arguments' });
    expect(await call('files.getUploadURLExternal', { filename: 'a.png' })).toMatchObject({
      error: 'invalid_arguments',
    });
    expect(await call('files.getUploadURLExternal', { filename: 'a.png', length: '0' })).toMatchObject({
      error: 'invalid_arguments',
    });
    slack.state.scopes = slack.state.scopes.filter((s) => s !== 'files:write');
    expect(await call('files.getUploadURLExternal', { filename: 'a.png', length: '10' })).toMatchObject({
      error: 'missing_scope',
      needed: 'files:write',
    });
  });

  it('refuses bytes of another length than announced, an unknown upload URL, and a completion before the upload', async () => {
    const started = await call('files.getUploadURLExternal', { filename: 'a.png', length: String(PNG.length) });
    const url = String(started.upload_url);
    const early = await call('files.completeUploadExternal', {
      files: JSON.stringify([{ id: started.file_id }]),
      channel_id: 'C0SECURITY',
    });
    expect(early).toMatchObject({ ok: false, error: 'file_upload_not_complete' });
    expect((await fetch(url, { method: 'POST', body: PNG.subarray(0, 10) })).status).toBe(400);
    expect((await fetch(`${url}x`, { method: 'POST', body: PNG })).status).toBe(404);
    // As one multipart part, the way `curl -F file=@…` sends it.
    const form = new FormData();
    form.append('file', new Blob([PNG]), 'a.png');
    const ok = await fetch(url, { method: 'POST', body: form });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(`OK - ${PNG.length}`);
    expect((await fetch(url, { method: 'POST', body: PNG })).status).toBe(400);
  });

  it('completes once, with file ids, in a channel the bot is in', async () => {
    const started = await call('files.getUploadURLExternal', { filename: 'a.png', length: String(PNG.length) });
    await fetch(String(started.upload_url), { method: 'POST', body: PNG });
    const files = JSON.stringify([{ id: started.file_id, title: 'A' }]);
    expect(await call('files.completeUploadExternal', { channel_id: 'C0SECURITY' })).toMatchObject({
      error: 'invalid_arguments',
    });
    expect(await call('files.completeUploadExternal', { files: JSON.stringify([{ id: 'F0NOPE' }]) })).toMatchObject({
      error: 'file_not_found',
    });
    slack.state.channel('C0GENERAL').botMember = false;
    expect(await call('files.completeUploadExternal', { files, channel_id: 'C0GENERAL' })).toMatchObject({
      error: 'not_in_channel',
    });
    expect(await call('files.completeUploadExternal', { files, channel_id: 'C0SECURITY' })).toMatchObject({
      ok: true,
      files: [{ id: started.file_id, title: 'A' }],
    });
    expect(await call('files.completeUploadExternal', { files, channel_id: 'C0SECURITY' })).toMatchObject({
      error: 'file_not_found',
    });
  });
});
