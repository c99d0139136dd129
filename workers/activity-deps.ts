import type { Kysely } from 'kysely';
import type { ActivityDeps } from '../activities/index.js';
import type { Mailer } from '../mail/mailer.js';
import { createPaymentPort } from '../activities/payments/index.js';
import type { Database } from '../db/schema.js';
import type { Config } from '../config/config.js';

/**
 * The activities' dependencies from the configuration, shared by the worker entrypoint and the
 * in-process test workers; `overrides` lets a test inject a fault hook or another adapter.
 */
export function activityDeps(
  config: Config,
  db: Kysely<Database>,
  mailer: Mailer,
  overrides: Partial<ActivityDeps> = {},
): ActivityDeps {
  return {
    db,
    mailer,
    workerIdentity: config.worker.identity,
    accountWorkflow: config.accountWorkflow,
    activityStartToCloseMs: config.activities.startToCloseTimeoutMs,
    payments: createPaymentPort(config.payments, db),
    links: config.links,
    messageIdDomain: config.smtp.messageIdDomain,
    ...overrides,
  };
}
