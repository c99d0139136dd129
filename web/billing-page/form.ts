/**
 * application/x-www-form-urlencoded bodies, as browsers post forms: decoded by node's
 * URLSearchParams, the first value of a repeated name kept, into an object with no prototype (a
 * field named `__proto__` or `constructor` is just a field).
 */
export type FormFields = Readonly<Record<string, string>>;

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Form bodies are a few short fields; anything larger is not one of our forms. */
export const FORM_BODY_LIMIT = 16 * 1024;

export function parseForm(body: string): FormFields {
  const fields = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body)) {
    if (!Object.hasOwn(fields, name)) fields[name] = value;
  }
  return fields;
}
