/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by playwright-core, and
 * axe-core run inside a page. A test file skips (with a message) only when chromium is absent
 * outside CI; in CI it is required.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

declare const axe: { run(): Promise<AxeResults> };

const require = createRequire(import.meta.url);

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `command -v chromium`. */
export const chromiumPath = onPath('chromium');

/** True when the browser tests of `file` must be skipped (no chromium, not in CI); says so. */
export function skipWithoutChromium(file: string): boolean {
  const skip = chromiumPath === undefined && !process.env.CI;
  if (skip) {
    console.warn(
      `${file}: SKIPPED, no \`chromium\` on PATH (apt-get install chromium); ` +
        'it is required when CI is set',
    );
  }
  return skip;
}

/** Headless Chromium, offline: no sandbox (tests run as root in containers), no updates or sync. */
export async function launchChromium(): Promise<Browser> {
  if (chromiumPath === undefined) throw new Error('chromium is required in CI, not on PATH');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * axe-core's violations in the page, one readable string each. The page's context needs
 * `bypassCSP` when the page forbids scripts.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const results = await page.evaluate(() => axe.run());
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n` +
      v.nodes
        .map((n) => `    ${n.target.join(' ')}: ${n.html}\n      ${n.failureSummary ?? ''}`)
        .join('\n'),
  );
}
