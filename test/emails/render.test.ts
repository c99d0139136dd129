/**
 * The customer email templates on the sample data (emails/samples.ts): subjects, numbers, dates
 * in the account's time zone, escaping, and what an email client must never get.
 */
import { describe, expect, it } from 'vitest';
import type { NotificationKind } from '../../billing/notification-content.js';
import type { RenderedEmail } from '../../emails/email.js';
import { escapeHtml } from '../../format/html.js';
import {
  formatCreditAmount,
  formatDuration,
  formatMoney,
  formatPrice,
} from '../../format/numbers.js';
import { formatCycle, formatInstantDate, formatLocalDate } from '../../format/dates.js';
import { wrap } from '../../emails/layout.js';
import { renderEmail } from '../../emails/render.js';
import { emailSamples, sampleContext, sampleDaily, sampleFor } from '../../emails/samples.js';

const KINDS: NotificationKind[] = [
  'threshold',
  'exhausted',
  'projection',
  'statement',
  'receipt',
  'payment-failed',
];

function render(kind: NotificationKind): RenderedEmail {
  const { content, context } = sampleFor(kind);
  return renderEmail(content, context);
}

/** The HTML's visible text, roughly: tags dropped, entities decoded, spaces collapsed. */
function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}

/** Both versions contain `needle` (plain text with its line breaks folded into spaces). */
function expectBoth(email: RenderedEmail, needle: string) {
  expect(email.text.replace(/\s+/g, ' ')).toContain(needle);
  expect(htmlText(email.html)).toContain(needle);
}

const statementSample = () => sampleFor('statement').content;

describe('formatting', () => {
  it('credits, money and prices are exact', () => {
    expect(formatCreditAmount('12500')).toBe('12.5 credits');
    expect(formatCreditAmount('1000')).toBe('1 credit');
    expect(formatCreditAmount('1234567')).toBe('1,234.567 credits');
    expect(formatCreditAmount('90071992547409930001')).toBe('90,071,992,547,409,930.001 credits');
    expect(formatMoney('576', 'USD')).toBe('USD 5.76');
    expect(formatMoney('5', 'EUR')).toBe('EUR 0.05');
    expect(formatMoney('123456789', 'USD')).toBe('USD 1,234,567.89');
    expect(formatMoney('500', 'JPY')).toBe('JPY 500');
    expect(formatMoney('-250', 'GBP')).toBe('GBP -2.50');
    expect(formatPrice('120000', 'USD')).toBe('USD 0.12');
    expect(formatPrice('100000', 'USD')).toBe('USD 0.10');
    expect(formatPrice('125000', 'USD')).toBe('USD 0.125');
    expect(formatPrice('5000000', 'JPY')).toBe('JPY 5');
    expect(formatPrice('1500000', 'JPY')).toBe('JPY 1.5');
  });

  it('dates are local dates of the account', () => {
    expect(formatLocalDate('2026-12-01')).toBe('Dec 1, 2026');
    expect(formatInstantDate('2026-12-01T08:00:00.000Z', 'America/Los_Angeles')).toBe(
      'Dec 1, 2026',
    );
    expect(formatInstantDate('2026-12-01T07:59:59.999Z', 'America/Los_Angeles')).toBe(
      'Nov 30, 2026',
    );
    expect(formatInstantDate('2026-11-30T15:00:00.000Z', 'Asia/Tokyo')).toBe('Dec 1, 2026');
    expect(
      formatCycle('2026-11-01T07:00:00.000Z', '2026-12-01T08:00:00.000Z', 'America/Los_Angeles'),
    ).toBe('Nov 1 – Nov 30, 2026');
    expect(formatCycle('2025-12-15T00:00:00Z', '2026-01-15T00:00:00Z', 'UTC')).toBe(
      'Dec 15, 2025 – Jan 14, 2026',
    );
    expect(formatDuration(77_880)).toBe('21 h 38 min');
    expect(formatDuration(0)).toBe('0 s');
  });

  it('wraps plain text without breaking words', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap(`see ${'x'.repeat(80)}`, 72)).toEqual(['see', 'x'.repeat(80)]);
  });
});

