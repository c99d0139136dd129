/**
 * The contract's JSON Schemas (docs/schemas/) compiled with ajv, as a Go or Python team would use
 * them: draft 2020-12, formats checked (ajv-formats), strict mode so a typo in a schema fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parseConfig } from '../../config/config.js';

export type ContractSchemaName = 'call-event' | 'usage-reply';

const schemasDir = join(parseConfig({}).paths.root, 'docs', 'schemas');
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);

const validators = new Map<ContractSchemaName, ReturnType<typeof ajv.compile>>();

/** Validates `value` against docs/schemas/<name>.schema.json: `[]` when it conforms. */
export function jsonSchemaErrors(name: ContractSchemaName, value: unknown): ErrorObject[] {
  let validate = validators.get(name);
  if (validate === undefined) {
    const path = join(schemasDir, `${name}.schema.json`);
    validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
    validators.set(name, validate);
  }
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
