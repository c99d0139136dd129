/**
 * How numbers are written for people: exact integer arithmetic for credits and money (no floating
 * point), thousands grouped, currencies with their own number of decimals.
 */
import { CURRENCY_EXPONENTS, formatCredits, isCurrency } from '../billing/units.js';

/** `"-1234567.5"` -> `"-1,234,567.5"`. */
function groupThousands(decimal: string): string {
  const [whole = '', fraction] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Millicredits as a number of credits: 1234500 -> `"1,234.5"`. */
export function formatCreditNumber(millicredits: string | bigint): string {
  return groupThousands(formatCredits(BigInt(millicredits)));
}

/** Millicredits with the unit: 12500 -> `"12.5 credits"`, 1000 -> `"1 credit"`. */
export function formatCreditAmount(millicredits: string | bigint): string {
  const amount = BigInt(millicredits);
  return `${formatCreditNumber(amount)} ${amount === 1000n ? 'credit' : 'credits'}`;
}

/** An integer scaled by 10^scale, with at least `minDigits` and at most `scale` fraction digits. */
function scaledDecimal(value: bigint, scale: number, minDigits: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(scale);
  const fraction = (abs % unit)
    .toString()
    .padStart(scale, '0')
    .replace(/0+$/, '')
    .padEnd(minDigits, '0');
  const text = `${abs / unit}${fraction ? `.${fraction}` : ''}`;
  return `${negative ? '-' : ''}${groupThousands(text)}`;
}

/** Minor units of a currency: (576, USD) -> `"USD 5.76"`, (500, JPY) -> `"JPY 500"`. */
export function formatMoney(amountMinor: string | bigint, currency: string): string {
  const minor = BigInt(amountMinor);
  if (!isCurrency(currency)) return `${currency} ${groupThousands(minor.toString())} (minor units)`;
  const exponent = CURRENCY_EXPONENTS[currency];
  return `${currency} ${scaledDecimal(minor, exponent, exponent)}`;
}

/** A price in micro-units per credit: (120000, USD) -> `"USD 0.12"`, (125000, USD) -> `"USD 0.125"`. */
export function formatPrice(priceMicros: string | bigint, currency: string): string {
  const exponent = isCurrency(currency) ? CURRENCY_EXPONENTS[currency] : 0;
  return `${currency} ${scaledDecimal(BigInt(priceMicros), 6, exponent)}`;
}

/** `80` -> `"80%"`; `null` (nothing available) -> `"n/a"`. */
export function formatPercent(percent: number | null): string {
  return percent === null ? 'n/a' : `${percent}%`;
}

/** `0` -> `"today"`, `1` -> `"tomorrow"`, `12` -> `"in 12 days"`. */
export function formatDaysUntil(days: number): string {
  if (days <= 0) return 'today';
  return days === 1 ? 'tomorrow' : `in ${days} days`;
}

/** Seconds of call time: 86130 -> `"23 h 55 min 30 s"`. */
export function formatDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [
    hours > 0 ? `${groupThousands(String(hours))} h` : '',
    minutes > 0 ? `${minutes} min` : '',
    seconds > 0 || totalSeconds === 0 ? `${seconds} s` : '',
  ];
  return parts.filter(Boolean).join(' ');
}
