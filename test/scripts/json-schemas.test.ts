/**
 * The JSON Schemas generated from the contract's zod schemas are committed as the generator
 * writes them now: after changing a schema in contract/, run `npm run schemas` and commit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../../scripts/json-schemas.js';
import { parseConfig } from '../../config/config.js';

const { root } = parseConfig({}).paths;

describe('the generated JSON Schemas', () => {
  it('are committed as `npm run schemas` writes them now', async () => {
    const files = await jsonSchemaFiles(root);
    expect(files.map((f) => f.path)).toContain('docs/schemas/usage-reply.schema.json');
    for (const { path, text } of files) {
      expect(readFileSync(join(root, path), 'utf8'), `${path}: run npm run schemas`).toBe(text);
    }
  });
});
