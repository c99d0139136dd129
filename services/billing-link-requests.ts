/**
 * "Email me a new link": an address asks, and each account it is a billing contact of gets an
 * email with a fresh signed link to its billing page. The asker is answered the same whether or
 * not the address is a contact (addresses cannot be probed), so the emails go out after the
 * answer, in the background.
 */
import type { Kysely } from 'kysely';
import type { Mailer } from '../mail/mailer.js';
import { findAccount, findAccountIdsByBillingEmail } from '../db/repositories/accounts.js';
import type { Database } from '../db/schema.js';
import { linkRequestEmail } from './link-request-email.js';
import type { Config } from '../config/config.js';
import { LinkRequestLimiter } from './link-request-limiter.js';

export interface BillingLinkRequestsOptions {
  readonly db: Kysely<Database>;
  readonly mailer: Mailer;
  /** The link key, lifetime and public base URL (config/config.ts). */
  readonly links: Config['links'];
  /** The domain of the link emails' Message-IDs (config.smtp.messageIdDomain). */
  readonly messageIdDomain: string;
  /** Link emails per address and window (default 3 an hour). */
  readonly limit?: { readonly perAddress: number; readonly windowMs: number };
}

export class BillingLinkRequests {
  private readonly limiter: LinkRequestLimiter;
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly options: BillingLinkRequestsOptions) {
    this.limiter = new LinkRequestLimiter(
      options.db,
      options.limit?.perAddress,
      options.limit?.windowMs,
    );
  }

  /**
   * Takes a request made at `at` for `email` (a valid address, normalized): unless the address
   * asked too often, its links are emailed in the background, and `onFailure` hears of an email
   * that could not be sent (or a limit that could not be checked). The limit is checked in the
   * background too, so the answer's timing does not depend on it.
   */
  request(email: string, at: number, onFailure: (error: unknown) => void): void {
    const send = this.limitedSend(email, at).catch(onFailure);
    this.sending.add(send);
    void send.finally(() => this.sending.delete(send));
  }

  /** Resolves once every email still in flight is sent or failed (before the server closes). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.sending]);
  }

  private async limitedSend(email: string, at: number): Promise<void> {
    if (await this.limiter.allow(email, at)) await this.sendLinks(email, at);
  }

  private async sendLinks(email: string, at: number): Promise<void> {
    const { db, mailer, links, messageIdDomain } = this.options;
    for (const accountId of await findAccountIdsByBillingEmail(db, email)) {
      const account = await findAccount(db, accountId);
      if (account === undefined) continue;
      const message = linkRequestEmail({
        accountId,
        email,
        timeZone: account.time_zone,
        now: at,
        links,
        messageIdDomain,
      });
      await mailer.send({
        to: email,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
      });
    }
  }
}
