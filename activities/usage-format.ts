/**
 * How usage reads for people, in emails and on the command line. Display only: every number
 * shown comes from the billing core.
 */
import { CURRENCY_EXPONENTS, formatCredits } from '../billing/units.js';

/** Millicredits (a decimal string, as bigint travels in JSON) as credits: `"192500"` -> `192.5`. */
export function creditsText(millicredits: string): string {
  return formatCredits(BigInt(millicredits));
}

/** Minor units in `currency`: `("1110", "USD")` -> `USD 11.10`; `null` -> `not yet charged`. */
export function moneyText(minor: string | null, currency: string): string {
  if (minor === null) return 'not yet charged';
  const exponent: number = (CURRENCY_EXPONENTS as Readonly<Record<string, number>>)[currency] ?? 2;
  const digits = BigInt(minor)
    .toString()
    .padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${currency} ${whole}${fraction}`;
}

/** `11523` -> `3h 12m 3s`; `0` -> `0s`. */
export function durationText(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''];
  return parts.filter(Boolean).join(' ');
}

/** Share of `available` used, whole percent rounded down; `-` when nothing is available. */
export function percentText(used: string, available: string): string {
  const total = BigInt(available);
  return total === 0n ? '-' : `${(BigInt(used) * 100n) / total}%`;
}

/** `2026-11-25T01:02:03.000Z` -> `2026-11-25 01:02 UTC`. */
export function instantText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
