/**
 * Which customer emails the ledger's changes call for, and what they say (pure; the account
 * workflow calls it after every change and hands the notices to the outbox).
 *
 * - `threshold`: every firing of a plan threshold (BILLING-RULES.md section 7), one notice per
 *   firing, keyed by the percent and numbered by its firings in the cycle. A threshold of exactly
 *   100% is the moment the credits run out, so its firing is told by the `exhausted` email.
 * - `exhausted`: the credits ran out (used >= available, and something used): usage from here on is
 *   overage. Armed and re-armed like a threshold: a purchase or an upgrade that brings usage below
 *   the available credits re-arms it, and running out again is a new firing.
 * - `projection`: once per cycle, when the expected projection runs out before the reset.
 *
 * Only the open cycle alerts: a booking into a cycle in grace changes nothing here.
 */
import type { NotificationContent, UsageFigures } from './notification-content.js';
import { localDateOf } from './calendar.js';
import type { InvoiceOutcome } from './invoice.js';
import {
  availableOf,
  billedUsedOf,
  openCycle,
  type CycleAddition,
  type CycleStatement,
  type LedgerEffect,
  type LedgerState,
} from './ledger.js';
import { openCycleUsage } from './usage.js';
import { formatInstant, type EpochMs } from './units.js';

type StatementContent = Extract<NotificationContent, { kind: 'statement' }>;

/** What the workflow keeps between changes to number firings and re-arm `exhausted`. */
export interface AlertingState {
  cycleIndex: number;
  /** Firings so far in the cycle, by threshold percent. */
  thresholdFirings: Record<string, number>;
  exhaustedArmed: boolean;
  exhaustedFirings: number;
  projectionSent: boolean;
  /** When the projection was last checked (epoch ms; 0 for never). */
  projectionCheckedAt: number;
}

/** One email to send: its outbox key and its content. */
export interface Notice {
  cycleStart: EpochMs;
  key: string;
  firing: number;
  content: NotificationContent;
}

export function newAlertingState(cycleIndex: number): AlertingState {
  return {
    cycleIndex,
    thresholdFirings: {},
    exhaustedArmed: true,
    exhaustedFirings: 0,
    projectionSent: false,
    projectionCheckedAt: 0,
  };
}

/** The open cycle's figures as of the ledger's `now`, as every usage email shows them. */
export function usageFigures(ledger: LedgerState): UsageFigures {
  const usage = openCycleUsage(ledger);
  return {
    cycleStart: usage.start,
    cycleEnd: usage.end,
    resetOn: localDateOf(openCycle(ledger).end, ledger.calendar.timeZone),
    daysUntilReset: usage.daysUntilReset,
    allowanceMillicredits: usage.allowanceMillicredits,
    purchasedMillicredits: usage.purchasedMillicredits,
    availableMillicredits: usage.availableMillicredits,
    usedMillicredits: usage.usedMillicredits,
    remainingMillicredits: usage.remainingMillicredits,
    overageMillicredits: usage.overageMillicredits,
    percentUsed: usage.percentUsed,
    planId: usage.planId,
    currency: usage.currency,
    overagePriceMicros: usage.overagePriceMicros,
  };
}

/**
 * The threshold and `exhausted` notices one change calls for, given the effects it produced;
 * updates `alerting` in place (a new cycle starts it afresh).
 */
export function alertNotices(
  alerting: AlertingState,
  ledger: LedgerState,
  effects: readonly LedgerEffect[],
): Notice[] {
  const cycle = openCycle(ledger);
  if (alerting.cycleIndex !== cycle.index) Object.assign(alerting, newAlertingState(cycle.index));
  const notices: Notice[] = [];
  let figures: UsageFigures | undefined;
  const usage = () => (figures ??= usageFigures(ledger));
  for (const effect of effects) {
    if (effect.type !== 'alert' || effect.cycleIndex !== cycle.index) continue;
    if (effect.thresholdPercent === 100) continue;
    const key = String(effect.thresholdPercent);
    const firing = (alerting.thresholdFirings[key] ?? 0) + 1;
    alerting.thresholdFirings[key] = firing;
    notices.push({
      cycleStart: cycle.start,
      key,
      firing,
      content: {
        kind: 'threshold',
        thresholdPercent: effect.thresholdPercent,
        at: formatInstant(effect.at),
        usage: usage(),
      },
    });
  }
  // Written-off credits are not charged: the credits run out when the billed usage reaches them.
  const used = billedUsedOf(cycle);
  const runOut = used > 0n && used >= availableOf(cycle);
  if (runOut && alerting.exhaustedArmed) {
    alerting.exhaustedArmed = false;
    alerting.exhaustedFirings += 1;
    // Told where the 100% threshold would be: after the thresholds below it, before those above.
    const above = notices.findIndex(
      (n) => n.content.kind === 'threshold' && n.content.thresholdPercent > 100,
    );
    notices.splice(above < 0 ? notices.length : above, 0, {
      cycleStart: cycle.start,
      key: 'credits',
      firing: alerting.exhaustedFirings,
      content: { kind: 'exhausted', at: formatInstant(ledger.now), usage: usage() },
    });
  } else if (!runOut) {
    alerting.exhaustedArmed = true;
  }
  return notices;
}

/** What the projection notice needs from the insights (billing/insights.ts). */
export interface ProjectionInsight {
  averageDailyMillicredits: string;
  projection: {
    lowMillicredits: string;
    expectedMillicredits: string;
    highMillicredits: string;
    observedDays: number;
    runsOutOn: string | null;
  };
}

/** Complete days of usage a projection needs before it may warn a customer. */
export const PROJECTION_ALERT_MIN_DAYS = 3;

