/**
 * Sign-in on the billing page: a signed link opens a session (a cookie), and each request of an
 * account's page must carry a session of that account. The cryptography is in session.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { verifyBillingLink } from '../../links/signed-link.js';
import { parseCookies, serializeCookie } from './cookies.js';
import { accountPath, refuse, seeOther } from './replies.js';
import { createSession, verifySession, type Session } from './session.js';
import { sessionCookie, type SessionCookie } from './session-cookie.js';

export interface SessionAccessOptions {
  /** The link key first (it signs), then keys still accepted while it is rotated. */
  readonly keys: readonly string[];
  readonly now: () => number;
  /** A session lasts until its link expires, and at most this long. */
  readonly sessionMaxMs: number;
  /** Whether the cookie is sent over https only (the public base URL is https). */
  readonly secureCookie: boolean;
}

export class SessionAccess {
  private readonly cookie: SessionCookie;

  constructor(private readonly options: SessionAccessOptions) {
    this.cookie = sessionCookie(options.secureCookie);
  }

  get keys(): readonly string[] {
    return this.options.keys;
  }

  /**
   * Checks the link `/billing/<accountId>?expires=&sig=`; a good one opens a session and answers
   * 303 to the account's page, so the token leaves the address bar, the history and any Referer.
   */
  openFromLink(
    reply: FastifyReply,
    accountId: string,
    link: { expires: unknown; sig: unknown },
  ): FastifyReply {
    const { keys, now, sessionMaxMs } = this.options;
    const check = verifyBillingLink(
      {
        accountId,
        expires: typeof link.expires === 'string' ? link.expires : undefined,
        sig: typeof link.sig === 'string' ? link.sig : undefined,
      },
      keys,
      now(),
    );
    if (!check.ok) return refuse(reply, check.reason === 'expired' ? 'expired' : 'invalid');
    const session = createSession(
      check.accountId,
      Math.min(check.expiresAt, now() + sessionMaxMs),
      keys,
    );
    reply.header(
      'set-cookie',
      serializeCookie(this.cookie.name, session.value, {
        ...this.cookie.attributes,
        maxAge: (session.expiresAt - now()) / 1000,
      }),
    );
    return seeOther(reply, accountPath(check.accountId));
  }

  /** The request's session for `accountId`, or null once the refusal has been sent. */
  sessionFor(request: FastifyRequest, reply: FastifyReply, accountId: string): Session | null {
    const cookie = parseCookies(request.headers.cookie).get(this.cookie.name);
    const session = verifySession(cookie, this.options.keys, this.options.now());
    if (session === null) {
      void refuse(reply, 'no-session');
      return null;
    }
    // Another account's session learns nothing about this one: the same page for any id.
    if (session.accountId !== accountId) {
      void refuse(reply, 'other-account');
      return null;
    }
    return session;
  }
}
