import type { SlackApi } from './slack-api';

/**
 * A file shared in a channel the way Slack's files.uploadV2 does it (files.upload is retired):
 * files.getUploadURLExternal (name, exact length, alt text) → POST the bytes to the upload URL →
 * files.completeUploadExternal with the file id and `channel_id`. Needs the `files:write` scope.
 * https://docs.slack.dev/reference/methods/files.getUploadURLExternal
 */
export async function shareFile(
  api: SlackApi,
  input: {
    channel: string;
    filename: string;
    bytes: Buffer;
    title: string;
    altText: string;
    initialComment?: string;
    threadTs?: string;
    /** Timeout of the byte upload. Default 30 s. */
    timeoutMs?: number;
  },
): Promise<{ fileId: string }> {
  const started = await api.call('files.getUploadURLExternal', {
    filename: input.filename,
    length: input.bytes.length,
    alt_txt: input.altText.slice(0, 1000),
  });
  const uploadUrl = String(started.upload_url ?? '');
  const fileId = String(started.file_id ?? '');
  if (!uploadUrl || !fileId) throw new Error('files.getUploadURLExternal answered without an upload URL');
  const posted = await fetch(uploadUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: input.bytes,
    signal: AbortSignal.timeout(input.timeoutMs ?? 30_000),
  });
  if (!posted.ok) throw new Error(`the file upload was refused: HTTP ${posted.status}`);
  await api.call('files.completeUploadExternal', {
    files: JSON.stringify([{ id: fileId, title: input.title }]),
    channel_id: input.channel,
    ...(input.initialComment ? { initial_comment: input.initialComment } : {}),
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
  });
  return { fileId };
}
