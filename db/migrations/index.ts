/**
 * Every migration, by name. Names sort in the order they run (a UTC timestamp prefix); Kysely
 * refuses to run a database whose applied migrations are not a prefix of this list. Listed
 * explicitly rather than read from the folder so the compiled and the vitest-run code see the same
 * set, with no file-system scan at start.
 */
import type { Migration } from 'kysely';
import * as createProbes from './20261125000000-create-probes.js';
import * as createDemoCallDeliveries from './20261125010000-create-demo-call-deliveries.js';
import * as createBillingLedger from './20261125020000-create-billing-ledger.js';
import * as dropDemoCallDeliveries from './20261125030000-drop-demo-call-deliveries.js';
import * as createNotifications from './20261125040000-create-notifications.js';
import * as createApiKeys from './20261206000000-create-api-keys.js';
import * as notificationResends from './20261206020000-notification-resends.js';
import * as createLinkRequests from './20261208041000-create-link-requests.js';
import * as rejectedEventsArrivalIndex from './20261208050000-rejected-events-arrival-index.js';

export const migrations: Readonly<Record<string, Migration>> = {
  '20261125000000-create-probes': createProbes,
  '20261125010000-create-demo-call-deliveries': createDemoCallDeliveries,
  '20261125020000-create-billing-ledger': createBillingLedger,
  '20261125030000-drop-demo-call-deliveries': dropDemoCallDeliveries,
  '20261125040000-create-notifications': createNotifications,
  '20261206000000-create-api-keys': createApiKeys,
  '20261206020000-notification-resends': notificationResends,
  '20261208041000-create-link-requests': createLinkRequests,
  '20261208050000-rejected-events-arrival-index': rejectedEventsArrivalIndex,
};
