/**
 * The edge in the integration tests: an account with an API key on a stack, and a POST of a raw
 * body to the edge's call-event route, optionally from another loopback address.
 */
import { request } from 'node:http';
import { formatInstant } from '../../billing/units.js';
import { insertApiKey } from '../../db/repositories/api-keys.js';
import { generateApiKey } from '../../edge/api-key.js';
import { uniqueAccountId } from './accounts.js';
import type { Stack } from './stack.js';

/** An account on the `growth` plan, created 10 days ago, and a live API key of it. */
export async function accountWithKey(
  bed: Stack,
  name: string,
): Promise<{ id: string; key: string }> {
  const id = uniqueAccountId(name);
  await bed.provisioning.createAccount({
    id,
    planId: 'growth',
    timeZone: 'UTC',
    createdAt: formatInstant(Date.now() - 10 * 86_400_000),
  });
  const generated = generateApiKey();
  await insertApiKey(bed.database.db, {
    account_id: id,
    prefix: generated.prefix,
    secret_hash: generated.secretHash,
    name: 'test',
    revoked_at: null,
    last_used_at: null,
  });
  return { id, key: generated.key };
}

export interface EdgeAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POST /v1/call-events with `body` as is (JSON text), from `localAddress` when given. */
export function postCallEvents(
  base: string,
  key: string,
  body: string,
  localAddress?: string,
): Promise<EdgeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/v1/call-events`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
