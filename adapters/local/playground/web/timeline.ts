/**
 * A grant's timeline as a small inline SVG (issue 18): requested → approved → active → ended →
 * sessions cut → activity, drawn from keyless's audit trail as the page receives it. Pure: lines in,
 * markup out (every text escaped), so it is unit-tested without a browser.
 */
import { escapeHtml } from './mrkdwn';

export interface TimelineAuditLine {
  at: number;
  /** `request <id>` or `grant <id>` (a grant's id is its request's id and `-g`). */
  subject: string;
  event: string;
  to: string;
}

export interface TimelineStep {
  label: string;
  at: number;
}

const STEPS: { label: string; kind: 'request' | 'grant'; matches: (l: TimelineAuditLine) => boolean }[] = [
  { label: 'requested', kind: 'request', matches: (l) => l.event === 'create' },
  { label: 'approved', kind: 'request', matches: (l) => l.to === 'approved' },
  { label: 'active', kind: 'grant', matches: (l) => l.event === 'assignment_confirmed' },
  { label: 'ended', kind: 'grant', matches: (l) => l.event === 'unassignment_confirmed' },
  { label: 'sessions cut', kind: 'grant', matches: (l) => l.event === 'sessions_cut' },
  { label: 'activity', kind: 'grant', matches: (l) => l.event === 'activity_summarised' },
];

/** The steps a grant went through, in order, each at its first time. */
export function timelineSteps(lines: readonly TimelineAuditLine[], grantId: string): TimelineStep[] {
  const requestId = grantId.replace(/-g$/, '');
  const steps: TimelineStep[] = [];
  for (const step of STEPS) {
    const subject = step.kind === 'grant' ? `grant ${grantId}` : `request ${requestId}`;
    const first = lines
      .filter((l) => l.subject === subject && step.matches(l))
      .reduce<number | undefined>((min, l) => (min === undefined || l.at < min ? l.at : min), undefined);
    if (first !== undefined) steps.push({ label: step.label, at: first });
  }
  return steps;
}

const WIDTH = 320;
const PAD = 14;

/** One grant's steps in order on a line, with their labels, and their times as tooltips. */
export function timelineSvg(grantId: string, steps: readonly TimelineStep[], time: (ms: number) => string): string {
  if (steps.length === 0) return '';
  // Evenly spaced in order (minutes and days apart would crowd the early steps); times in each title.
  const step = steps.length > 1 ? (WIDTH - 2 * PAD) / (steps.length - 1) : 0;
  const xs = steps.map((_, i) => (steps.length > 1 ? PAD + i * step : WIDTH / 2));
  const marks = steps
    .map(
      (s, i) =>
        `<g data-step="${escapeHtml(s.label)}"><circle cx="${xs[i]!.toFixed(1)}" cy="22" r="5"/>` +
        `<text x="${xs[i]!.toFixed(1)}" y="${i % 2 ? 48 : 12}" text-anchor="middle">${escapeHtml(s.label)}</text>` +
        `<title>${escapeHtml(`${s.label} ${time(s.at)}`)}</title></g>`,
    )
    .join('');
  return (
    `<svg class="timeline" data-testid="grant-timeline" data-grant="${escapeHtml(grantId)}" viewBox="0 0 ${WIDTH} 56" width="${WIDTH}" height="56" role="img" aria-label="${escapeHtml(`Timeline of grant ${grantId}: ${steps.map((s) => s.label).join(', ')}`)}">` +
    `<line x1="${PAD}" y1="22" x2="${WIDTH - PAD}" y2="22"/>${marks}</svg>`
  );
}

/** The timelines of the latest `max` grants in the trail, newest first. */
export function grantTimelines(lines: readonly TimelineAuditLine[], time: (ms: number) => string, max = 3): string {
  const grants = new Map<string, number>();
  for (const l of lines) {
    if (!l.subject.startsWith('grant ')) continue;
    const id = l.subject.slice('grant '.length);
    grants.set(id, Math.max(grants.get(id) ?? 0, l.at));
  }
  return [...grants.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([id]) => timelineSvg(id, timelineSteps(lines, id), time))
    .join('');
}
