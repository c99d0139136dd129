/**
 * How the contract writes values in JSON replies: instants, local dates, amounts, counts and
 * currencies. Each carries an `id`, so the generated JSON Schemas (docs/schemas/) name it once in
 * `$defs` and refer to it, as a reader of the schema expects.
 */
import { z } from 'zod';
import { parseInstant } from '../billing/units.js';

/** An instant as replies write it: UTC with milliseconds, a real date and time. */
const UTC_MS_RE =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z$/;

export const instant = z
  .string()
  .regex(UTC_MS_RE, 'an instant is UTC with milliseconds, as 2026-02-28T23:45:00.000Z')
  .refine((text) => parseInstant(text) !== undefined, 'not a real date and time')
  // The refinement (a real date and time) is what `date-time` checks in a JSON Schema validator.
  .meta({
    id: 'instant',
    description: 'An instant in UTC with milliseconds, as 2026-02-28T23:45:00.000Z.',
    format: 'date-time',
  });

export const date = z.iso
  .date()
  .meta({ id: 'date', description: 'A local calendar date, YYYY-MM-DD.' });

export const amount = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, 'an amount is a decimal string of an integer')
  .meta({
    id: 'amount',
    description: 'A non-negative integer as a decimal string (it may pass 2^53).',
  });

export const count = z.int().min(0).meta({ id: 'count' });

export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'a currency is an ISO 4217 code')
  .meta({ id: 'currency' });
