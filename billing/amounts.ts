/**
 * Amounts in the ledger's JSON state: decimal strings of exact integers, computed on as `bigint`.
 *
 * Converting between the two was the core's hottest cost with rules version 2: every booking
 * reads its cycle's used, written-off and available credits, the limit, the top-up rule and the
 * plan's rate, and writes some back. The same texts come back operation after operation (the
 * allowance, a limit, a rule; the used credits a booking has just written), so each place that
 * reads one field keeps an {@link AmountMemo}: its last conversion, answered again while the text
 * is the same. A memo saves work and never changes a result (it compares the text every time),
 * so it is safe in workflow code and across accounts sharing a worker.
 */

/** Millicredits (or minor units) as a decimal string of an exact integer. */
export type Amount = string;

/** An amount as a bigint; `"0"`, the most common amount, without parsing. */
export const big = (amount: Amount): bigint => (amount === '0' ? 0n : BigInt(amount));

/** A bigint as an amount. */
export const amountOf = (value: bigint): Amount => (value === 0n ? '0' : value.toString());

/** One field's last conversion between text and value. */
export class AmountMemo {
  private text: Amount = '0';
  private value = 0n;
  /** Whether `text` is `value` as {@link amountOf} writes it (a parsed text may be another form). */
  private canonical = true;

  /** The amount as a bigint, parsed only when the text differs from the last one. */
  parse(text: Amount): bigint {
    if (text !== this.text) {
      this.value = big(text);
      this.text = text;
      this.canonical = false;
    }
    return this.value;
  }

  /** The value as an amount, remembered so that reading it back costs no parse. */
  format(value: bigint): Amount {
    if (value !== this.value || !this.canonical) {
      this.text = amountOf(value);
      this.value = value;
      this.canonical = true;
    }
    return this.text;
  }
}
