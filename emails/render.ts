/**
 * The customer emails: one template per notification kind, each describing its email as a
 * document the shared layout renders to HTML and plain text. Templates only format the figures
 * the content carries; they never recompute billing numbers.
 */
import type { EmailContext, RenderedEmail } from './email.js';
import type { NotificationContent, UsageFigures } from '../billing/notification-content.js';
import {
  formatCreditAmount,
  formatDaysUntil,
  formatDuration,
  formatMoney,
  formatPercent,
  formatPrice,
} from '../format/numbers.js';
import { formatCycle, formatInstantDateTime, formatLocalDate } from '../format/dates.js';
import { renderDocument } from './layout.js';
import type { EmailDocument, Figure, Section } from './layout.js';

type Content<K extends NotificationContent['kind']> = Extract<NotificationContent, { kind: K }>;

const perCredit = (priceMicros: string, currency: string) =>
  `${formatPrice(priceMicros, currency)} per credit`;

function resetsOn(usage: UsageFigures): string {
  return `${formatLocalDate(usage.resetOn)} (${formatDaysUntil(usage.daysUntilReset)})`;
}

/** The open cycle's figures, as every usage email shows them. */
function usageSection(usage: UsageFigures, ctx: EmailContext, title = 'This cycle'): Section {
  const overage = BigInt(usage.overageMillicredits) > 0n;
  const rows: Figure[] = [
    {
      label: 'Used',
      value: formatCreditAmount(usage.usedMillicredits),
      detail: `${formatPercent(usage.percentUsed)} of available`,
    },
    { label: 'Remaining', value: formatCreditAmount(usage.remainingMillicredits) },
    { label: 'Available', value: formatCreditAmount(usage.availableMillicredits) },
    { label: 'Plan allowance', value: formatCreditAmount(usage.allowanceMillicredits) },
    { label: 'Purchased credits', value: formatCreditAmount(usage.purchasedMillicredits) },
    ...(overage
      ? [
          {
            label: 'Overage so far',
            value: formatCreditAmount(usage.overageMillicredits),
            detail: `at ${perCredit(usage.overagePriceMicros, usage.currency)}`,
          },
        ]
      : []),
    { label: 'Credits reset on', value: resetsOn(usage) },
    { label: 'Cycle', value: formatCycle(usage.cycleStart, usage.cycleEnd, ctx.timeZone) },
    { label: 'Plan', value: usage.planId },
  ];
  return { type: 'figures', title, rows };
}

const BUY_CREDITS = 'Buy credits or change your plan';

/** What a customer can do before (or about) overage. */
function overageAdvice(usage: UsageFigures): Section {
  return {
    type: 'paragraph',
    text:
      'Calls keep working beyond your available credits and are billed as overage at ' +
      `${perCredit(usage.overagePriceMicros, usage.currency)}. Buying credits or moving to a ` +
      'larger plan avoids it.',
  };
}

function threshold(content: Content<'threshold'>, ctx: EmailContext): EmailDocument {
  const { usage } = content;
  const percent = `${content.thresholdPercent}%`;
  return {
    subject: `You have used ${percent} of your credits`,
    summary: [
      'You have used ',
      { strong: percent },
      ' of your available credits this cycle: ',
      { strong: formatCreditAmount(usage.usedMillicredits) },
      ` of ${formatCreditAmount(usage.availableMillicredits)}. Your credits reset on `,
      { strong: formatLocalDate(usage.resetOn) },
      ` (${formatDaysUntil(usage.daysUntilReset)}).`,
    ],
    sections: [usageSection(usage, ctx), overageAdvice(usage)],
    action: BUY_CREDITS,
  };
}

function exhausted(content: Content<'exhausted'>, ctx: EmailContext): EmailDocument {
  const { usage } = content;
  const price = perCredit(usage.overagePriceMicros, usage.currency);
  return {
    subject: `Your credits are used up: further calls are billed as overage at ${price}`,
    summary: [
      usage.availableMillicredits === '0'
        ? 'Your plan includes no credits this cycle, so your calls are billed as overage at '
        : `You have used all ${formatCreditAmount(usage.availableMillicredits)} available this ` +
          'cycle. Further calls are billed as overage at ',
      { strong: price },
      ' until your credits reset on ',
      { strong: formatLocalDate(usage.resetOn) },
      ` (${formatDaysUntil(usage.daysUntilReset)}).`,
    ],
    sections: [
      usageSection(usage, ctx),
      {
        type: 'paragraph',
        text:
          'Your calls are not interrupted. Overage is charged with the statement at the end of ' +
          'the cycle; buying credits now covers the calls that follow.',
      },
    ],
    action: BUY_CREDITS,
  };
}

