import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  renderAccessPage,
  renderLinkRequestedPage,
} from '../../../web/billing-page/access-pages.js';
import { CONTENT_SECURITY_POLICY } from '../../../web/billing-page/layout.js';
import { renderBillingPage, type BillingPageInput } from '../../../web/billing-page/page.js';
import { sampleUsage } from './sample-usage.js';

function input(overrides: Partial<BillingPageInput> = {}): BillingPageInput {
  return {
    usage: sampleUsage(),
    csrfToken: 'csrf-token-of-the-session',
    purchaseId: 'web-purchase-1',
    cancelRequestId: (id) => `cancel-of-${id}`,
    notice: null,
    form: { credits: '', recurring: false, error: null },
    basePath: '/billing/acme%20%3Ceu%3E',
    maxPurchaseMillicredits: '1000000000',
    ...overrides,
  };
}

/** The text of the element holding `data-figure="key"`, tags stripped. */
function figure(html: string, key: string): string {
  const m = new RegExp(`<div data-figure="${key}">(.*?)</div>`).exec(html);
  return (m?.[1] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the billing page', () => {
  it('shows the cycle figures from the usage reply, formatted', () => {
    const html = renderBillingPage(input());
    expect(figure(html, 'used')).toBe('Used 1,300 credits');
    expect(figure(html, 'remaining')).toBe('Remaining 0 credits');
    expect(figure(html, 'percent')).toBe('Used of available 104%');
    expect(figure(html, 'reset')).toBe('Credits reset in 19 days Dec 1, 2026');
    expect(figure(html, 'allowance')).toBe('Plan allowance 1,000 credits plan growth');
    expect(figure(html, 'purchased')).toBe('Purchased 250 credits');
    expect(figure(html, 'available')).toBe('Available 1,250 credits allowance + purchased');
    // 50 credits at USD 0.12: the reply's charge so far, USD 6.00.
    expect(figure(html, 'overage')).toBe(
      'Overage 50 credits USD 6.00 so far at USD 0.12 a credit, charged at the reset',
    );
  });

  it('shows the usage patterns and the upgrade suggestion from the insights', () => {
    const html = renderBillingPage(input());
    expect(figure(html, 'average')).toBe('Average a day 108.333 credits');
    expect(figure(html, 'peaks')).toBe(
      'Peak days Wed, Nov 11: 160; Thu, Nov 5: 150; Mon, Nov 9: 140',
    );
    expect(figure(html, 'trend')).toBe('Trend Rising last 7 days 850, the 7 before 700 (+21%)');
    expect(figure(html, 'projection')).toBe(
      'Projected at the reset 3,250 credits likely 2,900 to 3,600, by weekday',
    );
    expect(figure(html, 'runs-out')).toBe('Credits run out Not before the reset');
    expect(html).toContain('data-upgrade');
    expect(html).toContain('Your usage was above your allowance in each of the last 2 cycles.');
    const none = renderBillingPage(
      input({ usage: sampleUsage({ insights: { ...sampleUsage().insights, upgrade: null } }) }),
    );
    expect(none).not.toContain('data-upgrade');
  });

  it('lists the statements with their invoice status, and the recurring purchases', () => {
    const html = renderBillingPage(input());
    const row = /<tr data-statement="2">(.*?)<\/tr>/.exec(html)![1]!.replace(/<[^>]+>/g, '|');
    expect(row.split('|').filter(Boolean)).toEqual([
      'Oct 1 – Oct 31, 2026',
      '1,048',
      '1,000',
      '48',
      'USD 5.76',
      'Paid',
    ]);
    expect(html).toContain('action="/billing/acme%20%3Ceu%3E/purchases/auto-200/cancel"');
    expect(html).toContain('name="requestId" value="cancel-of-auto-200"');
  });

  it('puts the CSRF token in every form that posts to the account, and runs no script', () => {
    const html = renderBillingPage(input());
    const forms = html.match(/<form [^]*?<\/form>/g) ?? [];
    expect(forms).toHaveLength(2);
    for (const form of forms) {
      expect(form).toContain('<input type="hidden" name="csrf" value="csrf-token-of-the-session">');
    }
    expect(forms[0]).toContain('<input type="hidden" name="purchaseId" value="web-purchase-1">');
    expect(forms[0]).toContain('at most 1,000,000.');
    expect(html).not.toMatch(/<script|onclick|javascript:/i);
  });

  it('escapes what it interpolates', () => {
    const html = renderBillingPage(input());
    expect(html).toContain('<h1>Billing for acme &lt;eu&gt;</h1>');
    expect(html).not.toContain('acme <eu>');
  });

  it('shows a form error inline, tied to its field', () => {
    const html = renderBillingPage(
      input({ form: { credits: '12,5"', recurring: true, error: 'Enter a number of credits.' } }),
    );
    expect(html).toContain('<p class="error" id="credits-error">Enter a number of credits.</p>');
    expect(html).toMatch(/aria-describedby="credits-hint credits-error" aria-invalid="true"/);
    expect(html).toContain('value="12,5&quot;"');
    expect(html).toMatch(/name="recurring" value="yes" checked/);
  });

  it('shows the purchase notice with the balance the update returned', () => {
    const html = renderBillingPage(
      input({
        notice: {
          kind: 'purchased',
          purchaseId: 'web-purchase-0',
          millicredits: '25000',
          recurring: false,
          remainingMillicredits: '75500',
          availableMillicredits: '35000',
        },
      }),
    );
    expect(html).toContain('role="status"');
    expect(html).toContain('<strong data-balance>75.5 credits</strong>');
  });

  it('allows exactly its own stylesheet in the Content-Security-Policy', () => {
    const html = renderBillingPage(input());
    const css = /<style>([^]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(css).digest('base64');
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src 'sha256-${hash}'`);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
  });
});

describe('the access pages', () => {
  it('explain the refusal and offer the link-request form', () => {
    for (const problem of ['no-session', 'expired', 'invalid', 'other-account'] as const) {
      const html = renderAccessPage(problem);
      expect(html).toContain(`data-problem="${problem}"`);
      expect(html).toContain('<form method="post" action="/billing/link-requests">');
    }
    expect(renderAccessPage('expired')).toContain('This link has expired');
  });

  it('answer a link request the same way, whatever the address', () => {
    expect(renderLinkRequestedPage()).toContain('If the address is ours, a link is on its way');
  });
});
