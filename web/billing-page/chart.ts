/**
 * The billing page's usage chart: inline SVG, no script. It is cumulative, because "will my
 * credits last until the reset?" is the question it answers: one bar per day of the cycle showing
 * the credits used up to the end of that day, a horizontal line at the available credits (and one
 * at the plan allowance when purchases raise the available credits above it), and the projection
 * range shaded from today's total to the low and high estimates at the reset, the expected one
 * dashed. A bar that crosses the line is a day in overage. The SVG is `role="img"` with a title
 * and a description; a data table beside it gives every day's figures (the text alternative).
 */
import { escapeHtml } from '../../format/html.js';
import { formatCreditNumber } from '../../format/numbers.js';
import { formatLocalDay, localDateOf } from '../../format/dates.js';
import type { UsageReply } from '../../contract/usage-reply.js';

export interface ChartInput {
  /** The open cycle [start, end), ISO UTC. */
  cycleStart: string;
  cycleEnd: string;
  timeZone: string;
  /** The insights' daily usage: local dates from the cycle's start to today, zeros included. */
  daily: readonly { date: string; millicredits: string }[];
  allowanceMillicredits: string;
  availableMillicredits: string;
  usedMillicredits: string;
  projection: { lowMillicredits: string; expectedMillicredits: string; highMillicredits: string };
}

/** What the chart draws, read from a `usage` reply. */
export function chartInputOf(usage: UsageReply): ChartInput {
  return {
    cycleStart: usage.cycle.start,
    cycleEnd: usage.cycle.end,
    timeZone: usage.insights.timeZone,
    daily: usage.insights.daily,
    allowanceMillicredits: usage.cycle.allowanceMillicredits,
    availableMillicredits: usage.cycle.availableMillicredits,
    usedMillicredits: usage.cycle.usedMillicredits,
    projection: usage.insights.projection,
  };
}

export interface ChartDay {
  date: string;
  /** Null for a day still to come. */
  millicredits: string | null;
  totalMillicredits: string | null;
}

const WIDTH = 640;
const HEIGHT = 260;
const LEFT = 64;
const RIGHT = 16;
const TOP = 16;
const BOTTOM = 36;

export const chartColours = {
  bar: '#2563eb',
  line: '#111827',
  allowance: '#4b5563',
  range: '#bfdbfe',
  expected: '#1e3a8a',
  grid: '#e5e7eb',
  text: '#1f2937',
} as const;

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Every local date of the cycle (from the first of its start and the first recorded day, to the
 * date of its last instant), with the day's usage and the running total for the days so far.
 */
export function chartDays(input: ChartInput): ChartDay[] {
  const recorded = new Map(input.daily.map((d) => [d.date, d.millicredits]));
  const firstRecorded = input.daily[0]?.date;
  let date = localDateOf(input.cycleStart, input.timeZone);
  if (firstRecorded !== undefined && firstRecorded < date) date = firstRecorded;
  const lastCycleDate = localDateOf(Date.parse(input.cycleEnd) - 1, input.timeZone);
  const lastRecorded = input.daily[input.daily.length - 1]?.date;
  const last =
    lastRecorded !== undefined && lastRecorded > lastCycleDate ? lastRecorded : lastCycleDate;
  const days: ChartDay[] = [];
  let total = 0n;
  for (; date <= last; date = nextDate(date)) {
    const amount = recorded.get(date);
    if (amount === undefined) {
      days.push({ date, millicredits: null, totalMillicredits: null });
    } else {
      total += BigInt(amount);
      days.push({ date, millicredits: amount, totalMillicredits: total.toString() });
    }
  }
  return days;
}

/** Pixel geometry from exact amounts: the ratio is taken in bigint, then scaled to pixels. */
function scale(value: bigint, max: bigint, pixels: number): number {
  if (max <= 0n) return 0;
  return (Number((value * 100_000n) / max) / 100_000) * pixels;
}

const px = (n: number) => (Math.round(n * 10) / 10).toString();

/** The chart's title and description, which the SVG carries and the page reuses. */
export function chartSummary(input: ChartInput): { title: string; description: string } {
  const days = chartDays(input);
  const soFar = days.filter((d) => d.totalMillicredits !== null);
  const first = days[0]?.date;
  const today = soFar[soFar.length - 1]?.date;
  const p = input.projection;
  const parts = [
    today !== undefined && first !== undefined
      ? `Credits used in total from ${formatLocalDay(first)} to ${formatLocalDay(today)}: ` +
        `${formatCreditNumber(input.usedMillicredits)} of ` +
        `${formatCreditNumber(input.availableMillicredits)} available.`
      : `No usage yet; ${formatCreditNumber(input.availableMillicredits)} credits available.`,
    `Projected total at the reset: ${formatCreditNumber(p.lowMillicredits)} to ` +
      `${formatCreditNumber(p.highMillicredits)} credits, expected ` +
      `${formatCreditNumber(p.expectedMillicredits)}.`,
  ];
  if (input.allowanceMillicredits !== input.availableMillicredits) {
    parts.push(`The plan allowance is ${formatCreditNumber(input.allowanceMillicredits)} credits.`);
  }
  return {
    title: 'Credits used this cycle, day by day (running total)',
    description: parts.join(' '),
  };
}

