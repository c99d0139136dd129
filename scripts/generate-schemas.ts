/**
 * `npm run schemas`: writes the JSON Schemas of docs/schemas/ generated from the contract's zod
 * schemas (scripts/json-schemas.ts), and says which changed. Run it after changing a schema in
 * contract/; a unit test fails while a committed file differs from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/config.js';
import { jsonSchemaFiles } from './json-schemas.js';

const { root } = parseConfig({}).paths;
for (const { path, text } of await jsonSchemaFiles(root)) {
  const file = join(root, path);
  let before: string | null = null;
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    // A new schema file.
  }
  if (before === text) {
    process.stdout.write(`${path}: current\n`);
  } else {
    writeFileSync(file, text);
    process.stdout.write(`${path}: written\n`);
  }
}