function projection(content: Content<'projection'>, ctx: EmailContext): EmailDocument {
  const { usage, projection: p } = content;
  const runsOut = formatLocalDate(p.runsOutOn);
  return {
    subject: `At this pace you run out of credits on ${runsOut}`,
    summary: [
      `At your current pace (about ${formatCreditAmount(p.averageDailyMillicredits)} a day on ` +
        'average, busier on some weekdays), you run out of credits on ',
      { strong: runsOut },
      `, before they reset on ${formatLocalDate(usage.resetOn)}. By the reset you are expected ` +
        'to use ',
      { strong: formatCreditAmount(p.expectedMillicredits) },
      ` (between ${formatCreditAmount(p.lowMillicredits)} and ` +
        `${formatCreditAmount(p.highMillicredits)}) of ` +
        `${formatCreditAmount(usage.availableMillicredits)} available.`,
    ],
    sections: [
      {
        type: 'figures',
        title: 'Projection for this cycle',
        rows: [
          { label: 'Credits run out on', value: runsOut },
          { label: 'Expected use by the reset', value: formatCreditAmount(p.expectedMillicredits) },
          {
            label: 'Likely range',
            value: `${formatCreditAmount(p.lowMillicredits)} to ${formatCreditAmount(p.highMillicredits)}`,
          },
          { label: 'Average a day', value: formatCreditAmount(p.averageDailyMillicredits) },
        ],
      },
      usageSection(usage, ctx, 'So far'),
      overageAdvice(usage),
    ],
    action: BUY_CREDITS,
  };
}

const INVOICE_STATUS: Record<Content<'statement'>['invoice']['status'], string> = {
  no_charge: 'No charge',
  due: 'Due',
  paid: 'Paid',
  payment_failed: 'Payment failed',
};

function statement(content: Content<'statement'>, ctx: EmailContext): EmailDocument {
  const { statement: s, invoice, purchases } = content;
  const period = formatCycle(s.start, s.end, ctx.timeZone);
  const charged = formatMoney(s.overageChargeMinor, s.currency);
  const invoiceAmount = formatMoney(invoice.amountMinor, invoice.currency);
  const owed: Record<typeof invoice.status, string> = {
    no_charge: 'There is nothing to pay.',
    due: `The invoice of ${invoiceAmount} is due.`,
    paid: `The invoice of ${invoiceAmount} is paid.`,
    payment_failed: `The payment of the invoice of ${invoiceAmount} failed.`,
  };
  const overage = BigInt(s.overageMillicredits) > 0n;
  return {
    subject: `Your credit statement for ${period}`,
    summary: [
      `Your cycle ${period} has closed. You used `,
      { strong: formatCreditAmount(s.usedMillicredits) },
      ` of the ${formatCreditAmount(s.availableMillicredits)} available` +
        (overage ? '; the overage of ' : '. '),
      ...(overage
        ? [
            { strong: formatCreditAmount(s.overageMillicredits) },
            ' comes to ',
            { strong: charged },
            '. ',
          ]
        : []),
      owed[invoice.status],
    ],
    sections: [
      {
        type: 'figures',
        title: 'Summary',
        rows: [
          { label: 'Period', value: period },
          { label: 'Plan', value: s.planId },
          { label: 'Used', value: formatCreditAmount(s.usedMillicredits) },
          { label: 'Plan allowance', value: formatCreditAmount(s.allowanceMillicredits) },
          { label: 'Purchased credits', value: formatCreditAmount(s.purchasedMillicredits) },
          { label: 'Available', value: formatCreditAmount(s.availableMillicredits) },
          {
            label: 'Overage',
            value: formatCreditAmount(s.overageMillicredits),
            detail: `at ${perCredit(s.overagePriceMicros, s.currency)}`,
          },
          { label: 'Overage charged', value: charged },
          {
            label: 'Invoice',
            value: `${INVOICE_STATUS[invoice.status]}, ${invoiceAmount}`,
            ...(invoice.reference === null ? {} : { detail: `ref. ${invoice.reference}` }),
          },
          { label: 'Billable call time', value: formatDuration(s.billableSeconds) },
          ...(s.lateAdjustments > 0
            ? [{ label: 'Late calls counted', value: String(s.lateAdjustments) }]
            : []),
        ],
      },
      ...(purchases.length > 0
        ? [
            {
              type: 'figures' as const,
              title: 'Purchases',
              rows: purchases.map((p) => ({
                label: p.purchaseId === '' ? '(no id)' : p.purchaseId,
                value: formatCreditAmount(p.millicredits),
              })),
            },
          ]
        : []),
      { type: 'chart', title: `Daily usage in credits, ${period}`, daily: content.daily },
    ],
    action:
      invoice.status === 'payment_failed' ? 'Update your payment method' : 'View your invoices',
  };
}