/** The projection moves slowly: it is checked at most once an hour of ledger time. */
export const PROJECTION_CHECK_INTERVAL_MS = 3_600_000;

/** True when the projection alert may still fire this cycle and was not checked in the last hour. */
export function projectionDue(alerting: AlertingState, ledger: LedgerState): boolean {
  const fresh = alerting.cycleIndex !== openCycle(ledger).index;
  if (!fresh && alerting.projectionSent) return false;
  return fresh || ledger.now - alerting.projectionCheckedAt >= PROJECTION_CHECK_INTERVAL_MS;
}

/**
 * The projection notice, once per cycle: the expected usage runs out before the reset, the credits
 * have not run out yet (the `exhausted` email tells that), and the projection rests on at least
 * {@link PROJECTION_ALERT_MIN_DAYS} complete days.
 */
export function projectionNotice(
  alerting: AlertingState,
  ledger: LedgerState,
  insight: ProjectionInsight,
): Notice | null {
  const cycle = openCycle(ledger);
  if (alerting.cycleIndex !== cycle.index) Object.assign(alerting, newAlertingState(cycle.index));
  const { projection } = insight;
  alerting.projectionCheckedAt = ledger.now;
  if (alerting.projectionSent || projection.runsOutOn === null) return null;
  if (projection.observedDays < PROJECTION_ALERT_MIN_DAYS) return null;
  if (billedUsedOf(cycle) >= availableOf(cycle)) return null;
  alerting.projectionSent = true;
  return {
    cycleStart: cycle.start,
    key: 'expected',
    firing: 1,
    content: {
      kind: 'projection',
      at: formatInstant(ledger.now),
      usage: usageFigures(ledger),
      projection: {
        lowMillicredits: projection.lowMillicredits,
        expectedMillicredits: projection.expectedMillicredits,
        highMillicredits: projection.highMillicredits,
        runsOutOn: projection.runsOutOn,
        averageDailyMillicredits: insight.averageDailyMillicredits,
      },
    },
  };
}

/** The receipt for a purchase just applied to the open cycle. */
export function receiptNotice(
  ledger: LedgerState,
  purchase: { purchaseId: string; millicredits: string; recurring: boolean },
): Notice {
  return {
    cycleStart: openCycle(ledger).start,
    key: purchase.purchaseId,
    firing: 1,
    content: {
      kind: 'receipt',
      at: formatInstant(ledger.now),
      ...purchase,
      usage: usageFigures(ledger),
    },
  };
}

/**
 * The purchased credits a statement email lists, in the order added: purchases under their id,
 * auto top-ups as `auto top-up <n>`. Grants are free credits, not purchases.
 */
function purchasesListed(additions: readonly CycleAddition[]): StatementContent['purchases'] {
  return additions.flatMap((a) => {
    if (a.source === 'grant') return [];
    const purchaseId = a.source === 'purchase' ? a.id : `auto top-up ${a.id}`;
    return [{ purchaseId, millicredits: a.millicredits }];
  });
}

/** A closed cycle's statement email, once its invoice has an outcome. */
export function statementNotice(
  statement: CycleStatement,
  additions: readonly CycleAddition[],
  invoice: InvoiceOutcome,
  daily: StatementContent['daily'],
): Notice {
  return {
    cycleStart: statement.start,
    key: 'statement',
    firing: 1,
    content: {
      kind: 'statement',
      statement: {
        index: statement.index,
        start: formatInstant(statement.start),
        end: formatInstant(statement.end),
        planId: statement.planId,
        currency: statement.currency,
        overagePriceMicros: statement.overagePriceMicros,
        allowanceMillicredits: statement.allowanceMillicredits,
        purchasedMillicredits: statement.purchasedMillicredits,
        availableMillicredits: statement.availableMillicredits,
        usedMillicredits: statement.usedMillicredits,
        billableSeconds: statement.billableSeconds,
        lateAdjustments: statement.lateAdjustments,
        overageMillicredits: statement.overageMillicredits,
        // The amount invoiced: the core's charge for the cycle.
        overageChargeMinor: invoice.amountMinor,
      },
      purchases: purchasesListed(additions),
      invoice: {
        status: invoice.status,
        amountMinor: invoice.amountMinor,
        currency: invoice.currency,
        reference: invoice.reference,
      },
      daily,
    },
  };
}

/**
 * A declined charge (at the cycle's close, or a retry), from the invoice it left: one email per
 * payment attempt. `cycleEnd` is the end of the invoice's cycle.
 */
export function paymentFailedNotice(
  at: EpochMs,
  invoice: InvoiceOutcome,
  cycleEnd: EpochMs,
): Notice {
  const cycleStart = Date.parse(invoice.cycleStart);
  return {
    cycleStart,
    key: 'attempt',
    firing: invoice.attempt,
    content: {
      kind: 'payment-failed',
      at: formatInstant(at),
      cycleStart: formatInstant(cycleStart),
      cycleEnd: formatInstant(cycleEnd),
      amountMinor: invoice.amountMinor,
      currency: invoice.currency,
      attempt: invoice.attempt,
      reason: invoice.error ?? 'declined',
    },
  };
}

/**
 * The emails of a cycle's close at `at`, once its invoice has an outcome: the statement, then a
 * payment-failed email when the charge was declined.
 */
export function closeNotices(
  at: EpochMs,
  closed: {
    statement: CycleStatement;
    additions: readonly CycleAddition[];
    daily: StatementContent['daily'];
  },
  invoice: InvoiceOutcome,
): Notice[] {
  const { statement, additions, daily } = closed;
  const notices = [statementNotice(statement, additions, invoice, daily)];
  if (invoice.status === 'payment_failed') {
    notices.push(paymentFailedNotice(at, invoice, statement.end));
  }
  return notices;
}
