import { deflateRawSync } from 'node:zlib';
import { MenuCommands } from './verbs';

/**
 * The Teams app package: manifest checks, placeholder filling and a tiny zip writer (stored and
 * deflated entries, no dependency). Used by `npm run teams:package` and the manifest test.
 */

export const MANIFEST_VERSION = '1.19';
export const MANIFEST_SCHEMA = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;
export const ICON_SIZES = { color: 192, outline: 32 } as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

/** Width and height from a PNG's IHDR chunk. */
export function readPng(buf: Buffer): PngInfo {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(signature) || buf.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG');
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), bitDepth: buf[24]!, colorType: buf[25]! };
}

type Json = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o);

/** Problems with a manifest (empty when fine). `filled` also requires real ids instead of placeholders. */
export function validateManifest(manifest: unknown, options: { filled?: boolean } = {}): string[] {
  const problems: string[] = [];
  const required = [
    '$schema',
    'manifestVersion',
    'version',
    'id',
    'developer.name',
    'developer.websiteUrl',
    'developer.privacyUrl',
    'developer.termsOfUseUrl',
    'name.short',
    'name.full',
    'description.short',
    'description.full',
    'icons.color',
    'icons.outline',
    'accentColor',
  ];
  for (const path of required) {
    const v = get(manifest, path);
    if (typeof v !== 'string' || v.trim() === '') problems.push(`${path} is missing`);
  }
  if (get(manifest, 'manifestVersion') !== MANIFEST_VERSION)
    problems.push(`manifestVersion must be ${MANIFEST_VERSION}`);
  if (get(manifest, '$schema') !== MANIFEST_SCHEMA) problems.push(`$schema must be ${MANIFEST_SCHEMA}`);
  if (String(get(manifest, 'name.short') ?? '').length > 30) problems.push('name.short is longer than 30 characters');
  if (String(get(manifest, 'description.short') ?? '').length > 80)
    problems.push('description.short is longer than 80 characters');
  if (!/^#[0-9A-Fa-f]{6}$/.test(String(get(manifest, 'accentColor') ?? '')))
    problems.push('accentColor must be #RRGGBB');
  const bots = get(manifest, 'bots');
  if (!Array.isArray(bots) || bots.length !== 1) {
    problems.push('bots must hold exactly one bot');
  } else {
    const bot = bots[0] as Json;
    if (typeof bot.botId !== 'string') problems.push('bots[0].botId is missing');
    for (const list of (bot.commandLists as Json[] | undefined) ?? []) {
      const commands = (list.commands as Json[] | undefined) ?? [];
      if (commands.length > 10) problems.push('a command list holds more than 10 commands');
      for (const c of commands) {
        if (String(c.title ?? '').length > 32) problems.push(`command "${String(c.title)}" title is longer than 32`);
        if (String(c.description ?? '').length > 128)
          problems.push(`command "${String(c.title)}" description is longer than 128`);
      }
    }
  }
  if (options.filled) {
    const text = JSON.stringify(manifest);
    if (text.includes('${{')) problems.push('placeholders are left: set the environment variables');
    if (!GUID.test(String(get(manifest, 'id')))) problems.push('id must be a GUID');
    if (Array.isArray(bots) && !GUID.test(String((bots[0] as Json | undefined)?.botId)))
      problems.push('bots[0].botId must be a GUID');
  }
  return problems;
}

/** The command menu the manifest should list: the code's commands, in order. */
export function expectedCommandList(): { title: string; description: string }[] {
  return MenuCommands.map((c) => ({ title: c.name, description: c.description }));
}

/** Replaces `${{NAME}}` placeholders; throws listing every variable that is missing. */
export function fillPlaceholders(template: string, env: Record<string, string | undefined>): string {
  const missing = new Set<string>();
  const out = template.replace(/\$\{\{([A-Z0-9_]+)\}\}/g, (_, name: string) => {
    const value = env[name];
    if (!value) {
      missing.add(name);
      return '';
    }
    return value.replace(/["\\]/g, '');
  });
  if (missing.size > 0) throw new Error(`Set ${[...missing].join(', ')} to build the Teams app package.`);
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of files at its root (deflate), readable by Teams, `unzip` and every OS. */
export function zip(files: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  // 1980-01-01 00:00: a fixed date, so the same inputs give the same bytes.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const compressed = deflateRawSync(file.data);
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
