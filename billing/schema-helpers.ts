import { z } from 'zod';
import { parseCredits, parseInstant, parsePriceMicros, type EpochMs } from './units.js';

/** Bounds of BILLING-RULES.md section 1. */
export const LIMITS = {
  maxSecondsField: 86_400,
  maxGraceSeconds: 604_800,
  maxLateSeconds: 31_622_400,
  maxThresholdPercent: 1_000,
} as const;

/** A JSON integer (`5` or `5.0`) in `[min, max]`. */
export const intIn = (min: number, max: number) => z.int().min(min).max(max);

/** An integer number of seconds, 0 to 86,400. */
export const secondsField = intIn(0, LIMITS.maxSecondsField);

/** An RFC 3339 instant string (BILLING-RULES.md section 1), as epoch milliseconds. */
export const instantString = z.string().transform((text, ctx): EpochMs => {
  const ms = parseInstant(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not an RFC 3339 instant: ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return ms;
});

/** A credit amount given by a person (`"12.5"`), as a decimal string of integer millicredits. */
export const creditsString = z.unknown().transform((value, ctx): string => {
  const millicredits = parseCredits(value);
  if (millicredits === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `a credit amount is a decimal string such as "12.5" (at most 12 integer digits and 3 decimals), got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return millicredits.toString();
});

/** A price given by a person (`"0.12"`), as a decimal string of integer micro-units. */
export const priceString = z.unknown().transform((value, ctx): string => {
  const micros = parsePriceMicros(value);
  if (micros === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `a price is a decimal string such as "0.12" (at most 12 integer digits and 6 decimals), got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return micros.toString();
});

/** One line per issue, each naming where it is: `plan.currency: ...`. */
export function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${path || '(input)'}: ${issue.message}`;
    })
    .join('\n');
}
