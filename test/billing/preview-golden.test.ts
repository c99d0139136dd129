/**
 * `preview` against its golden outputs: the fixtures and 2,000 generated version 1 scenarios, with
 * the output `preview` printed for each when the golden file was recorded (before version 2 of the
 * rules). Version 2 must give exactly these figures for a version 1 scenario, plus only its new
 * keys; so the comparison takes the new keys out of today's output and nothing else.
 *
 * Recording (only before a deliberate change of a version 1 figure, which the rules forbid):
 *   RECORD_GOLDEN=1 npx vitest run test/billing/preview-golden.test.ts
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { toJson } from '../../billing/json.js';
import { runPreview } from '../../billing/preview.js';
import { scenarioArbV1, toScenarioText } from '../model/generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = join(here, '../golden/preview-v1.jsonl.gz');
const FIXTURES = join(here, '../fixtures');
const SEED = 20_261_208;
const GENERATED = 2_000;

/** Keys version 2 adds to the output (BILLING-RULES.md section 8); nothing else may change. */
const CYCLE_KEYS_V2 = ['grantedMillicredits', 'writtenOffMillicredits', 'purchases'];
const TOP_KEYS_V2 = ['admissions'];

interface Golden {
  name: string;
  /** The scenario as JSON text, exactly as it was given to `preview`. */
  scenario: string;
  /** What `preview` printed, or `malformed: <message>`. */
  output: string;
}

function previewText(scenarioText: string): string {
  try {
    return toJson(runPreview(JSON.parse(scenarioText)));
  } catch (error) {
    if ((error as Error).name === 'MalformedScenarioError') return 'malformed';
    throw error;
  }
}

/** Today's output without the keys version 2 added, as version 1 printed it. */
function asVersion1(output: string): string {
  if (output === 'malformed') return output;
  const parsed = JSON.parse(output) as Record<string, unknown> & { cycles: object[] };
  for (const key of TOP_KEYS_V2) delete parsed[key];
  for (const cycle of parsed.cycles) {
    for (const key of CYCLE_KEYS_V2) delete (cycle as Record<string, unknown>)[key];
  }
  return JSON.stringify(parsed);
}

function scenarios(): Omit<Golden, 'output'>[] {
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.scenario.json'))
    .sort()
    .map((f) => ({ name: f, scenario: readFileSync(join(FIXTURES, f), 'utf8') }));
  const generated = fc
    .sample(scenarioArbV1, { seed: SEED, numRuns: GENERATED })
    .map(({ scenario }, i) => ({ name: `generated-${i}`, scenario: toScenarioText(scenario) }));
  return [...fixtures, ...generated];
}

function readGolden(): Golden[] {
  const text = gunzipSync(readFileSync(GOLDEN)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Golden);
}

describe('preview: golden outputs of version 1 scenarios', () => {
  if (process.env.RECORD_GOLDEN === '1') {
    it('records the golden file', () => {
      const lines = scenarios().map((s) =>
        JSON.stringify({ ...s, output: asVersion1(previewText(s.scenario)) }),
      );
      writeFileSync(GOLDEN, gzipSync(lines.join('\n') + '\n', { level: 9 }));
    });
    return;
  }

  const golden = readGolden();

  it('holds the fixtures and 2,000 generated scenarios, most of them well-formed', () => {
    expect(golden.filter((g) => g.name.startsWith('generated-'))).toHaveLength(GENERATED);
    expect(golden.filter((g) => g.name.endsWith('.scenario.json')).length).toBeGreaterThan(0);
    const wellFormed = golden.filter((g) => g.output !== 'malformed').length;
    expect(wellFormed).toBeGreaterThan(golden.length / 2);
  });

  it('gives every golden scenario exactly its recorded figures, new keys aside', () => {
    const differing = golden.filter((g) => asVersion1(previewText(g.scenario)) !== g.output);
    expect(differing.map((g) => g.name)).toEqual([]);
  });
});
