import { z } from 'zod';
import { isIanaTimeZone } from './calendar.js';
import { DEFAULT_GRACE_SECONDS, DEFAULT_MAX_LATE_SECONDS, type AccountSettings } from './ledger.js';
import { planSchema, type Plan } from './plan.js';
import { CALL_ID_RE } from './call-event.js';
import {
  LIMITS,
  creditsString,
  describeIssues,
  instantString,
  intIn,
  priceString,
} from './schema-helpers.js';
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

/** A credit string above zero. */
const positiveCredits = creditsString.refine((millicredits) => BigInt(millicredits) > 0n, {
  error: 'a credit amount above zero is required',
});

/** Unknown keys inside `autoTopUp` are ignored, like those of an operation. */
const autoTopUpSchema = z.object({
  belowCredits: creditsString,
  credits: positiveCredits,
  maxPerCycle: intIn(1, 100),
});

const MAX_GRANT_REASON = 200;

/** 1 to 200 characters, counted as Unicode code points. */
const grantReason = z.string().refine(
  (reason) => {
    const length = [...reason].length;
    return length >= 1 && length <= MAX_GRANT_REASON;
  },
  { error: `a grant's reason is 1 to ${MAX_GRANT_REASON} characters` },
);

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
      // When present, a price string: `null` is not a way to say "the plan's price".
      pricePerCredit: priceString.optional(),
    }),
    z.object({ ...at, type: z.literal('cancelPurchase'), purchaseId: z.string() }),
    z.object({
      ...at,
      type: z.literal('changePlan'),
      plan: planSchema,
      effective: z.enum(['now', 'next-cycle']).optional(),
    }),
    z.object({
      ...at,
      type: z.literal('grant'),
      grantId: z.string().min(1, 'a grant id is a non-empty string'),
      credits: positiveCredits,
      reason: grantReason,
    }),
    // `credits` is required: `null` removes the account's own limit.
    z.object({ ...at, type: z.literal('setOverageLimit'), credits: creditsString.nullable() }),
    z.object({
      ...at,
      type: z.literal('admit'),
      callId: z.string().regex(CALL_ID_RE, 'callId is 1 to 128 characters of [A-Za-z0-9._:-]'),
    }),
    // `autoTopUp` is required: `null` turns the rule off.
    z.object({ ...at, type: z.literal('setAutoTopUp'), autoTopUp: autoTopUpSchema.nullable() }),
  ],
  {
    error:
      'an operation type is one of call, purchase, cancelPurchase, changePlan, grant, setOverageLimit, admit, setAutoTopUp',
  },
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
