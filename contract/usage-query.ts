/** The `usage` query: the account's figures as of now, answered from the workflow's state. */
import { defineQuery } from '@temporalio/workflow';
import type { UsageReply } from './usage-reply.js';

export const usage = defineQuery<UsageReply>('usage');
