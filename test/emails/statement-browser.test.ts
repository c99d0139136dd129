/**
 * The emails in a real browser: headless Chromium (Debian's `chromium`) driven by playwright-core.
 * Screenshots go to screenshots/emails/ (git-ignored); axe-core must report no violations for
 * any kind. Skipped with a message only when chromium is absent outside CI.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationKind } from '../../billing/notification-content.js';
import { formatCreditNumber } from '../../format/numbers.js';
import { formatLocalDay } from '../../format/dates.js';
import { renderEmail } from '../../emails/render.js';
import { emailSamples, sampleFor } from '../../emails/samples.js';
import { axeViolations, launchChromium, skipWithoutChromium } from '../harness/browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const screenshots = join(root, 'screenshots', 'emails');
const skip = skipWithoutChromium('statement-browser.test.ts');

let browser: Browser;

async function open(kind: NotificationKind, width = 720): Promise<Page> {
  const { content, context } = sampleFor(kind);
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  // Nothing may be fetched: the email has to render from its own HTML.
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.setContent(renderEmail(content, context).html, { waitUntil: 'load' });
  expect(requests).toEqual([]);
  return page;
}

describe.skipIf(skip)('emails in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('axe-core runs in the page and finds a violation when there is one', async () => {
    const page = await browser.newPage();
    try {
      await page.setContent('<html><body><p style="color:#aaa">faint</p></body></html>');
      const violations = await axeViolations(page);
      expect(violations.map((v) => v.split(' ')[0])).toEqual(
        expect.arrayContaining(['color-contrast', 'document-title', 'html-has-lang']),
      );
    } finally {
      await page.close();
    }
  });

  it('statement: numbers and every day of the chart in the page text, screenshot', async () => {
    const page = await open('statement');
    try {
      await page.screenshot({ path: join(screenshots, 'statement.png'), fullPage: true });
      const text = await page.innerText('body');
      for (const needle of [
        'Your credit statement for Nov 1 – Nov 30, 2026',
        '1,298 credits', // used
        '1,000 credits', // allowance
        '1,250 credits', // available
        'USD 5.76', // overage charged
        'Paid, USD 5.76',
      ]) {
        expect(text).toContain(needle);
      }
      const { content } = sampleFor('statement');
      // The chart's data table: a row header per day, and its value, in the accessible text.
      const rows = await page.$$eval('tr[data-day]', (trs) =>
        trs.map((tr) => (tr as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ')),
      );
      expect(rows).toEqual(
        content.daily.map(
          (day) => `${formatLocalDay(day.date)} ${formatCreditNumber(day.millicredits)}`,
        ),
      );
      const rowHeaders = await page.$$eval('tr[data-day] th[scope="row"]', (ths) => ths.length);
      expect(rowHeaders).toBe(content.daily.length);
      // The bars are drawn: the highest day's bar spans its cell.
      const peakWidth = await page.$eval(
        'tr[data-day="2026-11-24"] td[width="100%"]',
        (td) => (td as unknown as { offsetWidth: number }).offsetWidth,
      );
      expect(peakWidth).toBeGreaterThan(200);
    } finally {
      await page.close();
    }
  });

  it('statement on a phone-sized screen: no horizontal scrolling', async () => {
    const page = await open('statement', 390);
    try {
      await page.screenshot({ path: join(screenshots, 'statement-mobile.png'), fullPage: true });
      const scrollWidth = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
            .document.documentElement.scrollWidth,
      );
      expect(scrollWidth).toBeLessThanOrEqual(390);
    } finally {
      await page.close();
    }
  });

  it.each(emailSamples.map((s) => s.kind))('%s: axe-core reports no violations', async (kind) => {
    const page = await open(kind);
    try {
      if (kind !== 'statement') {
        await page.screenshot({ path: join(screenshots, `${kind}.png`), fullPage: true });
      }
      const violations = await axeViolations(page);
      if (violations.length > 0) console.error(`${kind}: axe violations\n${violations.join('\n')}`);
      expect(violations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
