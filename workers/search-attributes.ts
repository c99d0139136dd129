/**
 * The worker refuses to start against a namespace that lacks the account workflow's search
 * attributes: the workflow upserts them, and an upsert of an unregistered attribute fails every
 * workflow task, which would stall each account's billing until someone registers them.
 */
// Not re-exported by the package's index; the same encoding the SDK uses for the server's enum.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import type { Connection } from '@temporalio/client';
import { customSearchAttributes } from '../scripts/stack/search-attributes.js';
import { accountSearchAttributeKeys } from '../workflows/account/search-attributes.js';

export class SearchAttributesMissingError extends Error {
  override readonly name = 'SearchAttributesMissingError';
}

/** The account attributes the namespace lacks or has with another type, as `Name (Type)`. */
export async function missingSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return accountSearchAttributeKeys.flatMap((key, i) => {
    const registered = customAttributes[key.name];
    return registered === encodeSearchAttributeIndexedValueType(key.type)
      ? []
      : [`${key.name} (${customSearchAttributes[i]!.type})`];
  });
}

/** Throws, naming the commands that fix it, when any account attribute is not registered. */
export async function assertSearchAttributesRegistered(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<void> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing.length === 0) return;
  const commands = customSearchAttributes.map(
    ({ name, type }) =>
      `  temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${type}`,
  );
  throw new SearchAttributesMissingError(
    `namespace ${namespace} lacks search attributes the account workflow sets: ${missing.join(', ')}. ` +
      `Register them (docs/operations.md) and start the worker again:\n${commands.join('\n')}`,
  );
}
