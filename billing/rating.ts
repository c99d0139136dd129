import { AmountMemo } from './amounts.js';
import type { CallEvent } from './call-event.js';
import type { Plan } from './plan.js';
import { ceilDiv, ceilDivInt } from './units.js';

/**
 * Raw billable seconds of an accepted call under the plan in effect (BILLING-RULES.md section 3):
 * AI-handled connected time, less hold and system time. Zero for calls that were not completed,
 * child legs of a transfer, and outbound calls on a plan that does not bill them.
 */
export function rawSeconds(call: CallEvent, plan: Plan): number {
  if (call.status !== 'completed' || call.parentCallId !== null || call.answeredAt === null)
    return 0;
  if (call.direction === 'outbound' && !plan.billOutbound) return 0;
  const aiEnd = call.handoffAt === null ? call.endedAt : Math.min(call.endedAt, call.handoffAt);
  const connected = ceilDivInt(aiEnd - call.answeredAt, 1000);
  return Math.max(0, connected - call.holdSeconds - call.systemSeconds);
}

/** Billed seconds from raw seconds: free calls, rounding by mode, then the minimum. */
export function billedSeconds(raw: number, plan: Plan): number {
  if (raw === 0 || raw <= plan.freeSeconds) return 0;
  let billed: number;
  const r = plan.rounding;
  switch (r.mode) {
    case 'second':
      billed = raw;
      break;
    case 'minute':
      billed = ceilDivInt(raw, 60) * 60;
      break;
    case 'block':
      billed =
        raw <= r.firstBlockSeconds
          ? r.firstBlockSeconds
          : r.firstBlockSeconds +
            ceilDivInt(raw - r.firstBlockSeconds, r.blockSeconds) * r.blockSeconds;
      break;
  }
  return Math.max(billed, plan.minimumSeconds);
}

const ratePerMinute = new AmountMemo();

/** Millicredits for billed seconds: `ceil(billed * creditsPerMinute_millicredits / 60)`. */
export function creditsForSeconds(billed: number, plan: Plan): bigint {
  if (billed === 0) return 0n;
  return ceilDiv(BigInt(billed) * ratePerMinute.parse(plan.creditsPerMinuteMillicredits), 60n);
}

export interface Rating {
  rawSeconds: number;
  billedSeconds: number;
  millicredits: bigint;
}

/** Rates one accepted call with the plan in effect at its booking instant. */
export function rateCall(call: CallEvent, plan: Plan): Rating {
  const raw = rawSeconds(call, plan);
  const billed = billedSeconds(raw, plan);
  return { rawSeconds: raw, billedSeconds: billed, millicredits: creditsForSeconds(billed, plan) };
}
