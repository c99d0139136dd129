/**
 * The billing page of one account, rendered from the `usage` query's reply: every number is the
 * reply's (formatted by format/, never recomputed), the money of the open cycle's
 * overage so far included. Forms post to the same origin and carry the session's CSRF token.
 */
import { escapeHtml } from '../../format/html.js';
import {
  formatCreditAmount,
  formatCreditNumber,
  formatDaysUntil,
  formatMoney,
  formatPercent,
  formatPrice,
} from '../../format/numbers.js';
import {
  formatCycle,
  formatInstantDate,
  formatLocalDate,
  formatLocalDay,
} from '../../format/dates.js';
import type { ClosedCycleView, UsageReply } from '../../contract/usage-reply.js';
import { chartDays, chartInputOf, chartSvg } from './chart.js';
import { renderPage } from './layout.js';

/** A one-time message after a Post/Redirect/Get, from the stored result (never the URL). */
export type PageNotice =
  | {
      kind: 'purchased';
      purchaseId: string;
      millicredits: string;
      recurring: boolean;
      /** The open cycle right after the purchase, as the update replied. */
      remainingMillicredits: string;
      availableMillicredits: string;
    }
  | { kind: 'cancelled'; purchaseId: string; cancelled: boolean };

export interface PurchaseFormState {
  credits: string;
  recurring: boolean;
  error: string | null;
}

export interface BillingPageInput {
  usage: UsageReply;
  csrfToken: string;
  /** The purchase id the form submits: generated at render, replayed by a resubmission. */
  purchaseId: string;
  /** A request id per cancel button, generated at render. */
  cancelRequestId: (purchaseId: string) => string;
  notice: PageNotice | null;
  form: PurchaseFormState;
  /** The URL path of the account's page, e.g. `/billing/acme`. */
  basePath: string;
  /** Largest purchase the form accepts (shown as a hint). */
  maxPurchaseMillicredits: string;
}

const TREND_WORDS = {
  up: 'Rising',
  down: 'Falling',
  flat: 'Steady',
  unknown: 'Not enough history yet',
} as const;

const INVOICE_STATUS = {
  no_charge: 'No charge',
  due: 'Due',
  paid: 'Paid',
  payment_failed: 'Payment failed',
} as const;

function figure(label: string, value: string, detail?: string, key?: string): string {
  // A sentence rather than a number (the peak days) reads better at body size.
  const long = value.length > 24 ? ' class="long"' : '';
  return (
    `<div${key ? ` data-figure="${escapeHtml(key)}"` : ''}><dt>${escapeHtml(label)}</dt>` +
    `<dd${long}>${escapeHtml(value)}${detail ? `<small>${escapeHtml(detail)}</small>` : ''}</dd></div>`
  );
}

function hiddenCsrf(token: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;
}

function noticeHtml(notice: PageNotice | null): string {
  if (notice === null) return '';
  if (notice.kind === 'purchased') {
    return (
      '<section class="notice" role="status" aria-labelledby="notice-title">' +
      '<h2 id="notice-title">Credits bought</h2>' +
      `<p data-notice="purchased">You bought ${escapeHtml(formatCreditAmount(notice.millicredits))}` +
      (notice.recurring ? ' every cycle' : '') +
      ` (purchase ${escapeHtml(notice.purchaseId)}). You now have ` +
      `<strong data-balance>${escapeHtml(formatCreditAmount(notice.remainingMillicredits))}</strong> ` +
      `remaining of ${escapeHtml(formatCreditAmount(notice.availableMillicredits))} available.</p>` +
      '</section>'
    );
  }
  return (
    '<section class="notice" role="status" aria-labelledby="notice-title">' +
    '<h2 id="notice-title">Recurring purchase</h2>' +
    `<p data-notice="cancelled">${
      notice.cancelled
        ? `Recurring purchase ${escapeHtml(notice.purchaseId)} is cancelled: it is not bought again at the next reset. Credits it already added stay.`
        : `Recurring purchase ${escapeHtml(notice.purchaseId)} was already cancelled.`
    }</p></section>`
  );
}

