import { describe, expect, it } from 'vitest';
import {
  remainingMillicredits,
  summaryJson,
  summaryRow,
  summaryText,
  type AccountSummary,
  type SimulationSummary,
} from '../../../cli/simulate/report.js';

const over: AccountSummary = {
  accountId: 'acme-dental-abc123',
  timeZone: 'Europe/Berlin',
  planId: 'starter-abc123',
  cycleStart: '2026-11-06T13:31:06.000Z',
  cycleEnd: '2026-12-06T13:31:06.000Z',
  allowanceMillicredits: '960000',
  availableMillicredits: '960000',
  usedMillicredits: '1173000',
  overageMillicredits: '213000',
  currency: 'USD',
  chargeMinor: '2556',
  invoiceStatus: 'paid',
  alertsFired: [50, 80, 100],
  alertEmailsSent: 3,
  emailsSent: 4,
  calls: { accepted: 606, duplicate: 9, rejected: 4 },
  billingEmail: 'billing+abc123@acme-dental.example',
  workflowUrl: 'http://localhost:8233/namespaces/default/workflows/billing-acme-dental-abc123',
  billingPageUrl: 'http://localhost:3000/billing/acme-dental-abc123?expires=1900000000&sig=x',
};
const under: AccountSummary = {
  ...over,
  accountId: 'city-clinic-abc123',
  planId: 'clinic-abc123',
  usedMillicredits: '644700',
  allowanceMillicredits: '1200000',
  availableMillicredits: '1200000',
  overageMillicredits: '0',
  currency: 'JPY',
  chargeMinor: '0',
  alertsFired: [],
  alertEmailsSent: 0,
  workflowUrl: 'http://localhost:8233/namespaces/default/workflows/billing-city-clinic-abc123',
  billingPageUrl: 'http://localhost:3000/billing/city-clinic-abc123?expires=1900000000&sig=y',
};
const summary: SimulationSummary = {
  suffix: 'abc123',
  seed: 1,
  accounts: [over, under],
  links: {
    temporalUi: 'http://localhost:8233',
    mailpit: 'http://localhost:8025',
    inspect: 'npm run -s billing -- accounts show <account>',
  },
};

describe('the simulation summary', () => {
  it('shows credits, the remaining credits (none in overage) and money in the currency’s minor unit', () => {
    expect(summaryRow(over)).toEqual([
      'acme-dental-abc123',
      'starter-abc123',
      '1173 / 960',
      '0',
      '213',
      'USD 25.56',
      '50% 80% 100%',
      '3',
      '606 / 9 / 4',
    ]);
    expect(remainingMillicredits(under)).toBe('555300');
    expect(summaryRow(under).slice(2, 7)).toEqual(['644.7 / 1200', '555.3', '0', 'JPY 0', '-']);
  });

  it('prints a table, then each workflow in the Temporal UI, Mailpit and the command for an account', () => {
    const text = summaryText(summary);
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('account '));
    expect(lines[header + 1]).toMatch(/^acme-dental-abc123 +starter-abc123 +1173 \/ 960 +0 +213 /);
    // Numbers right-aligned under their heading.
    expect(lines[header + 1]!.length).toBe(lines[header]!.length);
    expect(text).toContain(
      '    acme-dental-abc123  http://localhost:8233/namespaces/default/workflows/billing-acme-dental-abc123',
    );
    expect(text).toContain(
      '    acme-dental-abc123  http://localhost:3000/billing/acme-dental-abc123?expires=1900000000&sig=x',
    );
    expect(text).toContain('  Mailpit          http://localhost:8025');
    expect(text).toContain('billing+abc123@<account>.example');
    expect(text).toContain('  An account       npm run -s billing -- accounts show <account>');
  });

  it('prints the same figures as JSON, exact amounts as strings', () => {
    expect(JSON.parse(summaryJson(summary))).toEqual(summary);
  });
});
