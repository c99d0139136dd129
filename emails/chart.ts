/**
 * The statement's daily-usage chart, for email clients: no script, image or SVG. In HTML it is a
 * real data table (date, credits) whose credit cells carry a horizontal bar drawn with table
 * cells and background colours, so screen readers read the values and every client shows bars.
 */
import type { DailyAmount } from '../billing/notification-content.js';
import { escapeHtml } from '../format/html.js';
import { formatCreditAmount, formatCreditNumber } from '../format/numbers.js';
import { formatLocalDay } from '../format/dates.js';
import { CAPTION_STYLE, TABLE_STYLE, colour } from './theme.js';

const TEXT_BAR_WIDTH = 30;

interface Bar {
  date: string;
  label: string;
  value: string;
  /** 0 to `scale`, relative to the highest day; at least 1 for a day with any usage. */
  length: (scale: number) => number;
  peak: boolean;
}

function bars(daily: readonly DailyAmount[]): Bar[] {
  const amounts = daily.map((day) => BigInt(day.millicredits));
  const max = amounts.reduce((a, b) => (b > a ? b : a), 0n);
  return daily.map((day, i) => {
    const amount = amounts[i] ?? 0n;
    return {
      date: day.date,
      label: formatLocalDay(day.date),
      value: formatCreditNumber(amount),
      length: (scale) => {
        if (amount <= 0n || max === 0n) return 0;
        const rounded = Number((2n * amount * BigInt(scale) + max) / (2n * max));
        return Math.max(1, rounded);
      },
      peak: max > 0n && amount === max,
    };
  });
}

/** The highest day, e.g. `"Tue, Nov 24: 88 credits"`, or undefined when nothing was used. */
export function peakDay(daily: readonly DailyAmount[]): string | undefined {
  const peak = bars(daily).find((bar) => bar.peak);
  const amount = daily.find((day) => day.date === peak?.date)?.millicredits;
  return peak && amount !== undefined ? `${peak.label}: ${formatCreditAmount(amount)}` : undefined;
}

function barCells(percent: number, fill: string): string {
  const cell = (width: number, background: string) =>
    `<td width="${width}%" style="width:${width}%;height:10px;background-color:${background};` +
    `font-size:0;line-height:0">&nbsp;</td>`;
  const filled = percent > 0 ? cell(percent, fill) : '';
  const rest = percent < 100 ? cell(100 - percent, colour.track) : '';
  return (
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" ' +
    `style="border-collapse:collapse"><tr>${filled}${rest}</tr></table>`
  );
}

const CELL = `padding:3px 8px;border-bottom:1px solid ${colour.page};font-size:13px;color:${colour.body}`;

/** The chart as an HTML data table with a caption. */
export function chartHtml(caption: string, daily: readonly DailyAmount[]): string {
  const peak = peakDay(daily);
  const rows = bars(daily).map(
    (bar) =>
      `<tr data-day="${escapeHtml(bar.date)}">` +
      `<th scope="row" style="${CELL};padding-left:0;text-align:left;font-weight:normal;` +
      `white-space:nowrap">` +
      `${escapeHtml(bar.label)}</th>` +
      `<td style="${CELL};width:100%">${barCells(bar.length(100), bar.peak ? colour.peak : colour.bar)}</td>` +
      `<td style="${CELL};padding-right:0;text-align:right;white-space:nowrap">` +
      `${escapeHtml(bar.value)}</td></tr>`,
  );
  const head = (text: string, align: string, span: number) =>
    `<th scope="col"${span > 1 ? ` colspan="${span}"` : ''} style="${CELL};padding-${align}:0;` +
    `text-align:${align};` +
    `font-size:12px;color:${colour.muted};font-weight:600">${text}</th>`;
  return (
    `<table style="${TABLE_STYLE}"><caption style="${CAPTION_STYLE}">${escapeHtml(caption)}` +
    (peak
      ? `<br><span style="font-size:13px;font-weight:normal;color:${colour.muted}">Highest day: ` +
        `${escapeHtml(peak)}</span>`
      : '') +
    `</caption><thead><tr>${head('Day', 'left', 1)}${head('Credits used', 'right', 2)}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** The chart as plain-text lines: `Sun, Nov 1   ####            12.5`. */
export function chartText(caption: string, daily: readonly DailyAmount[]): string[] {
  const all = bars(daily);
  const labelWidth = Math.max(0, ...all.map((bar) => bar.label.length));
  const valueWidth = Math.max(0, ...all.map((bar) => bar.value.length));
  const peak = peakDay(daily);
  return [
    caption,
    ...(peak ? [`Highest day: ${peak}`] : []),
    '',
    ...all.map(
      (bar) =>
        `${bar.label.padEnd(labelWidth)}  ${'#'.repeat(bar.length(TEXT_BAR_WIDTH)).padEnd(TEXT_BAR_WIDTH)}  ` +
        bar.value.padStart(valueWidth),
    ),
  ];
}
