/**
 * The account requests, each an update of the account workflow keyed by a request id:
 * `purchase`, `cancel-purchase`, `change-plan` and `retry-payment`. An id is generated when none
 * is given and always printed: running the command again with that id is safe (the workflow
 * answers with the first result, `replayed: true`), so a timeout or a lost answer is retried with
 * the same id, never a new one.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { describeIssues } from '../../billing/schema-helpers.js';
import { findPlan } from '../../db/repositories/plans.js';
import {
  cancelPurchaseSchema,
  changePlanSchema,
  purchaseCreditsSchema,
  retryPaymentSchema,
  type ChangePlanInput,
} from '../../contract/requests.js';
import { formatMoney } from '../../format/numbers.js';
import { creditsText } from '../format.js';
import { notFound, requireAccount, runCommand, usageError } from '../output.js';

const EXIT_NOTE = 'Exit 1 when the account workflow refuses the request (the message says why).';

/**
 * Checks `input` as the workflow's validator will, so bad input exits 2 before anything is sent;
 * returns `input` itself, as sent (the schema's output is the workflow's own form, such as credits
 * in millicredits, which must not be sent back as if it were the input).
 */
function checked<S extends z.ZodType, T extends z.input<S>>(schema: S, input: T): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw usageError(describeIssues(parsed.error, ''));
  return input;
}

const newRequestId = (prefix: string) => `${prefix}-${randomUUID()}`;

const replayedNote = (replayed: boolean, requestId: string) =>
  replayed
    ? `(request ${requestId} was done before: this is its first result)`
    : `(request ${requestId}: run again with this id to retry safely)`;

const purchaseSpec = {
  name: 'purchase',
  help: `usage: billing purchase <accountId> --credits <decimal> [--recurring] [--purchase-id <id>]
         [--json]

Adds credits to the open cycle (with --recurring, to every cycle from now until cancelled).
--credits is a decimal such as 12.5 (at most 3 decimals). Without --purchase-id one is generated
and printed: reuse it to retry without buying twice. ${EXIT_NOTE}`,
  options: {
    credits: { type: 'string' },
    recurring: { type: 'boolean', default: false },
    'purchase-id': { type: 'string' },
  },
  positionals: [1, 1],
} as const;

export const purchase = {
  run: (args: string[]) =>
    runCommand(purchaseSpec, args, async ({ values, positionals }, context) => {
      if (values.credits === undefined) throw usageError('missing --credits');
      const input = checked(purchaseCreditsSchema, {
        purchaseId: values['purchase-id'] ?? newRequestId('purchase'),
        credits: values.credits,
        recurring: values.recurring,
      });
      const account = await requireAccount(context, positionals[0]!);
      const result = await (await context.billing()).purchaseCredits(account.id, input);
      return {
        json: result,
        text:
          `purchased ${creditsText(result.purchasedMillicredits)} credits` +
          `${result.recurring ? ' every cycle' : ''} for ${account.id}, purchase id ${result.purchaseId}\n` +
          `open cycle: ${creditsText(result.cycle.remainingMillicredits)} of ` +
          `${creditsText(result.cycle.availableMillicredits)} credits remaining\n` +
          replayedNote(result.replayed, result.requestId),
      };
    }),
};

const cancelSpec = {
  name: 'cancel-purchase',
  help: `usage: billing cancel-purchase <accountId> <purchaseId> [--request-id <id>] [--json]

Stops a recurring purchase from the next cycle on (credits already granted stay). Reports
cancelled: false when no active recurring purchase has that id. ${EXIT_NOTE}`,
  options: { 'request-id': { type: 'string' } },
  positionals: [2, 2],
} as const;

export const cancelPurchase = {
  run: (args: string[]) =>
    runCommand(cancelSpec, args, async ({ values, positionals }, context) => {
      const input = checked(cancelPurchaseSchema, {
        requestId: values['request-id'] ?? newRequestId('cancel'),
        purchaseId: positionals[1]!,
      });
      const account = await requireAccount(context, positionals[0]!);
      const result = await (await context.billing()).cancelPurchase(account.id, input);
      return {
        json: result,
        text:
          (result.cancelled
            ? `recurring purchase ${result.purchaseId} of ${account.id} cancelled`
            : `no active recurring purchase ${result.purchaseId} on ${account.id}: nothing changed`) +
          `\n${replayedNote(result.replayed, result.requestId)}`,
      };
    }),
};

const changePlanSpec = {
  name: 'change-plan',
  help: `usage: billing change-plan <accountId> <planId> [--effective now|next-cycle]
         [--request-id <id>] [--json]

Moves the account to another plan, now or from the next cycle (the default is the billing
rules': an upgrade now, a downgrade next cycle). Exit 3 when the plan does not exist. ${EXIT_NOTE}`,
  options: { effective: { type: 'string' }, 'request-id': { type: 'string' } },
  positionals: [2, 2],
} as const;

export const changePlan = {
  run: (args: string[]) =>
    runCommand(changePlanSpec, args, async ({ values, positionals }, context) => {
      const input = checked(changePlanSchema, {
        requestId: values['request-id'] ?? newRequestId('plan'),
        planId: positionals[1]!,
        // Checked against the schema's choices just below.
        ...(values.effective === undefined
          ? {}
          : { effective: values.effective as ChangePlanInput['effective'] }),
      });
      const account = await requireAccount(context, positionals[0]!);
      if ((await findPlan(context.db(), input.planId)) === undefined) {
        throw notFound(`no plan has id ${input.planId} (billing plans list shows them)`);
      }
      const result = await (await context.billing()).changePlan(account.id, input);
      return {
        json: result,
        text:
          `${account.id} moves to plan ${result.planId} ${result.effective === 'now' ? 'now' : 'from the next cycle'}` +
          ` (${result.effectiveFrom})\n${replayedNote(result.replayed, result.requestId)}`,
      };
    }),
};

const retrySpec = {
  name: 'retry-payment',
  help: `usage: billing retry-payment <accountId> [--request-id <id>] [--json]

Charges every invoice of the account whose payment failed again, and reports each outcome.
${EXIT_NOTE}`,
  options: { 'request-id': { type: 'string' } },
  positionals: [1, 1],
} as const;

export const retryPayment = {
  run: (args: string[]) =>
    runCommand(retrySpec, args, async ({ values, positionals }, context) => {
      const input = checked(retryPaymentSchema, {
        requestId: values['request-id'] ?? newRequestId('retry'),
      });
      const account = await requireAccount(context, positionals[0]!);
      const result = await (await context.billing()).retryPayment(account.id, input);
      const lines = result.invoices.map(
        (inv) =>
          `cycle ${inv.cycleIndex} (${inv.cycleStart}): ${formatMoney(inv.amountMinor, inv.currency)} ` +
          `${inv.status}${inv.error === null ? '' : `: ${inv.error}`} (attempt ${inv.attempt})`,
      );
      return {
        json: result,
        text:
          (lines.length === 0 ? `${account.id} has no unpaid invoice` : lines.join('\n')) +
          `\n${replayedNote(result.replayed, result.requestId)}`,
      };
    }),
};
