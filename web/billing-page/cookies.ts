/**
 * The Cookie and Set-Cookie headers (RFC 6265), just what the billing page needs: reading the
 * request's cookies and writing one cookie with its attributes.
 */

/** A cookie name is an RFC 7230 token; values here are base64url and dots, never quoted. */
const NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VALUE_RE = /^[!#$%&'()*+./0-9:<=>?@A-Z[\]^_`a-z{|}~-]*$/;

/**
 * The cookies of a Cookie header, first occurrence of a name winning (browsers send the most
 * specific path first). Malformed pairs are skipped, not fatal: the header is the client's.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    if (!NAME_RE.test(name) || !VALUE_RE.test(value) || cookies.has(name)) continue;
    cookies.set(name, value);
  }
  return cookies;
}

export interface CookieAttributes {
  path: string;
  /** Seconds from now; 0 deletes the cookie. */
  maxAge: number;
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'Strict' | 'Lax';
}

/** A Set-Cookie header value; throws on a name or value a cookie cannot carry unquoted. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  if (!NAME_RE.test(name)) throw new Error(`invalid cookie name ${JSON.stringify(name)}`);
  if (!VALUE_RE.test(value)) throw new Error(`invalid cookie value for ${name}`);
  if (!/^\/[^;\s]*$/.test(attributes.path)) throw new Error('a cookie path starts with /');
  const parts = [
    `${name}=${value}`,
    `Path=${attributes.path}`,
    `Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`,
    `SameSite=${attributes.sameSite}`,
  ];
  if (attributes.httpOnly) parts.push('HttpOnly');
  if (attributes.secure) parts.push('Secure');
  return parts.join('; ');
}
