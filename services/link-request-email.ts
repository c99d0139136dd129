/**
 * "Email me a new link": the email that carries a fresh signed link to the billing page, and its
 * idempotency key. Pure apart from the HMAC (links/signed-link.ts).
 */
import { messageIdOf } from '../mail/mailer.js';
import { formatInstant } from '../billing/units.js';
import { signBillingLink } from '../links/signed-link.js';
import type { EmailContext, RenderedEmail } from '../emails/email.js';
import { renderDocument } from '../emails/layout.js';

/** Requests within one bucket get the same link and the same Message-ID. */
export const LINK_REQUEST_BUCKET_MS = 15 * 60_000;

export interface LinkEmail extends RenderedEmail {
  messageId: string;
  url: string;
  expiresAt: number;
}

/**
 * The email that sends `accountId`'s billing link to `email`, requested at `now`. The link expires
 * `ttlSeconds` after the start of the request's time bucket, and the Message-ID names the account,
 * the address and the bucket: a repeated request (a double click, a retry) sends the same message,
 * which receivers drop as a copy.
 */
export function linkRequestEmail(options: {
  accountId: string;
  email: string;
  timeZone: string;
  now: number;
  links: { secret: string; ttlSeconds: number; publicBaseUrl: string };
  messageIdDomain: string;
}): LinkEmail {
  const bucket = Math.floor(options.now / LINK_REQUEST_BUCKET_MS);
  const expiresAt = bucket * LINK_REQUEST_BUCKET_MS + options.links.ttlSeconds * 1000;
  const url = signBillingLink({
    baseUrl: options.links.publicBaseUrl,
    accountId: options.accountId,
    expiresAt,
    secret: options.links.secret,
  });
  const ctx: EmailContext = {
    accountId: options.accountId,
    timeZone: options.timeZone,
    billingUrl: url,
    billingUrlExpiresAt: formatInstant(Math.floor(expiresAt / 1000) * 1000),
  };
  const rendered = renderDocument(
    {
      subject: `Your billing page link for account ${options.accountId}`,
      summary:
        'Someone, hopefully you, asked for a new link to this account’s billing page. If it was ' +
        'not you, you can ignore this email: the link only opens the page for whoever holds it.',
      sections: [],
      action: 'Open your billing page',
    },
    ctx,
  );
  return {
    ...rendered,
    messageId: messageIdOf(
      ['billing-link', options.accountId, options.email, String(bucket)],
      options.messageIdDomain,
    ),
    url,
    expiresAt,
  };
}
