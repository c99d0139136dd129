import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'secret-files-'));

function secretFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('secrets from files (<NAME>_FILE, as compose mounts secrets)', () => {
  it('reads the link key, previous keys, database password and SMTP URL from files', () => {
    const config = parseConfig({
      BILLING_LINK_SECRET_FILE: secretFile('link', `${'k'.repeat(40)}\n`),
      BILLING_LINK_PREVIOUS_SECRETS_FILE: secretFile(
        'previous',
        `${'a'.repeat(32)},${'b'.repeat(32)}`,
      ),
      DATABASE_URL: 'postgres://billing@postgres:5432/billing',
      DATABASE_PASSWORD_FILE: secretFile('db', 'p@ss/word\n'),
      SMTP_URL_FILE: secretFile('smtp', 'smtps://user:pw@smtp.example.com:465\n'),
      PUBLIC_BASE_URL: 'https://billing.example.com',
    });
    expect(config.links).toMatchObject({ secret: 'k'.repeat(40), secretIsDevDefault: false });
    expect(config.billingPage.previousLinkSecrets).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
    // The password is percent-encoded into the URL.
    expect(config.postgres.url).toBe('postgres://billing:p%40ss%2Fword@postgres:5432/billing');
    expect(config.smtp.url).toBe('smtps://user:pw@smtp.example.com:465');
  });

  it('refuses a variable given twice, or a file it cannot read, naming the variable', () => {
    expect(() =>
      parseConfig({
        BILLING_LINK_SECRET: 'k'.repeat(40),
        BILLING_LINK_SECRET_FILE: secretFile('twice', 'k'.repeat(40)),
      }),
    ).toThrow(/BILLING_LINK_SECRET_FILE: give BILLING_LINK_SECRET or BILLING_LINK_SECRET_FILE/);
    expect(() => parseConfig({ SMTP_URL_FILE: join(dir, 'missing') })).toThrow(
      /SMTP_URL_FILE: cannot read .*missing \(ENOENT\)/,
    );
  });

  it('checks a value from a file like any other, without showing it', () => {
    const message = (() => {
      try {
        parseConfig({ BILLING_LINK_SECRET_FILE: secretFile('short', 'short-file-secret') });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('BILLING_LINK_SECRET: use at least 32 characters');
    expect(message).not.toContain('short-file-secret');
  });

  it('reads only the secrets: other variables have no _FILE form', () => {
    expect(parseConfig({ HTTP_HOST_FILE: join(dir, 'missing') }).edge.host).toBe('127.0.0.1');
  });
});
