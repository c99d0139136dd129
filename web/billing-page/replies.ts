/** The answers the billing page's routes share: an HTML page, a refusal, a redirect. */
import type { FastifyReply } from 'fastify';
import { renderAccessPage, type AccessProblem } from './access-pages.js';

export function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** `303 See Other`: a form's answer, so reloading the page does not post it again. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

/** The URL path of an account's billing page. */
export function accountPath(accountId: string): string {
  return `/billing/${encodeURIComponent(accountId)}`;
}

/** The access page of `problem`, with the status that names it. */
export function refuse(reply: FastifyReply, problem: AccessProblem): FastifyReply {
  const status = problem === 'no-session' ? 401 : problem === 'expired' ? 410 : 403;
  return sendHtml(reply, status, renderAccessPage(problem));
}
