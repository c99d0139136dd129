/**
 * The account workflow's messages in: each is validated, then queued in the inbox for the loop;
 * an update answers once the loop has applied it. Registered before the account loads, so
 * messages delivered with the start (signal-with-start, update-with-start) wait in the inbox.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Inbox } from './inbox.js';
import { callCompleted, recordCalls, recordCallsSchema } from '../../contract/call-events.js';
import { CONTINUING_AS_NEW_ERROR } from '../../contract/failures.js';
import { usage } from '../../contract/usage-query.js';
import type { UsageReply } from '../../contract/usage-reply.js';
import { REQUEST_KINDS, type RequestDefinition, type RequestKind } from './request-kinds.js';

/**
 * Where a run stands: `loading` its account, `billing` it, `continuing` as new (it only
 * finishes what was accepted; new call batches wait for the next run), or `draining` the
 * messages of an account that does not exist.
 */
export type Phase = 'loading' | 'billing' | 'continuing' | 'draining';

export interface MessageTargets {
  accountId: string;
  inbox: Inbox;
  phase(): Phase;
  usage(): UsageReply;
}

export function registerHandlers(targets: MessageTargets): void {
  const { accountId, inbox } = targets;
  setHandler(callCompleted, (event) => inbox.enqueueEvent(event));
  setHandler(
    recordCalls,
    async ({ events }) => {
      const waiters = inbox.enqueueWaited(events);
      await condition(() => inbox.answered(waiters));
      return { outcomes: inbox.takeAnswers(waiters) };
    },
    {
      validator: (input) => {
        validated(recordCallsSchema, input);
        // New batches wait for the next run, so a stream of updates cannot hold this one open.
        if (targets.phase() === 'continuing') {
          throw ApplicationFailure.create({
            type: CONTINUING_AS_NEW_ERROR,
            message: `account ${accountId} is continuing as new: send the same update again`,
            nonRetryable: true,
          });
        }
      },
    },
  );
  for (const kind of Object.keys(REQUEST_KINDS) as RequestKind[]) {
    registerRequest(inbox, kind);
  }
  setHandler(usage, () => targets.usage());
}

/** A request update: validated, queued for the loop, answered with its (first) result. */
function registerRequest<K extends RequestKind>(inbox: Inbox, kind: K): void {
  const { update, schema, idOf }: RequestDefinition<K> = REQUEST_KINDS[kind];
  setHandler(
    update,
    async (raw) => {
      const input = validated(schema, raw);
      const reply = await inbox.awaitRequest(kind, idOf(input), input);
      if (!reply.ok) {
        throw ApplicationFailure.create({ ...reply.error, nonRetryable: true });
      }
      return reply.value;
    },
    { validator: (raw) => void validated(schema, raw) },
  );
}

/** Validates a message's input with its schema; a throw refuses the update with the message. */
function validated<Out>(schema: z.ZodType<Out>, input: unknown): Out {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
    throw new Error(`invalid input: ${problems.join('; ')}`);
  }
  return parsed.data;
}