describe('every kind', () => {
  it('has a sample for every kind', () => {
    expect(emailSamples.map((s) => s.kind).sort()).toEqual([...KINDS].sort());
  });

  it.each(KINDS)('%s: subject, text and accessible, self-contained HTML', (kind) => {
    const { context } = sampleFor(kind);
    const email = render(kind);
    expect(email.subject.length).toBeGreaterThan(10);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text.length).toBeGreaterThan(200);
    expect(email.html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(email.html).toContain('<meta charset="utf-8">');
    expect(email.html).toContain(`<title>${escapeHtml(email.subject)}</title>`);
    expect(email.html).toContain('<h1');
    expect(email.html).toContain('Voice credits');
    // Layout tables are marked as such; data tables have headers.
    for (const table of email.html.match(/<table[^>]*>/g) ?? []) {
      if (!table.includes('role="presentation"')) expect(email.html).toContain('<th scope="row"');
    }
    // No script, image, SVG, external style sheet or font; the only URL is the billing link.
    expect(email.html).not.toMatch(/<(img|script|svg|link|style|iframe|object)\b/i);
    expect(email.html).not.toMatch(/\son\w+=/i);
    expect(email.html.match(/https?:\/\/[^"'\s<]+/g)).toEqual([escapeHtml(context.billingUrl)]);
    expect(email.html).toContain(`href="${escapeHtml(context.billingUrl)}"`);
    // The link and its expiry in both versions.
    expect(email.text).toContain(context.billingUrl);
    expectBoth(email, 'works until Dec');
    expectBoth(email, context.accountId);
  });

  it('the billing link is escaped in the href and kept whole in the text', () => {
    const email = render('threshold');
    expect(sampleContext.billingUrl).toContain('&');
    expect(email.html).toContain('?expires=1796716800&amp;sig=Yf3kQ9x2"');
    expect(email.text).toContain('\nhttps://billing.example.com/accounts/acme-voice?expires=');
    expectBoth(email, 'works until Dec 8, 2026, 12:00 AM PST');
  });

  it('refuses a billing link that is not http(s)', () => {
    const { content } = sampleFor('threshold');
    expect(() =>
      renderEmail(content, { ...sampleContext, billingUrl: 'javascript:alert(1)' }),
    ).toThrow(/http/);
  });
});

describe('numbers for the samples', () => {
  it('threshold: percent, credits, reset date in Los Angeles, days until reset', () => {
    const email = render('threshold');
    expect(email.subject).toBe('You have used 80% of your credits');
    for (const needle of [
      '80%',
      '800 credits',
      '1,000 credits',
      '200 credits',
      'Dec 1, 2026 (in 12 days)',
      'USD 0.12 per credit',
      'Nov 1 – Nov 30, 2026',
    ]) {
      expectBoth(email, needle);
    }
    // The summary comes first.
    expect(email.text.indexOf('You have used 80% of your available credits')).toBeLessThan(
      email.text.indexOf('Remaining:'),
    );
  });

  it('exhausted: overage price, overage so far', () => {
    const email = render('exhausted');
    expect(email.subject).toBe(
      'Your credits are used up: further calls are billed as overage at USD 0.12 per credit',
    );
    for (const needle of ['1,012.5 credits', '12.5 credits', '101%', 'Dec 1, 2026 (in 7 days)']) {
      expectBoth(email, needle);
    }
  });

  it('projection: run-out date and the low to high range', () => {
    const email = render('projection');
    expect(email.subject).toBe('At this pace you run out of credits on Nov 23, 2026');
    for (const needle of [
      '1,357.5 credits',
      'between 1,210 credits and 1,505 credits',
      '45 credits a day',
      '412.5 credits',
      '41%',
      'Dec 1, 2026 (in 21 days)',
    ]) {
      expectBoth(email, needle);
    }
  });

  it('statement: usage, allowance, purchases, available, overage, charge, invoice', () => {
    const email = render('statement');
    expect(email.subject).toBe('Your credit statement for Nov 1 – Nov 30, 2026');
    for (const needle of [
      '1,298 credits',
      '1,000 credits',
      '250 credits',
      '1,250 credits',
      '48 credits',
      'USD 5.76',
      'USD 0.12 per credit',
      'Paid, USD 5.76',
      'INV-2026-11-0042',
      'pack-2026-11-24',
      '21 h 38 min',
      'Highest day: Tue, Nov 24: 88 credits',
    ]) {
      expectBoth(email, needle);
    }
  });

  it('statement: the chart has one bar per day, in order, with its value', () => {
    const { daily, statement } = statementSample();
    const email = render('statement');
    const days = [...email.html.matchAll(/<tr data-day="([^"]+)">(.*?)<\/tr><\/table><\/td>/g)];
    expect(days.map((m) => m[1])).toEqual(daily.map((d) => d.date));
    expect(daily).toHaveLength(30);
    // The sample's days add up to the statement's usage.
    expect(daily.reduce((sum, d) => sum + BigInt(d.millicredits), 0n)).toBe(
      BigInt(statement.usedMillicredits),
    );
    const text = email.text.split('\n');
    for (const day of sampleDaily) {
      const label = new Date(`${day.date}T00:00:00Z`).toLocaleDateString('en-US', {
        timeZone: 'UTC',
        weekday: 'short',
        month: 'short',
        day: 'numeric',
      });
      const value = formatCreditAmount(day.millicredits).replace(/ credits?$/, '');
      expect(email.html).toContain(`${label}</th>`);
      expect(text.some((line) => line.startsWith(label) && line.endsWith(` ${value}`))).toBe(true);
    }
    // The highest day's bar is full width; a day without usage has no bar, only the track.
    expect(email.html).toMatch(/data-day="2026-11-24">.*?width="100%" style="width:100%;height/);
    expect(email.html).toMatch(/data-day="2026-11-08">.*?<tr><td width="100%" style="width:100%/);
  });

  it('statement without overage or purchases says there is nothing to pay', () => {
    const sample = statementSample();
    const email = renderEmail(
      {
        ...sample,
        statement: { ...sample.statement, overageMillicredits: '0', overageChargeMinor: '0' },
        purchases: [],
        invoice: { status: 'no_charge', amountMinor: '0', currency: 'USD', reference: null },
        daily: sample.daily.map((d) => ({ ...d, millicredits: '0' })),
      },
      sampleContext,
    );
    expectBoth(email, 'There is nothing to pay.');
    expectBoth(email, 'No charge, USD 0.00');
    expect(email.html).not.toContain('Highest day');
    expect(email.html).not.toContain('>Purchases</caption>');
    expect(render('statement').html).toContain('>Purchases</caption>');
  });

  it('receipt: credits added, purchase id, remaining, reset date', () => {
    const email = render('receipt');
    expect(email.subject).toBe('Receipt: 250 credits added to your account');
    for (const needle of [
      '250 credits',
      'pack-2026-11-24',
      'One-time',
      '237.5 credits',
      '81%',
      'Nov 24, 2026, 10:40 AM PST',
      'Dec 1, 2026 (in 7 days)',
    ]) {
      expectBoth(email, needle);
    }
  });

  it('payment failed: amount in JPY, reason, what happens next, dates in Tokyo', () => {
    const email = render('payment-failed');
    expect(email.subject).toBe('Payment failed: JPY 500 for your credits');
    for (const needle of [
      'JPY 500',
      'card_declined: insufficient funds',
      'What happens next:',
      'Nov 1 – Nov 30, 2026',
      'Dec 1, 2026, 9:05 AM GMT+9',
      'Update your payment method',
    ]) {
      expectBoth(email, needle);
    }
  });
});

describe('hostile values', () => {
  const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>&';
  const escaped = escapeHtml(hostile);

  function expectEscaped(email: RenderedEmail) {
    expect(email.html).not.toContain('<script');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain(escaped);
    expect(email.text).toContain(hostile);
  }

  it('in a purchase id (receipt and statement)', () => {
    const receipt = sampleFor('receipt');
    expectEscaped(renderEmail({ ...receipt.content, purchaseId: hostile }, receipt.context));
    const statement = statementSample();
    expectEscaped(
      renderEmail(
        { ...statement, purchases: [{ purchaseId: hostile, millicredits: '1000' }] },
        sampleContext,
      ),
    );
  });

  it('in a gateway reason, an invoice reference, a plan id and an account id', () => {
    const failed = sampleFor('payment-failed');
    expectEscaped(renderEmail({ ...failed.content, reason: hostile }, failed.context));
    const statement = statementSample();
    expectEscaped(
      renderEmail(
        {
          ...statement,
          invoice: { ...statement.invoice, reference: hostile },
          statement: { ...statement.statement, planId: hostile },
        },
        sampleContext,
      ),
    );
    const threshold = sampleFor('threshold');
    const email = renderEmail(threshold.content, { ...threshold.context, accountId: hostile });
    expectEscaped(email);
  });

  it('a line break in a value never reaches the subject', () => {
    const failed = sampleFor('payment-failed');
    const email = renderEmail({ ...failed.content, currency: 'JPY\r\nBcc: x' }, failed.context);
    expect(email.subject).toBe('Payment failed: JPY Bcc: x 500 (minor units) for your credits');
  });
});
