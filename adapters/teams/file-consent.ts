import { z } from 'zod';

/**
 * Files in a Teams 1:1 chat, the Bot Framework way ("Send and receive files using bot", Teams bot
 * APIs, personal scope only): the bot posts a FileConsentCard; when the person allows it, Teams
 * sends a `fileConsent/invoke` with an upload URL in their OneDrive, the bot PUTs the bytes there
 * (OneDrive's upload session: Content-Length and Content-Range, no Authorization header), then posts
 * a FileInfoCard that opens the file. Declined: the invoke says so and nothing is uploaded.
 */

export const FILE_CONSENT_INVOKE = 'fileConsent/invoke';
export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

/** How long an offered audit export may be accepted. */
export const EXPORT_OFFER_TTL_MS = 30 * 60_000;
/** OneDrive: byte ranges of an upload in several requests are multiples of 320 KiB, each under 60 MiB. */
export const UPLOAD_FRAGMENT_UNIT = 320 * 1024;
export const DEFAULT_UPLOAD_FRAGMENT = 16 * UPLOAD_FRAGMENT_UNIT;

/**
 * What the consent card carries back (acceptContext and declineContext): which export, for whom
 * (the Entra ID object id of the person who asked), until when. The bytes are not in it: on accept
 * the words are read again, as of `at`, by the person who accepts, who must be the one who asked
 * and still an auditor.
 */
export const AuditExportContextSchema = z.object({
  kind: z.literal('keyless-audit-export'),
  user: z.string().min(1).max(128),
  words: z.array(z.string().max(200)).max(40),
  at: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
  /** The size the card announced: the upload session takes exactly this many bytes. */
  size: z.number().int().positive(),
});
export type AuditExportContext = z.infer<typeof AuditExportContextSchema>;

const UploadInfoSchema = z.object({
  contentUrl: z.string().min(1).max(2048),
  name: z.string().min(1).max(400),
  uploadUrl: z.string().min(1).max(4096),
  uniqueId: z.string().min(1).max(200),
  fileType: z.string().max(40).optional(),
  etag: z.unknown().optional(),
});
export type UploadInfo = z.infer<typeof UploadInfoSchema>;

export const FileConsentValueSchema = z.discriminatedUnion('action', [
  z.object({
    type: z.literal('fileUpload'),
    action: z.literal('accept'),
    context: z.unknown(),
    uploadInfo: UploadInfoSchema,
  }),
  z.object({ type: z.literal('fileUpload'), action: z.literal('decline'), context: z.unknown() }),
]);
export type FileConsentValue = z.infer<typeof FileConsentValueSchema>;

export interface FileConsentAttachment {
  contentType: typeof FILE_CONSENT_CARD;
  name: string;
  content: { description: string; sizeInBytes: number; acceptContext: unknown; declineContext: unknown };
}

/** The card asking a person to allow a file into their OneDrive. */
export function fileConsentCard(
  name: string,
  sizeInBytes: number,
  description: string,
  context: AuditExportContext,
): FileConsentAttachment {
  return {
    contentType: FILE_CONSENT_CARD,
    name,
    content: { description, sizeInBytes, acceptContext: context, declineContext: context },
  };
}

/** The card that opens an uploaded file (its OneDrive item). */
export function fileInfoCard(info: UploadInfo): {
  contentType: typeof FILE_INFO_CARD;
  contentUrl: string;
  name: string;
  content: { uniqueId: string; fileType: string };
} {
  return {
    contentType: FILE_INFO_CARD,
    contentUrl: info.contentUrl,
    name: info.name,
    content: { uniqueId: info.uniqueId, fileType: info.fileType ?? info.name.split('.').pop() ?? '' },
  };
}

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether keyless sends a file to this upload URL: https only (OneDrive's), or plain http to this
 * machine in local mode (the loopback Teams). Anything else is refused before a byte leaves.
 */
export function uploadUrlAllowed(raw: string, allowLoopbackHttp: boolean): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return allowLoopbackHttp && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * PUTs `bytes` to an upload session's URL in order, in fragments of `fragmentBytes` (a multiple of
 * 320 KiB), each with its Content-Length and `Content-Range: bytes a-b/total`, and without the
 * Authorization header (OneDrive answers 401 to one). 202 means more is expected; 200 or 201 ends it
 * with the item. Any other answer is an UploadError with its status.
 */
export async function uploadBytes(
  uploadUrl: string,
  bytes: Buffer,
  options: { contentType: string; fragmentBytes?: number; fetch?: typeof fetch },
): Promise<unknown> {
  const send = options.fetch ?? fetch;
  const fragment = options.fragmentBytes ?? DEFAULT_UPLOAD_FRAGMENT;
  if (fragment <= 0 || fragment % UPLOAD_FRAGMENT_UNIT !== 0) throw new Error('fragments are multiples of 320 KiB');
  if (bytes.length === 0) throw new UploadError(400, 'an empty file is not uploaded');
  const total = bytes.length;
  for (let start = 0; start < total; start += fragment) {
    const end = Math.min(start + fragment, total) - 1;
    const response = await send(uploadUrl, {
      method: 'PUT',
      headers: {
        'content-type': options.contentType,
        'content-length': String(end - start + 1),
        'content-range': `bytes ${start}-${end}/${total}`,
      },
      body: bytes.subarray(start, end + 1),
      redirect: 'error',
    });
    const text = await response.text();
    const last = end === total - 1;
    if (!last && response.status === 202) continue;
    if (last && (response.status === 200 || response.status === 201)) {
      try {
        return text ? (JSON.parse(text) as unknown) : {};
      } catch {
        return {};
      }
    }
    throw new UploadError(response.status, `the upload URL answered ${response.status}`);
  }
  return {};
}
