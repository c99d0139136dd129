/**
 * Test-only workflow (production workflows live in workflows/): runs the pure billing core inside
 * Temporal's deterministic workflow sandbox, as the account workflow will. Bundled on its own by
 * test/integration/billing-in-workflow.test.ts; like workflows/, it may import only
 * sandbox-safe code.
 */
import { ApplicationFailure, proxySinks, type Sinks } from '@temporalio/workflow';
import { toJson } from '../../../billing/json.js';
import { runPreview } from '../../../billing/preview.js';

export interface PreviewScenario {
  readonly name: string;
  /** The scenario's JSON text, parsed in the sandbox (as the CLI parses its stdin). */
  readonly text: string;
}

export interface PreviewSinks extends Sinks {
  /** Every output as computed, also on replay: the test compares the replayed ones. */
  preview: { computed(name: string, json: string): void };
}

const { preview } = proxySinks<PreviewSinks>();

/**
 * `toJson(runPreview(scenario))` for each scenario, in order. An error fails the workflow (not
 * just its task, which Temporal would retry until the test times out), naming the scenario.
 */
export function billingPreviewWorkflow(scenarios: readonly PreviewScenario[]): Promise<string[]> {
  const outputs = scenarios.map(({ name, text }) => {
    let json: string;
    try {
      json = toJson(runPreview(JSON.parse(text)));
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw ApplicationFailure.nonRetryable(`${name}: ${message}`, 'PreviewFailed');
    }
    preview.computed(name, json);
    return json;
  });
  return Promise.resolve(outputs);
}
