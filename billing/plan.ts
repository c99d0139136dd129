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
  /** Version 2: the price of a purchased credit in micro-units; null: purchases are free. */
  purchasePriceMicros: string | null;
  /** Version 2: the plan's overage limit in millicredits; null: no limit from the plan. */
  overageLimitMillicredits: string | null;
  /** Version 2: an admission is allowed from this many seconds on (section 11). */
  admissionMinimumSeconds: number;
  /** Version 2: an allowed admission reserves the credits of at most this many seconds. */
  admissionReserveSeconds: number;
}

/** The fields version 2 of the rules added to a plan, with their defaults. */
export const PLAN_V2_DEFAULTS = {
  purchasePriceMicros: null,
  overageLimitMillicredits: null,
  admissionMinimumSeconds: 60,
  admissionReserveSeconds: 300,
} as const satisfies Partial<Plan>;

type PlanV2Field = keyof typeof PLAN_V2_DEFAULTS;

/** A plan as a version 1 core held it (in carried workflow state, recorded histories). */
export type StoredPlan = Omit<Plan, PlanV2Field> & Partial<Pick<Plan, PlanV2Field>>;

/**
 * A plan held before version 2 (carried in a ledger state, or returned by an activity in a
 * recorded history) with the version 2 fields it lacks at their defaults; a current plan as is.
 */
export function upgradePlan(plan: StoredPlan): Plan {
  return {
    ...plan,
    purchasePriceMicros: plan.purchasePriceMicros ?? PLAN_V2_DEFAULTS.purchasePriceMicros,
    overageLimitMillicredits:
      plan.overageLimitMillicredits ?? PLAN_V2_DEFAULTS.overageLimitMillicredits,
    admissionMinimumSeconds:
      plan.admissionMinimumSeconds ?? PLAN_V2_DEFAULTS.admissionMinimumSeconds,
    admissionReserveSeconds:
      plan.admissionReserveSeconds ?? PLAN_V2_DEFAULTS.admissionReserveSeconds,
  };
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
    // `null` means absent for these two (BILLING-RULES.md section 2).
    purchasePricePerCredit: priceString.nullable().optional(),
    overageLimitCredits: creditsString.nullable().optional(),
    admissionMinimumSeconds: secondsField.default(PLAN_V2_DEFAULTS.admissionMinimumSeconds),
    admissionReserveSeconds: secondsField.default(PLAN_V2_DEFAULTS.admissionReserveSeconds),
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
    purchasePriceMicros: p.purchasePricePerCredit ?? null,
    overageLimitMillicredits: p.overageLimitCredits ?? null,
    admissionMinimumSeconds: p.admissionMinimumSeconds,
    admissionReserveSeconds: p.admissionReserveSeconds,
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
