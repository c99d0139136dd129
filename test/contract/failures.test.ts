import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { BillingRequestError } from '../../client/billing-errors.js';
import {
  ACCOUNT_NOT_LOADED_ERROR,
  CONTINUING_AS_NEW_ERROR,
  EMAIL_REJECTED_ERROR,
  EMAIL_RENDER_ERROR,
  isFailure,
  PAYMENT_DECLINED_ERROR,
  REQUEST_INTERRUPTED_ERROR,
  UNKNOWN_ACCOUNT_ERROR,
  UNKNOWN_PLAN_ERROR,
} from '../../contract/failures.js';
import { parseConfig } from '../../config/config.js';

const failure = (type: string, cause?: Error) =>
  ApplicationFailure.create({ type, message: `a ${type}`, nonRetryable: true, cause });

/** What the workflow catches when an activity fails. */
const fromActivity = (type: string) =>
  new ActivityFailure(
    'activity failed',
    'closeCycle',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    'w',
    failure(type),
  );

/** What the client throws when an update fails. */
const fromUpdate = (type: string) =>
  new BillingRequestError(`a ${type}`, {
    cause: new WorkflowUpdateFailedError('Workflow Update failed', failure(type)),
  });

describe('the failure types', () => {
  it('that clients see are the ones docs/api.md lists under Errors', () => {
    const api = readFileSync(join(parseConfig({}).paths.root, 'docs', 'api.md'), 'utf8');
    const documented = [...api.matchAll(/^\| `(\w+Error)` +\|/gm)].map((m) => m[1]);
    expect(documented).toEqual([
      UNKNOWN_PLAN_ERROR,
      UNKNOWN_ACCOUNT_ERROR,
      REQUEST_INTERRUPTED_ERROR,
      ACCOUNT_NOT_LOADED_ERROR,
      CONTINUING_AS_NEW_ERROR,
    ]);
  });

  it('between activities and the workflow keep the names recorded histories carry', () => {
    expect([PAYMENT_DECLINED_ERROR, EMAIL_REJECTED_ERROR, EMAIL_RENDER_ERROR]).toEqual([
      'PaymentDeclinedError',
      'EmailRejectedError',
      'EmailRenderError',
    ]);
  });
});

describe('isFailure', () => {
  it('finds the type of an activity failure, as the workflow catches it', () => {
    expect(isFailure(fromActivity(PAYMENT_DECLINED_ERROR), PAYMENT_DECLINED_ERROR)).toBe(true);
    expect(isFailure(fromActivity(EMAIL_REJECTED_ERROR), PAYMENT_DECLINED_ERROR)).toBe(false);
  });

  it('finds the type of a failed update, as the client throws it', () => {
    expect(isFailure(fromUpdate(CONTINUING_AS_NEW_ERROR), CONTINUING_AS_NEW_ERROR)).toBe(true);
    expect(isFailure(fromUpdate(UNKNOWN_PLAN_ERROR), CONTINUING_AS_NEW_ERROR)).toBe(false);
  });

  it('matches any of several types', () => {
    const either = [UNKNOWN_ACCOUNT_ERROR, UNKNOWN_PLAN_ERROR] as const;
    expect(isFailure(fromUpdate(UNKNOWN_PLAN_ERROR), ...either)).toBe(true);
    expect(isFailure(fromUpdate(UNKNOWN_ACCOUNT_ERROR), ...either)).toBe(true);
    expect(isFailure(fromUpdate(REQUEST_INTERRUPTED_ERROR), ...either)).toBe(false);
  });

  it('takes the type of a bare application failure', () => {
    expect(isFailure(failure(ACCOUNT_NOT_LOADED_ERROR), ACCOUNT_NOT_LOADED_ERROR)).toBe(true);
  });

  it('lets the first application failure decide, not one it wraps', () => {
    const wrapped = failure('SomethingElse', failure(PAYMENT_DECLINED_ERROR));
    expect(isFailure(wrapped, PAYMENT_DECLINED_ERROR)).toBe(false);
  });

  it('is false for anything without an application failure, a cycle of causes included', () => {
    const loop = new Error('loop');
    loop.cause = loop;
    for (const error of [
      loop,
      new Error(PAYMENT_DECLINED_ERROR),
      new BillingRequestError('invalid input: credits: required'),
      ApplicationFailure.create({ message: 'no type' }),
      PAYMENT_DECLINED_ERROR,
      { type: PAYMENT_DECLINED_ERROR },
      null,
    ]) {
      expect(isFailure(error, PAYMENT_DECLINED_ERROR)).toBe(false);
    }
  });
});
