import type { Kysely } from 'kysely';
import type { AccountWorkflowClient } from '../../client/account-workflow-client.js';
import type { Database } from '../../db/schema.js';
import type { BillingLinkRequests } from '../../services/billing-link-requests.js';
import type { SessionAccess } from './session-access.js';

/** What the billing page's routes share: built once by the plugin from its options. */
export interface BillingPageContext {
  readonly billing: AccountWorkflowClient;
  readonly db: Kysely<Database>;
  readonly access: SessionAccess;
  readonly linkRequests: BillingLinkRequests;
  readonly now: () => number;
  /** The largest purchase the form takes, in millicredits. */
  readonly maxPurchase: bigint;
  /** The host of the public base URL, whose forms may post link requests. */
  readonly publicHost: string;
}
