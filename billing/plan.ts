import { z } from 'zod';
import { CURRENCY_EXPONENTS, type Currency } from './units.js';
import {
  LIMITS,
  creditsString,
  describeIssues,
  intIn,
  priceString,
  secondsField,
} from './schema-helpers.js';

export type Rounding =
  | { mode: 'second' }
  | { mode: 'minute' }
  | { mode: 'block'; firstBlockSeconds: number; blockSeconds: number };

/**
 * A plan as the core holds it: JSON-safe, amounts as decimal strings of exact integers
 * (millicredits, micro-units) so nothing is rounded even past 2^53.
 */
export interface Plan {
  id: string;
  name: string;
  allowanceMillicredits: string;
  creditsPerMinuteMillicredits: string;
  rounding: Rounding;
  minimumSeconds: number;
  freeSeconds: number;
  billOutbound: boolean;
  overagePriceMicros: string;
  currency: Currency;
  alertThresholdsPercent: number[];
}

const roundingSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('second') }),
  z.object({ mode: z.literal('minute') }),
  z.object({
    mode: z.literal('block'),
    firstBlockSeconds: secondsField,
    blockSeconds: intIn(1, LIMITS.maxSecondsField),
  }),
]);

const currencies = Object.keys(CURRENCY_EXPONENTS) as [Currency, ...Currency[]];

/** The plan JSON of BILLING-RULES.md section 2, as people write it. */
export const planSchema = z
  .object({
    id: z.string().min(1, 'a plan id is a non-empty string'),
    name: z.string().optional(),
    allowanceCredits: creditsString,
    creditsPerMinute: creditsString,
    rounding: roundingSchema.default({ mode: 'second' }),
    minimumSeconds: secondsField.default(0),
    freeSeconds: secondsField.default(0),
    billOutbound: z.boolean().default(false),
    overagePricePerCredit: priceString,
    currency: z.enum(currencies, { error: `currency must be one of ${currencies.join(', ')}` }),
    alertThresholdsPercent: z
      .array(intIn(1, LIMITS.maxThresholdPercent))
      .refine((list) => new Set(list).size === list.length, 'alert thresholds must not repeat')
      // Any order is accepted; alerts of one change are listed by ascending threshold.
      .transform((list) => [...list].sort((a, b) => a - b))
      .default([]),
  })
  .transform((p): Plan => ({
    id: p.id,
    name: p.name ?? p.id,
    allowanceMillicredits: p.allowanceCredits,
    creditsPerMinuteMillicredits: p.creditsPerMinute,
    rounding: p.rounding,
    minimumSeconds: p.minimumSeconds,
    freeSeconds: p.freeSeconds,
    billOutbound: p.billOutbound,
    overagePriceMicros: p.overagePricePerCredit,
    currency: p.currency,
    alertThresholdsPercent: p.alertThresholdsPercent,
  }));

export type PlanInput = z.input<typeof planSchema>;

export class InvalidPlanError extends Error {
  override name = 'InvalidPlanError';
}

/** Parses a plan, throwing {@link InvalidPlanError} with one line per problem. */
export function parsePlan(input: unknown, where = 'plan'): Plan {
  const result = planSchema.safeParse(input);
  if (!result.success) throw new InvalidPlanError(describeIssues(result.error, where));
  return result.data;
}
