/** The posted forms of the billing page, as its routes read them. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FORM_BODY_LIMIT, FORM_CONTENT_TYPE, parseForm, type FormFields } from './form.js';

/**
 * Our own form parser, for the plugin's routes only (an edge may parse forms differently
 * elsewhere): `app` is the plugin's encapsulated context.
 */
export function useFormParser(app: FastifyInstance): void {
  if (app.hasContentTypeParser(FORM_CONTENT_TYPE)) app.removeContentTypeParser(FORM_CONTENT_TYPE);
  app.addContentTypeParser(
    FORM_CONTENT_TYPE,
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, parsed) => parsed(null, parseForm(body as string)),
  );
}

/** The posted fields that are strings (a JSON body, which no form of ours sends, may hold more). */
export function postedFields(request: FastifyRequest): FormFields {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(
    Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
