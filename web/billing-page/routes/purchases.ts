/**
 * POST /billing/:accountId/purchases buys credits; POST .../purchases/:purchaseId/cancel cancels a
 * recurring purchase. Each checks its form (session, CSRF token, fields), sends the request to the
 * account's workflow and answers 303 back to the page with a notice, or the page with the error.
 */
import type { FastifyInstance } from 'fastify';
import { parseCredits } from '../../../billing/units.js';
import { BillingRequestError } from '../../../client/billing-errors.js';
import { REQUEST_ID_RE } from '../../../contract/ids.js';
import { formatCreditNumber } from '../../../emails/format.js';
import { renderUnavailablePage } from '../access-pages.js';
import { EMPTY_FORM, sendAccountPage } from '../account-page.js';
import type { BillingPageContext } from '../context.js';
import { checkedForm } from '../csrf.js';
import { accountPath, seeOther, sendHtml } from '../replies.js';

export function purchaseRoutes(app: FastifyInstance, ctx: BillingPageContext): void {
  app.post<{ Params: { accountId: string } }>(
    '/billing/:accountId/purchases',
    async (request, reply) => {
      const checked = checkedForm(ctx.access, request, reply);
      if (checked === null) return reply;
      const { session, form } = checked;
      const credits = (form.credits ?? '').trim();
      const recurring = form.recurring === 'yes';
      const purchaseId = form.purchaseId ?? '';
      const again = (error: string) =>
        sendAccountPage(ctx, request, reply, session, {
          notice: null,
          form: { credits, recurring, error },
          status: 400,
          ...(REQUEST_ID_RE.test(purchaseId) ? { purchaseId } : {}),
        });
      if (!REQUEST_ID_RE.test(purchaseId)) {
        return again('The form was incomplete: please try again.');
      }
      const millicredits = parseCredits(credits);
      if (millicredits === undefined) {
        return again('Enter a number of credits such as 100 or 12.5 (at most 3 decimals).');
      }
      if (millicredits === 0n) return again('Enter more than 0 credits.');
      if (millicredits > ctx.maxPurchase) {
        return again(`Enter at most ${formatCreditNumber(ctx.maxPurchase)} credits at a time.`);
      }
      try {
        await ctx.billing.purchaseCredits(session.accountId, { purchaseId, credits, recurring });
      } catch (error) {
        if (error instanceof BillingRequestError) return again(error.message);
        request.log.warn(
          { err: error, accountId: session.accountId },
          'billing page: purchase failed',
        );
        return sendHtml(reply, 503, renderUnavailablePage());
      }
      return seeOther(
        reply,
        `${accountPath(session.accountId)}?purchased=${encodeURIComponent(purchaseId)}`,
      );
    },
  );

  app.post<{ Params: { accountId: string; purchaseId: string } }>(
    '/billing/:accountId/purchases/:purchaseId/cancel',
    async (request, reply) => {
      const checked = checkedForm(ctx.access, request, reply);
      if (checked === null) return reply;
      const { session, form } = checked;
      const { purchaseId } = request.params;
      const requestId = form.requestId ?? '';
      if (!REQUEST_ID_RE.test(requestId) || !REQUEST_ID_RE.test(purchaseId)) {
        return sendAccountPage(ctx, request, reply, session, {
          notice: null,
          form: EMPTY_FORM,
          status: 400,
        });
      }
      try {
        await ctx.billing.cancelPurchase(session.accountId, { requestId, purchaseId });
      } catch (error) {
        request.log.warn(
          { err: error, accountId: session.accountId },
          'billing page: cancel failed',
        );
        return sendHtml(reply, 503, renderUnavailablePage());
      }
      return seeOther(
        reply,
        `${accountPath(session.accountId)}?cancelled=${encodeURIComponent(requestId)}`,
      );
    },
  );
}
