/**
 * The ids of the contract: what each may hold, the message a sender gets when one is malformed,
 * and the account workflow's id. Ids are what workflow ids and URLs carry without escaping.
 */
import { z } from 'zod';

/** Account ids: they name the account's workflow and its billing page. */
export const ACCOUNT_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
export const ACCOUNT_ID_MESSAGE = 'an account id is 1 to 64 characters of [A-Za-z0-9._:-]';

/** Plan ids name statements and invoices: printable, no spaces. */
export const PLAN_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
export const PLAN_ID_MESSAGE = 'a plan id is 1 to 64 characters of [A-Za-z0-9._:-]';

/** Client-chosen request ids (purchases, cancels, plan changes, payment retries, resends). */
export const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_MESSAGE = 'an id is 1 to 128 characters of [A-Za-z0-9._:-]';

export const accountIdSchema = z.string().regex(ACCOUNT_ID_RE, ACCOUNT_ID_MESSAGE);
export const planIdSchema = z.string().regex(PLAN_ID_RE, PLAN_ID_MESSAGE);
export const requestIdSchema = z.string().regex(REQUEST_ID_RE, REQUEST_ID_MESSAGE);

/** The id of an account's workflow: one workflow per account. */
export function accountWorkflowId(accountId: string): string {
  return `billing-${accountId}`;
}
