/**
 * Custom search attributes registered with the Temporal dev server at start (the dev stack and the
 * test harness both pass these as `--search-attribute name=type`; the compose stack and a
 * production cluster register the same names with `temporal operator search-attribute create`).
 * The keys themselves are defined beside the workflow that sets them.
 */
import { accountSearchAttributeKeys } from '../../contract/search-attributes.js';

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
