import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import {
  assertSearchAttributesRegistered,
  missingSearchAttributes,
} from '../../workers/search-attributes.js';

const { IndexedValueType: T } = temporal.api.enums.v1;

/** A connection whose operator service answers `listSearchAttributes` with `answer`. */
function answering(answer: () => Record<string, number>): Pick<Connection, 'operatorService'> {
  const listSearchAttributes = () => Promise.resolve({ customAttributes: answer() });
  return { operatorService: { listSearchAttributes } } as unknown as Pick<
    Connection,
    'operatorService'
  >;
}

const registered = {
  BillingAccountId: T.INDEXED_VALUE_TYPE_KEYWORD,
  BillingPlan: T.INDEXED_VALUE_TYPE_KEYWORD,
  BillingStatus: T.INDEXED_VALUE_TYPE_KEYWORD,
  BillingUsagePercent: T.INDEXED_VALUE_TYPE_INT,
  BillingCycleEnd: T.INDEXED_VALUE_TYPE_DATETIME,
};

function grpcError(code: number): Error {
  return Object.assign(new Error(`grpc ${code}`), { code });
}

describe('the search attribute check', () => {
  it('passes when every account attribute is registered with its type', async () => {
    expect(
      await missingSearchAttributes(
        answering(() => registered),
        'default',
      ),
    ).toEqual([]);
  });

  it('names the missing ones and the ones of another type', async () => {
    const { BillingPlan: _plan, ...withoutPlan } = registered;
    const wrongType = { ...withoutPlan, BillingUsagePercent: T.INDEXED_VALUE_TYPE_KEYWORD };
    expect(
      await missingSearchAttributes(
        answering(() => wrongType),
        'default',
      ),
    ).toEqual(['BillingPlan (Keyword)', 'BillingUsagePercent (Int)']);
    await expect(
      assertSearchAttributesRegistered(
        answering(() => wrongType),
        'prod',
        () => undefined,
      ),
    ).rejects.toThrow(
      /namespace prod lacks .*temporal operator search-attribute create --namespace prod --name BillingPlan --type Keyword/s,
    );
  });

  it('cannot tell, and says so, when the identity may not list them', async () => {
    for (const code of [7, 12]) {
      const denied = answering(() => {
        throw grpcError(code);
      });
      expect(await missingSearchAttributes(denied, 'default')).toBeNull();
      let warned = 0;
      await assertSearchAttributesRegistered(denied, 'default', () => void warned++);
      expect(warned).toBe(1);
    }
  });

  it('lets any other failure through', async () => {
    const down = answering(() => {
      throw grpcError(14);
    });
    await expect(missingSearchAttributes(down, 'default')).rejects.toThrow('grpc 14');
  });
});