function overageDetail(usage: UsageReply): string | undefined {
  const c = usage.cycle;
  if (BigInt(c.overageMillicredits) === 0n) return undefined;
  return (
    `${formatMoney(c.overageChargeMinor, c.currency)} so far at ` +
    `${formatPrice(c.overagePriceMicros, c.currency)} a credit, charged at the reset`
  );
}

function summaryHtml(usage: UsageReply): string {
  const c = usage.cycle;
  const resetOn = formatInstantDate(c.end, usage.insights.timeZone);
  const figures = [
    figure('Used', formatCreditAmount(c.usedMillicredits), undefined, 'used'),
    figure('Remaining', formatCreditAmount(c.remainingMillicredits), undefined, 'remaining'),
    figure('Used of available', formatPercent(c.percentUsed), undefined, 'percent'),
    figure('Credits reset', formatDaysUntil(c.daysUntilReset), resetOn, 'reset'),
    figure(
      'Plan allowance',
      formatCreditAmount(c.allowanceMillicredits),
      `plan ${c.planId}`,
      'allowance',
    ),
    figure('Purchased', formatCreditAmount(c.purchasedMillicredits), undefined, 'purchased'),
    figure(
      'Available',
      formatCreditAmount(c.availableMillicredits),
      'allowance + purchased',
      'available',
    ),
    figure('Overage', formatCreditAmount(c.overageMillicredits), overageDetail(usage), 'overage'),
  ];
  return (
    '<section aria-labelledby="summary-title"><h2 id="summary-title">This cycle</h2>' +
    `<dl class="figures">${figures.join('')}</dl></section>`
  );
}

function alertsHtml(usage: UsageReply): string {
  const parts: string[] = [];
  if (usage.unpaidInvoices.length > 0) {
    const list = usage.unpaidInvoices
      .map(
        (i) =>
          `<li>${escapeHtml(formatMoney(i.amountMinor, i.currency))} for the cycle from ` +
          `${escapeHtml(formatInstantDate(i.cycleStart, usage.insights.timeZone))}` +
          `${i.error ? `: ${escapeHtml(i.error)}` : ''}</li>`,
      )
      .join('');
    parts.push(
      '<section class="warning" aria-labelledby="unpaid-title"><h2 id="unpaid-title">Payment failed</h2>' +
        `<p>We could not collect:</p><ul>${list}</ul></section>`,
    );
  }
  const upgrade = usage.insights.upgrade;
  if (upgrade !== null) {
    parts.push(
      '<section class="suggestion" aria-labelledby="upgrade-title" data-upgrade>' +
        '<h2 id="upgrade-title">Consider a larger plan</h2>' +
        // The core's message names the allowance that would cover the usage.
        `<p>${escapeHtml(upgrade.message)}</p>` +
        '<p>Contact us to change your plan.</p></section>',
    );
  }
  return parts.join('');
}

function patternsHtml(usage: UsageReply): string {
  const ins = usage.insights;
  const p = ins.projection;
  const peaks =
    ins.peakDays.length === 0
      ? 'No usage yet'
      : ins.peakDays
          .map((d) => `${formatLocalDay(d.date)}: ${formatCreditNumber(d.millicredits)}`)
          .join('; ');
  const trend = ins.trend;
  const trendDetail =
    trend.direction === 'unknown'
      ? 'needs 14 days of history'
      : `last 7 days ${formatCreditNumber(trend.last7DaysMillicredits)}, the 7 before ` +
        `${formatCreditNumber(trend.previous7DaysMillicredits)}` +
        (trend.changePercent === null
          ? ''
          : ` (${trend.changePercent > 0 ? '+' : ''}${trend.changePercent}%)`);
  const runsOut = p.runsOutOn === null ? 'Not before the reset' : formatLocalDate(p.runsOutOn);
  const figures = [
    figure('Average a day', formatCreditAmount(ins.averageDailyMillicredits), undefined, 'average'),
    figure('Peak days', peaks, undefined, 'peaks'),
    figure('Trend', TREND_WORDS[trend.direction], trendDetail, 'trend'),
    figure(
      'Projected at the reset',
      formatCreditAmount(p.expectedMillicredits),
      `likely ${formatCreditNumber(p.lowMillicredits)} to ${formatCreditNumber(p.highMillicredits)}` +
        (p.method === 'linear' ? ', from the average so far' : ', by weekday'),
      'projection',
    ),
    figure(
      'Credits run out',
      runsOut,
      p.runsOutOn === null ? undefined : 'at the expected rate',
      'runs-out',
    ),
  ];
  return (
    '<section aria-labelledby="patterns-title"><h2 id="patterns-title">Your usage</h2>' +
    `<dl class="figures">${figures.join('')}</dl></section>`
  );
}

