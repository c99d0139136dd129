/**
 * Signed, expiring links to an account's billing page: emails carry them, the billing page checks
 * them. A link names one account and an expiry, and an HMAC-SHA256 over both (and the link's
 * purpose) with a server-side key, so a link opens only its own account's page, only until it
 * expires, and any edit to it (another account, a later expiry) breaks the signature.
 *
 *   <base>/billing/<accountId>?expires=<unix seconds>&sig=<base64url HMAC>
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PURPOSE = 'billing-page:v1';
const SIGNATURE_RE = /^[A-Za-z0-9_-]{43}$/;
const EXPIRES_RE = /^[0-9]{1,12}$/;

export interface BillingLinkParts {
  accountId: string;
  /** Unix seconds, as the link carries it. */
  expires: string;
  sig: string;
}

export type LinkCheck =
  | { ok: true; accountId: string; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

function signature(secret: string, accountId: string, expires: string): string {
  return createHmac('sha256', secret)
    .update(`${PURPOSE}\n${accountId}\n${expires}`)
    .digest('base64url');
}

/**
 * A link to `accountId`'s billing page that works until `expiresAt` (epoch ms, rounded down to a
 * whole second). The same inputs give the same link, so a resent email carries the same one.
 */
export function signBillingLink(options: {
  baseUrl: string;
  accountId: string;
  expiresAt: number;
  secret: string;
}): string {
  const expires = Math.floor(options.expiresAt / 1000).toString();
  const sig = signature(options.secret, options.accountId, expires);
  const base = options.baseUrl.replace(/\/+$/, '');
  return `${base}/billing/${encodeURIComponent(options.accountId)}?expires=${expires}&sig=${sig}`;
}

/**
 * Checks a link's parts against the key (or keys, newest first, while a key is being rotated) at
 * `now` (epoch ms). The signature is checked before the expiry, so an edited expiry reads as
 * tampering, not as expired.
 */
export function verifyBillingLink(
  parts: Partial<BillingLinkParts>,
  secrets: string | readonly string[],
  now: number,
): LinkCheck {
  const { accountId, expires, sig } = parts;
  if (
    typeof accountId !== 'string' ||
    accountId.length === 0 ||
    typeof expires !== 'string' ||
    !EXPIRES_RE.test(expires) ||
    typeof sig !== 'string' ||
    !SIGNATURE_RE.test(sig)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  const given = Buffer.from(sig, 'base64url');
  // One spelling per signature: the last character's unused bits must be zero.
  if (given.toString('base64url') !== sig) return { ok: false, reason: 'malformed' };
  const keys = typeof secrets === 'string' ? [secrets] : secrets;
  const signed = keys.some((secret) =>
    timingSafeEqual(given, Buffer.from(signature(secret, accountId, expires), 'base64url')),
  );
  if (!signed) return { ok: false, reason: 'bad-signature' };
  const expiresAt = Number(expires) * 1000;
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, accountId, expiresAt };
}

/** The parts of a billing link given as a URL (absolute, or a path with its query). */
export function billingLinkParts(url: string): Partial<BillingLinkParts> {
  const parsed = new URL(url, 'http://link.invalid');
  const match = /^\/billing\/([^/]+)$/.exec(parsed.pathname.replace(/\/+$/, ''));
  let accountId: string | undefined;
  try {
    accountId = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
  } catch {
    accountId = undefined;
  }
  return {
    accountId,
    expires: parsed.searchParams.get('expires') ?? undefined,
    sig: parsed.searchParams.get('sig') ?? undefined,
  };
}
