/**
 * The billing page's session and its CSRF tokens. A signed link (links/signed-link.ts) opens a
 * session: a cookie naming the account and an expiry no later than the link's, signed with
 * HMAC-SHA256 under the link key with a purpose of its own (a session value can never pass as a
 * link signature, nor the reverse). Each form carries a synchronizer token: an HMAC of the
 * session value under a third purpose, so a token is good for its session only.
 *
 *   session value: <base64url account id>.<expires unix seconds>.<nonce>.<signature>
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SESSION_PURPOSE = 'billing-session:v1';
const CSRF_PURPOSE = 'billing-csrf:v1';
const SESSION_RE =
  /^([A-Za-z0-9_-]{1,100})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  accountId: string;
  /** Epoch ms (a whole second). */
  expiresAt: number;
  /** The cookie value, which the CSRF tokens are derived from. */
  value: string;
}

type Keys = string | readonly string[];

function keysOf(secrets: Keys): readonly string[] {
  return typeof secrets === 'string' ? [secrets] : secrets;
}

function mac(secret: string, purpose: string, text: string): string {
  return createHmac('sha256', secret).update(`${purpose}\n${text}`).digest('base64url');
}

function sameMac(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'base64url');
  const b = Buffer.from(expected, 'base64url');
  // One spelling per MAC: a respelt last character is not the same token.
  return a.toString('base64url') === given && a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A new session for `accountId` until `expiresAt` (epoch ms, rounded down to a second), signed
 * with the newest key. The random nonce makes each session, and so its CSRF tokens, its own.
 */
export function createSession(accountId: string, expiresAt: number, secrets: Keys): Session {
  const [secret] = keysOf(secrets);
  if (secret === undefined) throw new Error('no session key');
  const body = [
    Buffer.from(accountId, 'utf8').toString('base64url'),
    Math.floor(expiresAt / 1000).toString(),
    randomBytes(16).toString('base64url'),
  ].join('.');
  return {
    accountId,
    expiresAt: Math.floor(expiresAt / 1000) * 1000,
    value: `${body}.${mac(secret, SESSION_PURPOSE, body)}`,
  };
}

/** The session a cookie value carries, or null when it is malformed, forged or expired. */
export function verifySession(
  value: string | undefined,
  secrets: Keys,
  now: number,
): Session | null {
  if (value === undefined) return null;
  const match = SESSION_RE.exec(value);
  if (match === null) return null;
  const [, encodedAccount, expires, nonce, sig] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const body = `${encodedAccount}.${expires}.${nonce}`;
  if (!keysOf(secrets).some((secret) => sameMac(sig, mac(secret, SESSION_PURPOSE, body)))) {
    return null;
  }
  const expiresAt = Number(expires) * 1000;
  if (now >= expiresAt) return null;
  return { accountId: Buffer.from(encodedAccount, 'base64url').toString('utf8'), expiresAt, value };
}

/** The CSRF token of a session, for its forms (under the newest key). */
export function csrfToken(session: Session, secrets: Keys): string {
  const [secret] = keysOf(secrets);
  if (secret === undefined) throw new Error('no session key');
  return mac(secret, CSRF_PURPOSE, session.value);
}

/** Whether `token` is the CSRF token of `session` (under any current key). */
export function verifyCsrfToken(session: Session, token: unknown, secrets: Keys): boolean {
  if (typeof token !== 'string' || !TOKEN_RE.test(token)) return false;
  return keysOf(secrets).some((secret) => sameMac(token, mac(secret, CSRF_PURPOSE, session.value)));
}