function chartHtml(usage: UsageReply): string {
  const input = chartInputOf(usage);
  const rows = chartDays(input)
    .filter((d) => d.millicredits !== null)
    .map(
      (d) =>
        `<tr data-day="${escapeHtml(d.date)}"><th scope="row">${escapeHtml(formatLocalDay(d.date))}</th>` +
        `<td class="num">${escapeHtml(formatCreditNumber(d.millicredits ?? '0'))}</td>` +
        `<td class="num">${escapeHtml(formatCreditNumber(d.totalMillicredits ?? '0'))}</td></tr>`,
    )
    .join('');
  const legend = [
    '<li><span class="swatch bar"></span>Credits used so far (running total)</li>',
    '<li><span class="swatch line"></span>Available credits</li>',
    usage.cycle.allowanceMillicredits !== usage.cycle.availableMillicredits
      ? '<li><span class="swatch allowance"></span>Plan allowance</li>'
      : '',
    '<li><span class="swatch range"></span>Projected range to the reset</li>',
    '<li><span class="swatch expected"></span>Expected</li>',
  ].join('');
  return (
    '<section aria-labelledby="chart-title"><h2 id="chart-title">Daily usage this cycle</h2>' +
    `<figure>${chartSvg(input)}</figure>` +
    `<ul class="legend" aria-hidden="true">${legend}</ul>` +
    '<details><summary>Daily usage as a table</summary><div class="table-wrap"><table>' +
    '<caption>Credits used each day of this cycle</caption>' +
    '<thead><tr><th scope="col">Day</th><th scope="col" class="num">Used that day</th>' +
    '<th scope="col" class="num">Total so far</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div></details></section>`
  );
}

function purchaseFormHtml(input: BillingPageInput): string {
  const { form } = input;
  const error = form.error;
  return (
    '<section aria-labelledby="buy-title"><h2 id="buy-title">Buy credits</h2>' +
    `<form method="post" action="${escapeHtml(input.basePath)}/purchases" novalidate>` +
    hiddenCsrf(input.csrfToken) +
    `<input type="hidden" name="purchaseId" value="${escapeHtml(input.purchaseId)}">` +
    '<label for="credits">Credits to buy' +
    `<span class="hint" id="credits-hint">A number such as 100 or 12.5, at most ${escapeHtml(formatCreditNumber(input.maxPurchaseMillicredits))}. ` +
    'Credits are added to this cycle at once.</span></label>' +
    (error ? `<p class="error" id="credits-error">${escapeHtml(error)}</p>` : '') +
    `<input type="text" id="credits" name="credits" inputmode="decimal" autocomplete="off" required ` +
    `value="${escapeHtml(form.credits)}" aria-describedby="credits-hint${error ? ' credits-error' : ''}"` +
    `${error ? ' aria-invalid="true"' : ''}>` +
    `<label class="check"><input type="checkbox" name="recurring" value="yes"${form.recurring ? ' checked' : ''}>` +
    '<span>Buy this amount again at every reset (a recurring purchase you can cancel)</span></label>' +
    '<button type="submit">Buy credits</button></form></section>'
  );
}

