import { describe, expect, it } from 'vitest';
import { billingEmailsSchema, emailAddressProblem } from '../../client/contacts.js';
import { createAccountSchema } from '../../client/account-input.js';
import { describeIssues } from '../../billing/schema-helpers.js';

function problems(list: unknown): string {
  const parsed = billingEmailsSchema.safeParse(list);
  return parsed.success ? 'ok' : describeIssues(parsed.error, 'billingEmails');
}

describe('billing contacts', () => {
  it('accepts the addresses people use', () => {
    for (const address of [
      'ops@example.com',
      'first.last+billing@sub.example.co.uk',
      "o'brien@example.ie",
      'x@xn--bcher-kva.example',
      'a@b-c.io',
    ]) {
      expect(emailAddressProblem(address), address).toBeNull();
    }
  });

  it('names each bad address and what is wrong with it', () => {
    expect(problems(['ops@example.com', 'bob@', 'alice example@x.com', 'a@localhost'])).toBe(
      [
        'billingEmails.1: "bob@" needs a name, an @ and a domain (write it like ops@example.com)',
        'billingEmails.2: "alice example@x.com" has a name with spaces, quotes or misplaced dots (write it like ops@example.com)',
        'billingEmails.3: "a@localhost" has a domain that is not a host name such as example.com (write it like ops@example.com)',
      ].join('\n'),
    );
    expect(problems(['a..b@example.com'])).toMatch(/misplaced dots/);
    expect(problems(['a@-example.com'])).toMatch(/not a host name/);
    expect(problems(['a@example.c0m'])).toMatch(/no top-level domain/);
    expect(problems([`${'a'.repeat(65)}@example.com`])).toMatch(/longer than 64/);
    const longDomain = Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.');
    expect(problems([`a@${longDomain}.com`])).toMatch(/longer than 254/);
  });

  it('stores domains in lower case, refuses duplicates and more than ten', () => {
    expect(billingEmailsSchema.parse([' Ops@Example.COM '])).toEqual(['Ops@example.com']);
    expect(problems(['ops@example.com', 'OPS@EXAMPLE.com'])).toBe(
      'billingEmails.1: OPS@example.com is listed twice',
    );
    expect(problems(Array.from({ length: 11 }, (_, i) => `u${i}@example.com`))).toMatch(
      /at most 10 billing emails/,
    );
  });

  it('is the check an account is created with', () => {
    const parsed = createAccountSchema.safeParse({
      id: 'acme',
      planId: 'growth',
      timeZone: 'UTC',
      billingEmails: ['billing@acme'],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.success ? '' : describeIssues(parsed.error, 'account')).toMatch(
      /^account\.billingEmails\.0: "billing@acme" has a domain/,
    );
  });
});
