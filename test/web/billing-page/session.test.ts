import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie } from '../../../web/billing-page/cookies.js';
import { parseForm } from '../../../web/billing-page/form.js';
import {
  createSession,
  csrfToken,
  verifyCsrfToken,
  verifySession,
} from '../../../web/billing-page/session.js';
import { signBillingLink } from '../../../links/signed-link.js';

const key = 'test-secret-of-at-least-thirty-two-characters';
const oldKey = 'old-secret-of-at-least-thirty-two-characters';
const now = Date.parse('2026-11-25T10:00:00Z');
const inAnHour = now + 3_600_000;

describe('cookies', () => {
  it('reads a Cookie header, the first of a repeated name, skipping malformed pairs', () => {
    const cookies = parseCookies('a=1; billing_session=x.y; a=2; bad; =v; q="quoted"; sp=a b');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['billing_session', 'x.y'],
      ['q', 'quoted'],
    ]);
    expect(parseCookies(undefined).size).toBe(0);
  });

  it('writes a Set-Cookie with its attributes and refuses what a cookie cannot carry', () => {
    expect(
      serializeCookie('s', 'abc.def', {
        path: '/billing',
        maxAge: 3600.9,
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
      }),
    ).toBe('s=abc.def; Path=/billing; Max-Age=3600; SameSite=Strict; HttpOnly; Secure');
    const plain = {
      path: '/',
      maxAge: 0,
      httpOnly: false,
      secure: false,
      sameSite: 'Lax',
    } as const;
    expect(serializeCookie('s', '', plain)).toBe('s=; Path=/; Max-Age=0; SameSite=Lax');
    expect(() => serializeCookie('s', 'a;b', plain)).toThrow(/invalid cookie value/);
    expect(() => serializeCookie('s s', 'a', plain)).toThrow(/invalid cookie name/);
  });
});

describe('forms', () => {
  it('decodes a urlencoded body, first value wins, no prototype', () => {
    const form = parseForm('credits=12.5&recurring=yes&credits=99&__proto__=x&note=a+b%26c');
    expect(Object.entries(form)).toEqual([
      ['credits', '12.5'],
      ['recurring', 'yes'],
      ['__proto__', 'x'],
      ['note', 'a b&c'],
    ]);
    expect(Object.getPrototypeOf(form)).toBeNull();
  });
});

describe('sessions', () => {
  it('names its account until it expires', () => {
    const session = createSession('team:eu.1', inAnHour + 999, key);
    expect(session.expiresAt).toBe(inAnHour);
    expect(verifySession(session.value, key, now)).toEqual(session);
    expect(verifySession(session.value, key, inAnHour - 1)?.accountId).toBe('team:eu.1');
    expect(verifySession(session.value, key, inAnHour)).toBeNull();
  });

  it('is new each time (a nonce), and any edit breaks it', () => {
    const a = createSession('acme', inAnHour, key);
    const b = createSession('acme', inAnHour, key);
    expect(a.value).not.toBe(b.value);
    const [account, expires, nonce, sig] = a.value.split('.');
    const other = Buffer.from('globex').toString('base64url');
    for (const forged of [
      `${other}.${expires}.${nonce}.${sig}`,
      `${account}.${Number(expires) + 3600}.${nonce}.${sig}`,
      `${account}.${expires}.${b.value.split('.')[2]}.${sig}`,
      `${account}.${expires}.${nonce}.${sig!.slice(0, -1)}${sig!.endsWith('A') ? 'B' : 'A'}`,
      '',
      'garbage',
    ]) {
      expect(verifySession(forged, key, now)).toBeNull();
    }
    expect(verifySession(a.value, 'another-secret-of-at-least-thirty-two-chars', now)).toBeNull();
  });

  it('cannot be made from a link signature (another purpose under the same key)', () => {
    const link = new URL(
      signBillingLink({
        baseUrl: 'https://x.example',
        accountId: 'acme',
        expiresAt: inAnHour,
        secret: key,
      }),
    );
    const sig = link.searchParams.get('sig')!;
    const expires = link.searchParams.get('expires')!;
    const account = Buffer.from('acme').toString('base64url');
    expect(
      verifySession(`${account}.${expires}.AAAAAAAAAAAAAAAAAAAAAA.${sig}`, key, now),
    ).toBeNull();
  });

  it('accepts the previous key while keys rotate', () => {
    const session = createSession('acme', inAnHour, oldKey);
    expect(verifySession(session.value, [key, oldKey], now)?.accountId).toBe('acme');
    expect(verifySession(session.value, [key], now)).toBeNull();
  });
});

describe('CSRF tokens', () => {
  it('belong to one session', () => {
    const a = createSession('acme', inAnHour, key);
    const b = createSession('acme', inAnHour, key);
    const token = csrfToken(a, key);
    expect(verifyCsrfToken(a, token, key)).toBe(true);
    expect(verifyCsrfToken(b, token, key)).toBe(false);
    expect(verifyCsrfToken(a, csrfToken(b, key), key)).toBe(false);
    for (const bad of [undefined, '', 'x', token.slice(1), `${token}A`, 42]) {
      expect(verifyCsrfToken(a, bad, key)).toBe(false);
    }
  });

  it('are not the session signature or the link signature', () => {
    const a = createSession('acme', inAnHour, key);
    expect(verifyCsrfToken(a, a.value.split('.')[3], key)).toBe(false);
  });
});
