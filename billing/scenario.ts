import { z } from 'zod';
import { isIanaTimeZone } from './calendar.js';
import { DEFAULT_GRACE_SECONDS, DEFAULT_MAX_LATE_SECONDS, type AccountSettings } from './ledger.js';
import { planSchema, type Plan } from './plan.js';
import { LIMITS, creditsString, describeIssues, instantString, intIn } from './schema-helpers.js';
import { parseLocalDateTime, type EpochMs, type LocalDateTime } from './units.js';

/** The account of a scenario or of a `createAccount` request. */
export const accountSchema = z
  .object({
    id: z.string().min(1, 'an account id is a non-empty string'),
    timeZone: z.string().refine(isIanaTimeZone, {
      error: (issue) =>
        `unknown time zone ${JSON.stringify(issue.input)}: use an IANA name such as "Europe/Berlin"`,
    }),
    createdAt: instantString,
    billingAnchor: z
      .string()
      .transform((text, ctx): LocalDateTime => {
        const local = parseLocalDateTime(text);
        if (local === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `a billing anchor is a local date-time YYYY-MM-DDTHH:MM:SS, got ${JSON.stringify(text)}`,
          });
          return z.NEVER;
        }
        return local;
      })
      .optional(),
    graceSeconds: intIn(0, LIMITS.maxGraceSeconds).default(DEFAULT_GRACE_SECONDS),
    maxLateSeconds: intIn(0, LIMITS.maxLateSeconds).default(DEFAULT_MAX_LATE_SECONDS),
  })
  .transform((a): AccountSettings => ({
    id: a.id,
    timeZone: a.timeZone,
    createdAt: a.createdAt,
    billingAnchor: a.billingAnchor ?? null,
    graceSeconds: a.graceSeconds,
    maxLateSeconds: a.maxLateSeconds,
  }));

const at = { at: instantString };

const operationSchema = z.discriminatedUnion(
  'type',
  [
    // A bad event is not a malformed scenario: it is a rejected event, judged when applied.
    z.object({ ...at, type: z.literal('call'), event: z.unknown().optional() }),
    z.object({
      ...at,
      type: z.literal('purchase'),
      purchaseId: z.string(),
      credits: creditsString,
      recurring: z.boolean().default(false),
    }),
    z.object({ ...at, type: z.literal('cancelPurchase'), purchaseId: z.string() }),
    z.object({
      ...at,
      type: z.literal('changePlan'),
      plan: planSchema,
      effective: z.enum(['now', 'next-cycle']).optional(),
    }),
  ],
  { error: 'an operation type is one of call, purchase, cancelPurchase, changePlan' },
);

export type ScenarioOperation = z.output<typeof operationSchema>;

export interface Scenario {
  account: AccountSettings;
  plan: Plan;
  until: EpochMs;
  operations: ScenarioOperation[];
}

const scenarioSchema = z
  .object({
    account: accountSchema,
    plan: planSchema,
    until: instantString,
    operations: z.array(operationSchema),
  })
  .superRefine((s, ctx) => {
    if (s.until < s.account.createdAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['until'],
        message: 'until is before the account was created',
      });
    }
    s.operations.forEach((op, i) => {
      if (op.at < s.account.createdAt || op.at > s.until) {
        ctx.addIssue({
          code: 'custom',
          path: ['operations', i, 'at'],
          message: 'an operation must happen between the account creation and until (inclusive)',
        });
      }
    });
  });

export class MalformedScenarioError extends Error {
  override name = 'MalformedScenarioError';
}

/** Validates a preview scenario (BILLING-RULES.md section 8). */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw new MalformedScenarioError(describeIssues(result.error, ''));
  return result.data;
}
