/**
 * What rendering an email takes besides its content (billing/notification-content.ts): the
 * account's facts and its billing-page link; and what it gives: the subject, text and HTML.
 */

/** Facts about the account and the link every email carries. */
export interface EmailContext {
  accountId: string;
  /** IANA time zone the dates and times are shown in. */
  timeZone: string;
  /** The signed, expiring link to the account's billing page. */
  billingUrl: string;
  /** When the link stops working (ISO UTC). */
  billingUrlExpiresAt: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}
