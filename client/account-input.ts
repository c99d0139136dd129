/**
 * What a request to create an account must hold, checked before anything is stored: ids, an IANA
 * time zone, an anchor and instants that parse, bounded grace and lateness, billing contacts.
 */
import { z } from 'zod';
import { isIanaTimeZone } from '../billing/calendar.js';
import { DEFAULT_GRACE_SECONDS, DEFAULT_MAX_LATE_SECONDS } from '../billing/ledger.js';
import { LIMITS, describeIssues, instantString, intIn } from '../billing/schema-helpers.js';
import { parseLocalDateTime } from '../billing/units.js';
import { accountIdSchema } from '../contract/ids.js';
import { BillingInputError } from './billing-errors.js';
import { billingEmailsSchema } from './contacts.js';

export const createAccountSchema = z.object({
  id: accountIdSchema,
  planId: z.string().min(1, 'planId is required'),
  timeZone: z.string().refine(isIanaTimeZone, {
    error: (issue) =>
      `unknown time zone ${JSON.stringify(issue.input)}: use an IANA name such as "Europe/Berlin"`,
  }),
  /** When the account's billing began; in the past for an account migrated mid-cycle. */
  createdAt: instantString.optional(),
  billingAnchor: z
    .string()
    .refine((text) => parseLocalDateTime(text) !== undefined, {
      error: 'a billing anchor is a local date-time YYYY-MM-DDTHH:MM:SS',
    })
    .optional(),
  graceSeconds: intIn(0, LIMITS.maxGraceSeconds).default(DEFAULT_GRACE_SECONDS),
  maxLateSeconds: intIn(0, LIMITS.maxLateSeconds).default(DEFAULT_MAX_LATE_SECONDS),
  billingEmails: billingEmailsSchema.default([]),
});
export type CreateAccountInput = z.input<typeof createAccountSchema>;

/** `input` as `schema` reads it, or a BillingInputError naming each problem under `what`. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new BillingInputError(describeIssues(parsed.error, what));
  return parsed.data;
}
