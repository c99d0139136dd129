import type { Logger } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { AccountWorkflowClient } from '../client/account-workflow-client.js';
import type { Database } from '../db/schema.js';
import type { Config } from '../config/config.js';
import type { AccountLimiter } from './account-limiter.js';
import type { EdgeMetrics } from './metrics.js';
import type { UnknownKeyPrefixes } from './unknown-key-prefixes.js';

/** What the edge's routes share: its dependencies, configuration, limiter and metrics. */
export interface EdgeContext {
  readonly billing: AccountWorkflowClient;
  readonly db: Kysely<Database>;
  readonly config: Config['edge'];
  readonly clock: () => number;
  readonly logger: Logger;
  readonly limiter: AccountLimiter;
  readonly metrics: EdgeMetrics;
  readonly unknownKeyPrefixes: UnknownKeyPrefixes;
}
