/**
 * The contract's JSON Schemas (docs/schemas/) and the zod schemas the engine runs judge the shared
 * fixtures (test/fixtures/contract/<kind>/{valid,invalid}/) alike: a Go or Python sender checking
 * its events with the JSON Schema refuses exactly what the engine refuses as `invalid_event`, and
 * a reply checked with it is one the engine can send. The call event's schema is its shape only:
 * the valid fixtures named `ingest-rejects-<reason>` pass both schemas and are then rejected at
 * ingest for that reason, which the test checks too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  callEventSchema,
  classifyCall,
  InMemoryCallDedup,
  REJECTION_CODES,
} from '../../billing/call-event.js';
import { parseInstant } from '../../billing/units.js';
import { parseConfig } from '../../config/config.js';
import { usageReplySchema } from '../../contract/usage-reply.js';
import { jsonSchemaErrors, type ContractSchemaName } from '../harness/json-schemas.js';

const fixturesDir = join(parseConfig({}).paths.root, 'test', 'fixtures', 'contract');

interface Fixture {
  readonly name: string;
  readonly value: unknown;
}

function fixtures(kind: ContractSchemaName, verdict: 'valid' | 'invalid'): Fixture[] {
  const dir = join(fixturesDir, kind, verdict);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.json$/, ''),
      value: JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown,
    }));
}

const zodSchemas = { 'call-event': callEventSchema, 'usage-reply': usageReplySchema } as const;

describe.each(['call-event', 'usage-reply'] as const)('%s fixtures', (kind) => {
  const valid = fixtures(kind, 'valid');
  const invalid = fixtures(kind, 'invalid');

  it('has enough of both kinds to mean something', () => {
    expect(valid.length).toBeGreaterThanOrEqual(3);
    expect(invalid.length).toBeGreaterThanOrEqual(20);
  });

  it.each(valid)('valid/$name passes the JSON Schema and zod', ({ value }) => {
    expect(jsonSchemaErrors(kind, value)).toEqual([]);
    const parsed = zodSchemas[kind].safeParse(value);
    expect(parsed.error?.issues).toBeUndefined();
  });

  it.each(invalid)('invalid/$name fails the JSON Schema and zod', ({ value }) => {
    expect(jsonSchemaErrors(kind, value)).not.toEqual([]);
    expect(zodSchemas[kind].safeParse(value).success).toBe(false);
  });
});

describe('call events the schema accepts, at ingest', () => {
  // The account the fixtures are sent to, and when they arrive.
  const account = {
    accountId: 'acme',
    createdAt: parseInstant('2026-01-01T00:00:00.000Z')!,
    maxLateSeconds: 3_024_000,
  };
  const arrival = parseInstant('2026-03-02T16:00:00.000Z')!;

  it.each(fixtures('call-event', 'valid'))('valid/$name', ({ name, value }) => {
    const result = classifyCall(value, account, arrival, new InMemoryCallDedup());
    const expected = /^ingest-rejects-(.+)$/.exec(name)?.[1];
    if (expected === undefined) {
      expect(result.outcome).toBe('accepted');
    } else {
      expect(REJECTION_CODES).toContain(expected);
      expect(result).toMatchObject({ outcome: 'rejected', reason: expected });
    }
  });

  it('covers every rejection code beyond the shape', () => {
    const covered = fixtures('call-event', 'valid').flatMap(
      ({ name }) => /^ingest-rejects-(.+)$/.exec(name)?.[1] ?? [],
    );
    // invalid_event is the invalid/ folder; conflicting_duplicate needs an earlier version.
    const beyondShape = REJECTION_CODES.filter(
      (code) => code !== 'invalid_event' && code !== 'conflicting_duplicate',
    );
    expect(covered.sort()).toEqual([...beyondShape].sort());
  });

  it.each(fixtures('call-event', 'invalid'))('invalid/$name is invalid_event', ({ value }) => {
    const result = classifyCall(value, account, arrival, new InMemoryCallDedup());
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'invalid_event' });
  });
});
