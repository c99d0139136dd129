/** `billing api-keys` through the compiled CLI, against a test database. */
import { beforeAll, describe, expect, it } from 'vitest';
import { insertAccountOnce } from '../../../db/repositories/accounts.js';
import { insertPlanOnce } from '../../../db/repositories/plans.js';
import { authenticate } from '../../../edge/authenticate.js';
import { UnknownKeyPrefixes } from '../../../edge/unknown-key-prefixes.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { runBilling } from '../../harness/cli.js';
import { growthPlan } from '../../harness/accounts.js';
import { useTestDatabase } from '../../harness/stack.js';

const database = useTestDatabase('api_keys_cli');
let env: Record<string, string>;

beforeAll(async () => {
  env = { DATABASE_URL: database.url, LOG_LEVEL: 'WARN' };
  await insertPlanOnce(database.db, { id: 'growth', name: 'Growth', definition: growthPlan });
  for (const id of ['acme', 'globex']) {
    await insertAccountOnce(database.db, {
      id,
      plan_id: 'growth',
      time_zone: 'UTC',
      created_at: new Date(),
      billing_anchor: null,
      grace_seconds: 3600,
      max_late_seconds: 86_400,
    });
  }
});

describe('billing api-keys', () => {
  it('creates a key shown once, lists it without the secret, and revokes it', async () => {
    const created = await runBilling(
      ['api-keys', 'create', 'acme', '--name', 'twilio', '--json'],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as Record<string, string>;
    expect(key).toMatchObject({ accountId: 'acme', name: 'twilio', revokedAt: null });
    expect(key.key).toMatch(/^vck_[0-9a-f]{12}_/);
    expect(key.key!.startsWith(key.prefix!)).toBe(true);
    const auth = await authenticate(database.db, `Bearer ${key.key}`, new UnknownKeyPrefixes(0));
    expect(auth.ok && auth.row.account_id).toBe('acme');

    const text = await runBilling(['api-keys', 'create', 'acme'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\n {2}vck_[0-9a-f]{12}_\S{43}\n/);
    expect(text.stdout).toMatch(/shown only this once/);

    const listed = await runBilling(['api-keys', 'list', 'acme', '--json'], env);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(rows.map((r) => r.name)).toEqual(['twilio', 'default']);
    expect(listed.stdout).not.toContain(key.key);
    expect(rows.every((r) => !('key' in r))).toBe(true);
    const plain = await runBilling(['api-keys', 'list', 'acme'], env);
    expect(plain.stdout).toContain(`${key.prefix}…`);
    expect(plain.stdout).not.toContain(key.key);
    expect((await runBilling(['api-keys', 'list', 'globex'], env)).stdout).toBe(
      'no API keys for account globex\n',
    );

    const revoked = await runBilling(['api-keys', 'revoke', key.id!], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(
      `revoked API key ${key.id} of account acme: it stops working now\n`,
    );
    expect(
      (await authenticate(database.db, `Bearer ${key.key}`, new UnknownKeyPrefixes(0))).ok,
    ).toBe(false);
    const again = await runBilling(['api-keys', 'revoke', key.id!, '--json'], env);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { revokedAt: string }).revokedAt).toMatch(/^\d{4}-/);
  });

  it('refuses bad usage and unknown accounts or keys with 2, an unreachable database with 1', async () => {
    const cases: [string[], RegExp][] = [
      [['api-keys'], /usage: billing api-keys create/],
      [['api-keys', 'rotate', 'acme'], /usage/],
      [['api-keys', 'create'], /usage/],
      [['api-keys', 'create', 'ghost'], /no account has id 'ghost'/],
      [['api-keys', 'list', 'ghost'], /no account has id 'ghost'/],
      [['api-keys', 'list', 'ghost', '--json'], /no account has id 'ghost'/],
      [['api-keys', 'revoke', 'abc'], /a key id is a positive integer/],
      [['api-keys', 'revoke', '999999'], /no API key has id 999999/],
      [['api-keys', 'list', 'acme', '--name', 'x'], /--name is only for create/],
      [['api-keys', 'create', 'acme', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const result = await runBilling(args, env);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    const down = `postgres://postgres@127.0.0.1:${await freePort()}/none`;
    const unreachable = await runBilling(['api-keys', 'list', 'acme'], { DATABASE_URL: down });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^api-keys: .*\(database postgres:\/\/.*DATABASE_URL\)\n$/);
  });
});
