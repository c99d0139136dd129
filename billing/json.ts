/**
 * JSON text for values that may hold `bigint` (exact integers past 2^53), which `JSON.stringify`
 * refuses. Object keys keep their insertion order; `undefined` properties are left out.
 */
export function toJson(value: unknown, indent = 2): string {
  return write(value, '', ' '.repeat(indent));
}

function write(value: unknown, pad: string, step: string): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = pad + step;
  const nl = step ? '\n' : '';
  const sep = step ? ': ' : ':';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => inner + write(item, inner, step));
    return `[${nl}${items.join(`,${nl}`)}${nl}${pad}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const items = entries.map(
    ([k, v]) => `${inner}${JSON.stringify(k)}${sep}${write(v, inner, step)}`,
  );
  return `{${nl}${items.join(`,${nl}`)}${nl}${pad}}`;
}
