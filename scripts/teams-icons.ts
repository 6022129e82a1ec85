/**
 * Draws the Teams app icons (a key) and writes manifest/teams/color.png (192×192, full colour) and
 * outline.png (32×32, white on transparent), as Teams requires. No image library: raw RGBA rows,
 * deflated with node's zlib. Run with `npx tsx scripts/teams-icons.ts`; the PNGs are committed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { crc32, ICON_SIZES } from '../adapters/teams/app-package';

type Rgba = [number, number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const rows = Buffer.alloc(size * (1 + size * 4));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 4);
    rows[row] = 0; // filter: none
    for (let x = 0; x < size; x++) rows.set(pixel(x + 0.5, y + 0.5), row + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A key in a unit square (0..1): a ring on the left, a shaft with two teeth on the right. */
function isKey(u: number, v: number): boolean {
  const d = Math.hypot(u - 0.34, v - 0.5);
  const ring = d <= 0.2 && d >= 0.09;
  const shaft = u >= 0.5 && u <= 0.86 && v >= 0.455 && v <= 0.545;
  const tooth1 = u >= 0.72 && u <= 0.77 && v > 0.545 && v <= 0.65;
  const tooth2 = u >= 0.8 && u <= 0.86 && v > 0.545 && v <= 0.62;
  return ring || shaft || tooth1 || tooth2;
}

const dir = join(__dirname, '..', 'manifest', 'teams');
const c = ICON_SIZES.color;
writeFileSync(
  join(dir, 'color.png'),
  png(c, (x, y) => (isKey(x / c, y / c) ? [0xff, 0x99, 0x00, 0xff] : [0x23, 0x2f, 0x3e, 0xff])),
);
const o = ICON_SIZES.outline;
writeFileSync(
  join(dir, 'outline.png'),
  png(o, (x, y) => (isKey(x / o, y / o) ? [0xff, 0xff, 0xff, 0xff] : [0, 0, 0, 0])),
);
console.log(`wrote ${dir}/color.png (${c}×${c}) and outline.png (${o}×${o})`);
