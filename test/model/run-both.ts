/** Runs a scenario through the reference model and through billing/'s runPreview. */
import { runPreview } from '../../billing/preview.js';
import { referencePreview, ReferenceMalformed, type RefOptions } from './reference.js';

export type Outcome =
  | { kind: 'ok'; out: unknown }
  | { kind: 'malformed'; msg: string }
  | { kind: 'crash'; msg: string };

export function runModel(scenario: unknown, options: RefOptions = {}): Outcome {
  try {
    return { kind: 'ok', out: referencePreview(scenario, options) };
  } catch (e) {
    if (e instanceof ReferenceMalformed) return { kind: 'malformed', msg: e.message };
    return { kind: 'crash', msg: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
  }
}

export function runLead(scenario: unknown): Outcome {
  try {
    return { kind: 'ok', out: runPreview(structuredClone(scenario)) };
  } catch (e) {
    const name = (e as { constructor?: { name?: string }; name?: string })?.constructor?.name ?? '';
    if (name === 'MalformedScenarioError' || (e as Error)?.name === 'MalformedScenarioError')
      return { kind: 'malformed', msg: (e as Error).message };
    return {
      kind: 'crash',
      msg: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e),
    };
  }
}
