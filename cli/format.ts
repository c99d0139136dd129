/** How the `billing` commands print amounts for people (`--json` keeps the raw strings). */
import { formatCredits } from '../billing/units.js';

/** Millicredits as credits, without grouping, so a figure can be pasted back: 1234500 -> `1234.5`. */
export function creditsText(millicredits: string): string {
  return formatCredits(BigInt(millicredits));
}