function receipt(content: Content<'receipt'>, ctx: EmailContext): EmailDocument {
  const { usage } = content;
  const amount = formatCreditAmount(content.millicredits);
  return {
    subject: `Receipt: ${amount} added to your account`,
    summary: [
      'Thank you for your purchase of ',
      { strong: amount },
      content.recurring
        ? '. They were added to this cycle and will be added again at the start of every cycle ' +
          'until you cancel. You now have '
        : '. They were added to this cycle. You now have ',
      { strong: formatCreditAmount(usage.remainingMillicredits) },
      ' remaining until your credits reset on ',
      { strong: formatLocalDate(usage.resetOn) },
      '.',
    ],
    sections: [
      {
        type: 'figures',
        title: 'Purchase',
        rows: [
          { label: 'Credits', value: amount },
          {
            label: 'Purchase id',
            value: content.purchaseId === '' ? '(none)' : content.purchaseId,
          },
          {
            label: 'Type',
            value: content.recurring ? 'Recurring, every cycle until cancelled' : 'One-time',
          },
          { label: 'Date', value: formatInstantDateTime(content.at, ctx.timeZone) },
        ],
      },
      usageSection(usage, ctx),
      {
        type: 'paragraph',
        text: 'Purchased credits expire at the end of the cycle they are added to, like the allowance.',
      },
    ],
    action: 'Open your billing page',
  };
}

function paymentFailed(content: Content<'payment-failed'>, ctx: EmailContext): EmailDocument {
  const amount = formatMoney(content.amountMinor, content.currency);
  const period = formatCycle(content.cycleStart, content.cycleEnd, ctx.timeZone);
  return {
    subject: `Payment failed: ${amount} for your credits`,
    summary: [
      'We could not charge ',
      { strong: amount },
      ` for the overage of your cycle ${period}.`,
    ],
    sections: [
      { type: 'notice', title: 'Reason given by the payment provider', text: content.reason },
      {
        type: 'figures',
        title: 'Payment',
        rows: [
          { label: 'Amount', value: amount },
          { label: 'Cycle', value: period },
          { label: 'Attempt', value: String(content.attempt) },
          { label: 'Failed at', value: formatInstantDateTime(content.at, ctx.timeZone) },
        ],
      },
      {
        type: 'paragraph',
        text: [
          { strong: 'What happens next: ' },
          'your calls are not interrupted, and the invoice stays open until it is paid. Please ' +
            'check or update your payment method on your billing page; the payment is then ' +
            'tried again.',
        ],
      },
    ],
    action: 'Update your payment method',
  };
}

const templates: {
  [K in NotificationContent['kind']]: (content: Content<K>, ctx: EmailContext) => EmailDocument;
} = {
  threshold,
  exhausted,
  projection,
  statement,
  receipt,
  'payment-failed': paymentFailed,
};

/** The email for a notification: subject, plain text and HTML. */
export function renderEmail(content: NotificationContent, ctx: EmailContext): RenderedEmail {
  const template = templates[content.kind] as (
    content: NotificationContent,
    ctx: EmailContext,
  ) => EmailDocument;
  return renderDocument(template(content, ctx), ctx);
}
