import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';

/**
 * The workflows entry point: `workflows/index.js` when running compiled, `workflows/index.ts`
 * under vitest (the bundler resolves the `.js` imports inside it to their `.ts` sources).
 */
export function workflowsPath(): string {
  const compiled = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(compiled) ? compiled : compiled.replace(/\.js$/, '.ts');
}

/** Bundles the workflow code once; pass the result to every worker of this process. */
export async function bundleWorkflows(): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quiet });
  return { code };
}

/** A prebuilt bundle when one is given (tests build one per run), otherwise bundle now. */
export async function loadWorkflowBundle(
  prebuiltPath: string | null,
): Promise<WorkflowBundleOption> {
  return prebuiltPath === null ? bundleWorkflows() : { codePath: prebuiltPath };
}

// webpack's progress lines are noise in worker and test output; its errors still throw.
const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
