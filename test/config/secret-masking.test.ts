import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config/config.js';

/** The message of the ConfigError parsing `env` throws. */
function errorOf(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('parseConfig accepted the environment');
}

describe('configuration errors and secrets', () => {
  it('names a bad secret variable but never shows its value', () => {
    const value = 'too-short-but-secret-Xy7';
    const message = errorOf({ BILLING_LINK_SECRET: value });
    expect(message).toContain('BILLING_LINK_SECRET: use at least 32 characters (value hidden)');
    expect(message).not.toContain(value);
  });

  it('hides the passwords in bad database and SMTP URLs', () => {
    const message = errorOf({
      DATABASE_URL: 'mysql://billing:db-password-9f2@db/billing',
      SMTP_URL: 'http://user:smtp-password-4c1@relay',
    });
    expect(message).toMatch(/DATABASE_URL: expected a postgres:\/\/ URL/);
    expect(message).toMatch(/SMTP_URL: expected an smtp:\/\/ or smtps:\/\/ URL/);
    expect(message).not.toContain('db-password-9f2');
    expect(message).not.toContain('smtp-password-4c1');
  });

  it('hides each previous link key, and still shows values that are not secrets', () => {
    const message = errorOf({
      BILLING_LINK_PREVIOUS_SECRETS: `${'p'.repeat(40)},short-previous-key`,
      HTTP_PORT: '70000',
    });
    expect(message).toContain('BILLING_LINK_PREVIOUS_SECRETS');
    expect(message).not.toContain('short-previous-key');
    expect(message).not.toContain('p'.repeat(40));
    expect(message).toContain("HTTP_PORT: Too big: expected number to be <=65535 (got '70000')");
  });
});
