/**
 * The usage view of an account (the workflow's `usage` query, the CLI, the billing page): the open
 * cycle's figures as the ledger computes them, with the derived numbers customers read. Pure.
 */
import { localDateTimeOf } from './calendar.js';
import {
  availableOf,
  billedUsedOf,
  openCycle,
  statementOf,
  type CycleStatement,
  type LedgerState,
} from './ledger.js';
import { daysFromCivil, formatInstant, maxBig, overageChargeMinor, type EpochMs } from './units.js';

export type UsageStatus = 'ok' | 'low' | 'overage' | 'payment_failed';

/** Usage at or above this percent of the available credits is `low`. */
const LOW_PERCENT = 80;

export interface OpenCycleUsage {
  index: number;
  start: string;
  end: string;
  /** Calendar days from today to the reset date, both in the account's time zone. */
  daysUntilReset: number;
  planId: string;
  allowanceMillicredits: string;
  purchasedMillicredits: string;
  availableMillicredits: string;
  usedMillicredits: string;
  remainingMillicredits: string;
  overageMillicredits: string;
  /**
   * floor(billedUsed * 100 / available), `billedUsed = used - writtenOff` (the credits used when
   * no overage limit is in effect); null when nothing is available.
   */
  percentUsed: number | null;
  billableSeconds: number;
  lateAdjustments: number;
  alerts: { thresholdPercent: number; at: string }[];
  /** The currency of the plan in effect. */
  currency: string;
  /** The plan's overage price: micro-units of `currency` per credit. */
  overagePriceMicros: string;
  /**
   * The overage so far at that price, in minor units: what the close would charge if no more
   * credits were used (section 6's rounding).
   */
  overageChargeMinor: string;
}

/** A statement as JSON: instants in ISO UTC, amounts as decimal strings of integers. */
export interface StatementView {
  index: number;
  start: string;
  end: string;
  closed: boolean;
  planId: string;
  currency: string;
  allowanceMillicredits: string;
  purchasedMillicredits: string;
  availableMillicredits: string;
  usedMillicredits: string;
  billableSeconds: number;
  lateAdjustments: number;
  overageMillicredits: string;
  overageChargeMinor: string | null;
  alerts: { thresholdPercent: number; at: string }[];
}

export function statementView(s: CycleStatement): StatementView {
  return {
    index: s.index,
    start: formatInstant(s.start),
    end: formatInstant(s.end),
    closed: s.closed,
    planId: s.planId,
    currency: s.currency,
    allowanceMillicredits: s.allowanceMillicredits,
    purchasedMillicredits: s.purchasedMillicredits,
    availableMillicredits: s.availableMillicredits,
    usedMillicredits: s.usedMillicredits,
    billableSeconds: s.billableSeconds,
    lateAdjustments: s.lateAdjustments,
    overageMillicredits: s.overageMillicredits,
    overageChargeMinor: s.overageChargeMinor,
    alerts: s.alerts.map((a) => ({
      thresholdPercent: a.thresholdPercent,
      at: formatInstant(a.at),
    })),
  };
}

/** `ok` below 80%, `low` from 80%, `overage` from 100%; with nothing available, any use is overage. */
export function usageStatus(
  used: bigint,
  available: bigint,
): Exclude<UsageStatus, 'payment_failed'> {
  if (available <= 0n) return used > 0n ? 'overage' : 'ok';
  if (used * 100n >= available * 100n) return 'overage';
  if (used * 100n >= available * BigInt(LOW_PERCENT)) return 'low';
  return 'ok';
}

/** Whole calendar days from the local date of `from` to that of `to`, in `timeZone`. */
export function calendarDaysBetween(from: EpochMs, to: EpochMs, timeZone: string): number {
  const a = localDateTimeOf(from, timeZone);
  const b = localDateTimeOf(to, timeZone);
  return daysFromCivil(b.year, b.month, b.day) - daysFromCivil(a.year, a.month, a.day);
}

/**
 * The open cycle's usage as of the ledger's `now` (advance the ledger, or a copy of it, first).
 */
export function openCycleUsage(state: LedgerState): OpenCycleUsage {
  const cycle = openCycle(state);
  const s = statementOf(state, cycle, false);
  const available = availableOf(cycle);
  // Remaining and percent count what is billed, as alerts do: written-off credits are not
  // (equal to the credits used when no overage limit is in effect).
  const billedUsed = billedUsedOf(cycle);
  const view = statementView(s);
  return {
    index: view.index,
    start: view.start,
    end: view.end,
    daysUntilReset: calendarDaysBetween(state.now, cycle.end, state.calendar.timeZone),
    planId: view.planId,
    allowanceMillicredits: view.allowanceMillicredits,
    purchasedMillicredits: view.purchasedMillicredits,
    availableMillicredits: view.availableMillicredits,
    usedMillicredits: view.usedMillicredits,
    remainingMillicredits: maxBig(0n, available - billedUsed).toString(),
    overageMillicredits: view.overageMillicredits,
    percentUsed: available > 0n ? Number((billedUsed * 100n) / available) : null,
    billableSeconds: view.billableSeconds,
    lateAdjustments: view.lateAdjustments,
    alerts: view.alerts,
    currency: s.currency,
    overagePriceMicros: s.overagePriceMicros,
    overageChargeMinor: overageChargeMinor(
      BigInt(s.overageMillicredits),
      BigInt(s.overagePriceMicros),
      s.currency,
    ).toString(),
  };
}
