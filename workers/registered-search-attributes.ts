/**
 * Custom search attributes registered with the Temporal dev server at start (the dev stack and the
 * test harness both pass these as `--search-attribute name=type`; the compose stack and a
 * production cluster register the same names with `temporal operator search-attribute create`).
 * The keys themselves are the contract's (contract/search-attributes.ts); this gives their types
 * the Temporal CLI's names. It lives with the worker, which checks at start that the namespace has
 * them (search-attributes.ts), so the worker imports nothing from scripts/.
 */
import { accountSearchAttributeKeys } from '../contract/search-attributes.js';

export type SearchAttributeType =
  'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface SearchAttributeDefinition {
  readonly name: string;
  readonly type: SearchAttributeType;
}

const cliTypes: Record<(typeof accountSearchAttributeKeys)[number]['type'], SearchAttributeType> = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  DATETIME: 'Datetime',
};

export const customSearchAttributes: readonly SearchAttributeDefinition[] =
  accountSearchAttributeKeys.map((key) => ({ name: key.name, type: cliTypes[key.type] }));
