/**
 * The session cookie's name and scope. `SameSite=Lax`, not `Strict`: a customer opens the link
 * from webmail, another site, and a Strict cookie set on that navigation's 303 is not sent on the
 * redirect it answers, so the customer would land on the sign-in page. Lax sends it on top-level
 * GET navigations only; the posts that change something carry CSRF tokens (csrf.ts).
 *
 * Over https the name takes the `__Host-` prefix: browsers then accept it only with `Secure`,
 * `Path=/` and no `Domain`, so neither a subdomain nor plain http can plant or shadow a session.
 */
import type { CookieAttributes } from './cookies.js';

export interface SessionCookie {
  readonly name: string;
  readonly attributes: Omit<CookieAttributes, 'maxAge'>;
}

export function sessionCookie(secure: boolean): SessionCookie {
  return secure
    ? {
        name: '__Host-billing_session',
        attributes: { path: '/', httpOnly: true, secure: true, sameSite: 'Lax' },
      }
    : {
        name: 'billing_session',
        attributes: { path: '/billing', httpOnly: true, secure: false, sameSite: 'Lax' },
      };
}