/** The chart as an inline SVG element, scaled to its container's width. */
export function chartSvg(input: ChartInput, idPrefix = 'usage-chart'): string {
  const days = chartDays(input);
  const n = Math.max(1, days.length);
  const used = BigInt(input.usedMillicredits);
  const available = BigInt(input.availableMillicredits);
  const allowance = BigInt(input.allowanceMillicredits);
  const low = BigInt(input.projection.lowMillicredits);
  const expected = BigInt(input.projection.expectedMillicredits);
  const high = BigInt(input.projection.highMillicredits);
  let peak = [used, available, allowance, high].reduce((a, b) => (b > a ? b : a), 0n);
  if (peak === 0n) peak = 1000n;
  const max = (peak * 11n) / 10n;
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (i: number) => LEFT + (plotW * i) / n;
  const y = (v: bigint) => TOP + plotH - scale(v, max, plotH);
  const slot = plotW / n;
  const { title, description } = chartSummary(input);
  const out: string[] = [];

  // Grid and axis labels: zero, half and the top of the scale, in whole credits.
  for (const tick of [0n, max / 2n, max]) {
    const whole = (tick / 1000n) * 1000n;
    out.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${px(y(whole))}" y2="${px(y(whole))}" ` +
        `stroke="${chartColours.grid}" stroke-width="1"/>`,
      `<text x="${LEFT - 6}" y="${px(y(whole) + 4)}" text-anchor="end" font-size="12" ` +
        `fill="${chartColours.text}">${escapeHtml(formatCreditNumber(whole))}</text>`,
    );
  }

  // Bars: the running total at the end of each day so far.
  let lastIndex = -1;
  days.forEach((day, i) => {
    if (day.totalMillicredits === null) return;
    lastIndex = i;
    const total = BigInt(day.totalMillicredits);
    const h = scale(total, max, plotH);
    out.push(
      `<rect x="${px(x(i) + slot * 0.15)}" y="${px(TOP + plotH - h)}" width="${px(slot * 0.7)}" ` +
        `height="${px(h)}" fill="${chartColours.bar}" data-day="${escapeHtml(day.date)}"/>`,
    );
  });

  // The projection: from today's total to the low..high range at the reset.
  const fromX = x(lastIndex + 1);
  const toX = x(n);
  if (toX > fromX) {
    out.push(
      `<polygon points="${px(fromX)},${px(y(used))} ${px(toX)},${px(y(high))} ` +
        `${px(toX)},${px(y(low))}" fill="${chartColours.range}" data-projection="range"/>`,
      `<line x1="${px(fromX)}" y1="${px(y(used))}" x2="${px(toX)}" y2="${px(y(expected))}" ` +
        `stroke="${chartColours.expected}" stroke-width="2" stroke-dasharray="6 4" ` +
        `data-projection="expected"/>`,
    );
  }

  // The reference lines: available credits, and the allowance when purchases add to it.
  if (allowance !== available) {
    out.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${px(y(allowance))}" y2="${px(y(allowance))}" ` +
        `stroke="${chartColours.allowance}" stroke-width="1.5" stroke-dasharray="2 3" ` +
        `data-line="allowance"/>`,
    );
  }
  out.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${px(y(available))}" y2="${px(y(available))}" ` +
      `stroke="${chartColours.line}" stroke-width="2" data-line="available"/>`,
  );

  // Date labels: the first day, the middle and the last.
  const labelled = [...new Set([0, Math.floor((n - 1) / 2), n - 1])];
  for (const i of labelled) {
    const day = days[i];
    if (day === undefined) continue;
    const anchor = i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle';
    const lx = i === 0 ? x(0) : i === n - 1 ? x(n) : x(i) + slot / 2;
    out.push(
      `<text x="${px(lx)}" y="${HEIGHT - 12}" text-anchor="${anchor}" font-size="12" ` +
        `fill="${chartColours.text}">${escapeHtml(formatLocalDay(day.date))}</text>`,
    );
  }

  const titleId = `${idPrefix}-title`;
  const descId = `${idPrefix}-desc`;
  return (
    `<svg role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" ` +
    `focusable="false">` +
    `<title id="${titleId}">${escapeHtml(title)}</title>` +
    `<desc id="${descId}">${escapeHtml(description)}</desc>` +
    out.join('') +
    '</svg>'
  );
}
