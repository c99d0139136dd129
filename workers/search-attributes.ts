/**
 * The worker refuses to start against a namespace that lacks the account workflow's search
 * attributes: the workflow upserts them, and an upsert of an unregistered attribute fails every
 * workflow task, which would stall each account's billing until someone registers them. An
 * identity not allowed to list them (a least-privilege key, a hosted service) starts with a
 * warning instead: the check is a safety net, not a requirement.
 */
import type { Connection } from '@temporalio/client';
// A CommonJS package: Node's ESM loader gives only its default export.
import proto from '@temporalio/proto';
import { customSearchAttributes } from './registered-search-attributes.js';
import { accountSearchAttributeKeys } from '../contract/search-attributes.js';

export class SearchAttributesMissingError extends Error {
  override readonly name = 'SearchAttributesMissingError';
}

/** gRPC status codes of "this identity may not ask" and "this server does not answer that". */
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;

function notPermitted(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === PERMISSION_DENIED || code === UNIMPLEMENTED;
}

/**
 * The account attributes the namespace lacks or has with another type, as `Name (Type)`; null when
 * this identity may not list them (nothing can be said).
 */
export async function missingSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<string[] | null> {
  let customAttributes: Record<string, proto.temporal.api.enums.v1.IndexedValueType>;
  try {
    ({ customAttributes } = await connection.operatorService.listSearchAttributes({ namespace }));
  } catch (error) {
    if (notPermitted(error)) return null;
    throw error;
  }
  const { IndexedValueType } = proto.temporal.api.enums.v1;
  return accountSearchAttributeKeys.flatMap((key, i) => {
    const wanted = IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`];
    return customAttributes[key.name] === wanted
      ? []
      : [`${key.name} (${customSearchAttributes[i]!.type})`];
  });
}

/**
 * Throws, naming the commands that fix it, when any account attribute is not registered; calls
 * `cannotCheck` when this identity may not list them.
 */
export async function assertSearchAttributesRegistered(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  cannotCheck: () => void,
): Promise<void> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing === null) return cannotCheck();
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