function recurringHtml(input: BillingPageInput): string {
  const list = input.usage.recurringPurchases;
  const body =
    list.length === 0
      ? '<p>You have no recurring purchases.</p>'
      : '<div class="table-wrap"><table><caption>Bought again at every reset</caption><thead><tr>' +
        '<th scope="col">Purchase</th><th scope="col" class="num">Credits each cycle</th>' +
        '<th scope="col">Action</th></tr></thead><tbody>' +
        list
          .map(
            (r) =>
              `<tr data-recurring="${escapeHtml(r.purchaseId)}"><th scope="row">${escapeHtml(r.purchaseId)}</th>` +
              `<td class="num">${escapeHtml(formatCreditNumber(r.millicredits))}</td><td>` +
              `<form method="post" action="${escapeHtml(input.basePath)}/purchases/${encodeURIComponent(r.purchaseId)}/cancel">` +
              hiddenCsrf(input.csrfToken) +
              `<input type="hidden" name="requestId" value="${escapeHtml(input.cancelRequestId(r.purchaseId))}">` +
              `<button type="submit" class="secondary" aria-label="Cancel recurring purchase ${escapeHtml(r.purchaseId)}">Cancel</button>` +
              '</form></td></tr>',
          )
          .join('') +
        '</tbody></table></div>';
  return (
    '<section aria-labelledby="recurring-title"><h2 id="recurring-title">Recurring purchases</h2>' +
    `${body}</section>`
  );
}

function statementRow(s: ClosedCycleView, timeZone: string): string {
  const charge =
    s.overageChargeMinor === null ? '—' : formatMoney(s.overageChargeMinor, s.currency);
  const status = s.invoice === null ? 'Being invoiced' : INVOICE_STATUS[s.invoice.status];
  return (
    `<tr data-statement="${s.index}"><th scope="row">${escapeHtml(formatCycle(s.start, s.end, timeZone))}</th>` +
    `<td class="num">${escapeHtml(formatCreditNumber(s.usedMillicredits))}</td>` +
    `<td class="num">${escapeHtml(formatCreditNumber(s.availableMillicredits))}</td>` +
    `<td class="num">${escapeHtml(formatCreditNumber(s.overageMillicredits))}</td>` +
    `<td class="num">${escapeHtml(charge)}</td><td>${escapeHtml(status)}</td></tr>`
  );
}

function statementsHtml(usage: UsageReply): string {
  const tz = usage.insights.timeZone;
  const grace = usage.inGrace;
  const graceNote =
    grace === null
      ? ''
      : `<p>The cycle ${escapeHtml(formatCycle(grace.start, grace.end, tz))} is closing: late calls ` +
        `can still be added (used so far ${escapeHtml(formatCreditAmount(grace.usedMillicredits))}).</p>`;
  const body =
    usage.closedCycles.length === 0
      ? '<p>No closed cycles yet.</p>'
      : '<div class="table-wrap"><table><caption>Closed cycles, newest first</caption><thead><tr>' +
        '<th scope="col">Cycle</th><th scope="col" class="num">Used</th>' +
        '<th scope="col" class="num">Available</th><th scope="col" class="num">Overage</th>' +
        '<th scope="col" class="num">Charged</th><th scope="col">Invoice</th></tr></thead><tbody>' +
        usage.closedCycles
          .slice(0, 6)
          .map((s) => statementRow(s, tz))
          .join('') +
        '</tbody></table></div>';
  return (
    '<section aria-labelledby="statements-title"><h2 id="statements-title">Statements</h2>' +
    `${graceNote}${body}</section>`
  );
}

/** The account's billing page. */
export function renderBillingPage(input: BillingPageInput): string {
  const { usage } = input;
  const period = formatCycle(usage.cycle.start, usage.cycle.end, usage.insights.timeZone);
  const body = [
    noticeHtml(input.notice),
    summaryHtml(usage),
    alertsHtml(usage),
    patternsHtml(usage),
    chartHtml(usage),
    purchaseFormHtml(input),
    recurringHtml(input),
    statementsHtml(usage),
    `<p>Figures as of ${escapeHtml(formatInstantDate(usage.asOf, usage.insights.timeZone))}` +
      (usage.pendingEvents > 0 ? `; ${usage.pendingEvents} calls are still being counted` : '') +
      `. Dates are in ${escapeHtml(usage.insights.timeZone)}.</p>`,
  ].join('');
  return renderPage({
    title: `Billing for ${usage.accountId}`,
    heading: `Billing for ${usage.accountId}`,
    subheading: `Cycle ${period}`,
    body,
  });
}
