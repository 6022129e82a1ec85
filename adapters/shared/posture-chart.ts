/**
 * The weekly IAM posture chart, drawn server-side: an SVG of the real counts (this week's bar, last
 * week's beneath it) rendered to PNG by resvg (a prebuilt binary from the npm registry: no browser,
 * no native build). The numbers drawn are also stored in the PNG itself (a `tEXt` chunk,
 * `keyless:posture`), so that a reader, or a test, can check the picture against the counts.
 */
import { crc32 } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { POSTURE_METRICS, POSTURE_METRIC_LABELS, metricOf, type PostureMetric, type PostureReport } from '../../src';

export interface PostureChartRow {
  metric: PostureMetric;
  label: string;
  now: number;
  /** Last week's count; absent when there is no snapshot of last week. */
  before?: number;
}

export interface PostureChart {
  png: Buffer;
  width: number;
  height: number;
  rows: PostureChartRow[];
  /** One line a screen reader says (Slack `alt_txt`, the card's `altText`). */
  altText: string;
}

export const POSTURE_CHART_TEXT_KEY = 'keyless:posture';

/** The rows the chart draws: every metric's total now and last week's. */
export function postureChartRows(report: PostureReport): PostureChartRow[] {
  return POSTURE_METRICS.map((metric) => ({
    metric,
    label: POSTURE_METRIC_LABELS[metric],
    now: metricOf(report.totals, metric),
    ...(report.previous ? { before: metricOf(report.previous.totals, metric) } : {}),
  }));
}

const WIDTH = 640;
const LEFT = 210;
const RIGHT = 60;
const TOP = 58;
const ROW = 34;
const NOW_COLOR = '#1d4f91';
const BEFORE_COLOR = '#a9b4c2';

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function postureChartSvg(rows: readonly PostureChartRow[], title: string): { svg: string; height: number } {
  const height = TOP + rows.length * ROW + 34;
  const max = Math.max(1, ...rows.flatMap((r) => [r.now, r.before ?? 0]));
  const scale = (WIDTH - LEFT - RIGHT) / max;
  const hasBefore = rows.some((r) => r.before !== undefined);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<g font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" fill="#1f2933">`,
    `<text x="16" y="26" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<rect x="16" y="38" width="12" height="10" fill="${NOW_COLOR}"/><text x="32" y="47" font-size="11">this week</text>`,
  ];
  if (hasBefore) {
    parts.push(
      `<rect x="100" y="38" width="12" height="10" fill="${BEFORE_COLOR}"/><text x="116" y="47" font-size="11">last week</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = TOP + i * ROW;
    const w = Math.round(r.now * scale);
    parts.push(`<text x="${LEFT - 8}" y="${y + 16}" font-size="12" text-anchor="end">${esc(r.label)}</text>`);
    parts.push(`<rect x="${LEFT}" y="${y + 4}" width="${Math.max(w, 1)}" height="14" fill="${NOW_COLOR}"/>`);
    parts.push(`<text x="${LEFT + w + 6}" y="${y + 16}" font-size="12">${r.now}</text>`);
    if (r.before !== undefined) {
      const b = Math.round(r.before * scale);
      parts.push(`<rect x="${LEFT}" y="${y + 20}" width="${Math.max(b, 1)}" height="7" fill="${BEFORE_COLOR}"/>`);
      parts.push(`<text x="${LEFT + b + 6}" y="${y + 28}" font-size="9" fill="#52606d">${r.before}</text>`);
    }
  });
  parts.push(`<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + rows.length * ROW}" stroke="#52606d"/>`);
  parts.push('</g></svg>');
  return { svg: parts.join(''), height };
}

/** Adds a `tEXt` chunk right after IHDR (PNG spec §11.3.4.3: Latin-1 keyword, NUL, text). */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const type = Buffer.from('tEXt', 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  type.copy(chunk, 4);
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0, 8 + data.length);
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, afterIhdr), chunk, png.subarray(afterIhdr)]);
}

/**
 * The chart of a report, as PNG bytes. `compact`: text drawn without anti-aliasing (about 8 KB
 * instead of 20 KB), for Teams, where the picture travels inside the card as a `data:` URI.
 */
export function renderPostureChart(
  report: PostureReport,
  week: string,
  options: { compact?: boolean } = {},
): PostureChart {
  const rows = postureChartRows(report);
  const title = `IAM posture, ${week}: ${report.accounts.length} account${report.accounts.length === 1 ? '' : 's'}`;
  const { svg, height } = postureChartSvg(rows, title);
  const rendered = new Resvg(svg, {
    fitTo: { mode: 'original' },
    // 0: optimizeSpeed (no anti-aliasing: fewer colours, a much smaller PNG).
    ...(options.compact ? { textRendering: 0 as const } : {}),
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  const png = withPngText(rendered, POSTURE_CHART_TEXT_KEY, asciiJson({ week, rows }));
  const altText = `${title}. ${rows
    .map((r) => `${r.label}: ${r.now}${r.before !== undefined ? ` (last week ${r.before})` : ''}`)
    .join('; ')}.`;
  return { png, width: WIDTH, height, rows, altText };
}

/** JSON with every non-ASCII character escaped (`tEXt` is Latin-1; the labels hold dashes). */
const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Reads a PNG's signature, IHDR size and `tEXt` chunks (for tests and the loopback workspace). */
export function readPng(bytes: Buffer): { width: number; height: number; text: Record<string, string> } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(signature)) throw new Error('not a PNG: bad signature');
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: IHDR is not the first chunk');
  const text: Record<string, string> = {};
  let at = 8;
  let ended = false;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw new Error(`not a PNG: ${type} chunk cut short`);
    const crc = bytes.readUInt32BE(at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) >>> 0 !== crc) throw new Error(`not a PNG: bad CRC in ${type}`);
    if (type === 'tEXt') {
      const nul = data.indexOf(0);
      text[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    }
    at += 12 + length;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ended) throw new Error('not a PNG: no IEND chunk');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), text };
}
