/**
 * Custom search attributes registered with the Temporal dev server at start (the dev stack and the
 * test harness both pass these as `--search-attribute name=type`). This is the one place to add
 * them: the account workflow's (account id, plan, status, usage percent, cycle end) go here when it
 * lands. The dev server's SQLite visibility store allows at most 3 Int, 3 Datetime and 10 Keyword
 * custom attributes.
 */
export type SearchAttributeType =
  'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface SearchAttributeDefinition {
  readonly name: string;
  readonly type: SearchAttributeType;
}

export const customSearchAttributes: readonly SearchAttributeDefinition[] = [];
