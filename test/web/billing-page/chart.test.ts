import { describe, expect, it } from 'vitest';
import {
  chartDays,
  chartInputOf,
  chartSummary,
  chartSvg,
  type ChartInput,
} from '../../../web/billing-page/chart.js';
import { sampleUsage } from './sample-usage.js';

function inputOf(usage = sampleUsage()): ChartInput {
  return chartInputOf(usage);
}

/** The numeric attributes of every element matching `tag` and `marker`. */
function elements(svg: string, tag: string, marker = ''): Record<string, number>[] {
  const re = new RegExp(`<${tag} ([^>]*${marker}[^>]*)/>`, 'g');
  return [...svg.matchAll(re)].map((m) =>
    Object.fromEntries(
      [...m[1]!.matchAll(/([a-z0-9-]+)="([-0-9.]+)"/g)].map((a) => [a[1]!, Number(a[2])]),
    ),
  );
}

describe('the usage chart', () => {
  it('has every local day of the cycle, with running totals for the days so far', () => {
    const days = chartDays(inputOf());
    // November in Los Angeles: the cycle ends Dec 1 00:00 local, so 30 days.
    expect(days).toHaveLength(30);
    expect(days[0]).toEqual({
      date: '2026-11-01',
      millicredits: '100000',
      totalMillicredits: '100000',
    });
    expect(days[11]).toEqual({
      date: '2026-11-12',
      millicredits: '100000',
      totalMillicredits: '1300000',
    });
    expect(days[12]).toEqual({ date: '2026-11-13', millicredits: null, totalMillicredits: null });
    expect(days[29]!.date).toBe('2026-11-30');
  });

  it('draws a bar per day so far, growing with the running total, and the reference lines', () => {
    const svg = chartSvg(inputOf());
    const bars = elements(svg, 'rect', 'data-day');
    expect(bars).toHaveLength(12);
    const heights = bars.map((b) => b.height!);
    // The running total never falls, and a day without usage keeps the height (Nov 4).
    for (let i = 1; i < heights.length; i++)
      expect(heights[i]).toBeGreaterThanOrEqual(heights[i - 1]!);
    expect(heights[3]).toBe(heights[2]);
    // The tallest bar is 1,300 credits; the scale's top is 110% of the projection's high (3,600).
    const plotHeight = 260 - 16 - 36;
    expect(heights[11]).toBeCloseTo((1300 / 3960) * plotHeight, 0);
    const available = elements(svg, 'line', 'data-line="available"')[0]!;
    const allowance = elements(svg, 'line', 'data-line="allowance"')[0]!;
    expect(available.y1).toBeCloseTo(16 + plotHeight - (1250 / 3960) * plotHeight, 0);
    expect(allowance.y1).toBeGreaterThan(available.y1!); // lower on screen: fewer credits
  });

  it('shades the projection from today to the low..high range at the reset', () => {
    const svg = chartSvg(inputOf());
    const points = /<polygon points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    const [from, high, low] = points as [number[], number[], number[]];
    expect(high[0]).toBe(640 - 16);
    expect(low[0]).toBe(640 - 16);
    expect(from[0]).toBeCloseTo(64 + (560 * 12) / 30, 0);
    expect(high[1]).toBeLessThan(low[1]!);
    expect(low[1]).toBeLessThan(from[1]!);
  });

  it('names itself for assistive technology and escapes its text', () => {
    const svg = chartSvg(inputOf());
    expect(svg).toMatch(/^<svg role="img" aria-labelledby="usage-chart-title usage-chart-desc"/);
    const { title, description } = chartSummary(inputOf());
    expect(svg).toContain(`<title id="usage-chart-title">${title}</title>`);
    expect(description).toBe(
      'Credits used in total from Sun, Nov 1 to Thu, Nov 12: 1,300 of 1,250 available. ' +
        'Projected total at the reset: 2,900 to 3,600 credits, expected 3,250. ' +
        'The plan allowance is 1,000 credits.',
    );
  });

  it('draws an empty cycle without dividing by zero', () => {
    const empty = inputOf(
      sampleUsage({
        cycle: {
          ...sampleUsage().cycle,
          allowanceMillicredits: '0',
          availableMillicredits: '0',
          purchasedMillicredits: '0',
          usedMillicredits: '0',
        },
      }),
    );
    const svg = chartSvg({
      ...empty,
      daily: [],
      projection: { lowMillicredits: '0', expectedMillicredits: '0', highMillicredits: '0' },
    });
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(elements(svg, 'rect', 'data-day')).toEqual([]);
  });
});
