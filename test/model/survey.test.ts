/**
 * Not part of the normal run (set SURVEY=1): runs many generated scenarios without stopping at the
 * first mismatch, and prints how many differ per first differing path, to triage disagreements.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { diffOutputs } from './compare.js';
import { scenarioArb } from './generate.js';
import { runLead, runModel as runRef } from './run-both.js';
import { ReferenceMalformed, type referencePreview } from './reference.js';

const N = Number(process.env.SURVEY_N ?? 2000);

it.runIf(process.env.SURVEY === '1')(
  'survey of disagreements',
  async () => {
    let runModel = runRef;
    if (process.env.SURVEY_MUTANT) {
      const mod = (await import(process.env.SURVEY_MUTANT)) as {
        referencePreview: typeof referencePreview;
      };
      runModel = (sc: unknown) => {
        try {
          return { kind: 'ok', out: mod.referencePreview(sc) };
        } catch (e) {
          if ((e as Error).name === 'ReferenceMalformed')
            return { kind: 'malformed', msg: (e as Error).message };
          return { kind: 'crash', msg: String(e) };
        }
      };
      void ReferenceMalformed;
    }
    const samples = fc.sample(scenarioArb, {
      numRuns: N,
      seed: Number(process.env.SURVEY_SEED ?? 42),
    });
    const cats = new Map<string, { n: number; example: unknown; diff: unknown }>();
    const stats = {
      ok: 0,
      malformed: 0,
      rejected: 0,
      alerts: 0,
      late: 0,
      dup: 0,
      closedOverage: 0,
    };
    const t0 = Date.now();
    for (const { scenario } of samples) {
      const m = runModel(scenario);
      const l = runLead(scenario);
      if (m.kind === 'ok') {
        stats.ok++;
        const o = m.out as {
          cycles: {
            alerts: unknown[];
            lateAdjustments: number;
            overageChargeMinor: bigint | null;
          }[];
          rejected: unknown[];
          duplicates: number;
        };
        stats.rejected += o.rejected.length;
        stats.dup += o.duplicates;
        for (const c of o.cycles) {
          stats.alerts += c.alerts.length;
          stats.late += c.lateAdjustments;
          if (c.overageChargeMinor !== null && c.overageChargeMinor > 0n) stats.closedOverage++;
        }
      } else if (m.kind === 'malformed') stats.malformed++;
      let key: string;
      let diff: unknown = null;
      if (m.kind !== l.kind || m.kind === 'crash')
        key =
          `kind model=${m.kind} lead=${l.kind}` +
          (m.kind === 'crash' ? ' ' + m.msg.split('\n')[0] : '') +
          (l.kind === 'crash' ? ' ' + l.msg.split('\n')[0] : '');
      else if (m.kind === 'ok' && l.kind === 'ok') {
        const d = diffOutputs(m.out, l.out);
        if (d.length === 0) continue;
        diff = d;
        key = d[0]!.path.replace(/\[\d+\]/g, '[]');
      } else continue;
      const c = cats.get(key);
      if (c) c.n++;
      else cats.set(key, { n: 1, example: scenario, diff });
    }
    console.log(`survey: ${N} scenarios in ${Date.now() - t0} ms`, stats);
    for (const [k, v] of cats) console.log(`${v.n}\t${k}`);
    writeFileSync(
      '/tmp/survey.json',
      JSON.stringify(
        [...cats].map(([k, v]) => ({ k, ...v })),
        (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
        1,
      ),
    );
  },
  600_000,
);
