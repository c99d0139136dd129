/**
 * GET /billing: the "email me a link" form. GET /billing/:accountId: with `?expires=&sig=`, the
 * signed link that opens a session; without, the page of the session's account.
 */
import type { FastifyInstance } from 'fastify';
import { ACCOUNT_ID_RE } from '../../../contract/ids.js';
import { renderLinkRequestPage } from '../access-pages.js';
import { EMPTY_FORM, sendAccountPage } from '../account-page.js';
import type { BillingPageContext } from '../context.js';
import { noticeOf } from '../notices.js';
import { refuse, sendHtml } from '../replies.js';

export function accountPageRoutes(app: FastifyInstance, ctx: BillingPageContext): void {
  app.get('/billing', async (_request, reply) => sendHtml(reply, 200, renderLinkRequestPage()));

  app.get<{ Params: { accountId: string }; Querystring: Record<string, unknown> }>(
    '/billing/:accountId',
    async (request, reply) => {
      const { accountId } = request.params;
      const { expires, sig } = request.query;
      if (expires !== undefined || sig !== undefined) {
        return ctx.access.openFromLink(reply, accountId, { expires, sig });
      }
      if (!ACCOUNT_ID_RE.test(accountId)) return refuse(reply, 'invalid');
      const session = ctx.access.sessionFor(request, reply, accountId);
      if (session === null) return reply;
      const notice = await noticeOf(ctx.db, accountId, request.query);
      return sendAccountPage(ctx, request, reply, session, { notice, form: EMPTY_FORM });
    },
  );
}
