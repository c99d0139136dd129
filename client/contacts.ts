/**
 * Billing contacts: the addresses an account's emails go to. Checked when an account is created
 * or its contacts change, so a typo is refused with the address named rather than bouncing weeks
 * later. The check is the practical subset of RFC 5321/5322 that mail relays accept: a dot-atom
 * local part, a domain of letter-digit-hyphen labels with a top-level name, and the length limits.
 */
import { z } from 'zod';

export const MAX_BILLING_EMAILS = 10;

const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LEVEL_RE = /^[A-Za-z]{2,63}$|^xn--[A-Za-z0-9-]{1,59}$/;

/** Why `address` is not a usable email address, or null when it is. */
export function emailAddressProblem(address: string): string | null {
  if (address.length > 254) return 'is longer than 254 characters';
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return 'needs a name, an @ and a domain';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64) return 'has a name longer than 64 characters';
  if (!LOCAL_RE.test(local)) return 'has a name with spaces, quotes or misplaced dots';
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL_RE.test(label))) {
    return 'has a domain that is not a host name such as example.com';
  }
  if (!TOP_LEVEL_RE.test(labels[labels.length - 1]!)) return 'has no top-level domain';
  return null;
}

/** The address as stored: trimmed, with its domain in lower case (the name part is the owner's). */
export function normalizeEmail(address: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

/** Up to ten distinct addresses; each bad one named with what is wrong with it. */
export const billingEmailsSchema = z
  .array(z.string())
  .max(MAX_BILLING_EMAILS, `at most ${MAX_BILLING_EMAILS} billing emails`)
  .transform((list) => list.map(normalizeEmail))
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((address, i) => {
      const problem = emailAddressProblem(address);
      if (problem !== null) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `${JSON.stringify(address)} ${problem} (write it like ops@example.com)`,
        });
      } else if (seen.has(address.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: [i], message: `${address} is listed twice` });
      }
      seen.add(address.toLowerCase());
    });
  });
