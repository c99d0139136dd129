/**
 * Structural comparison of two preview outputs: same keys in the same order, same list order,
 * integers equal whatever their JS type (bigint or number), null distinct from 0, strings equal.
 */
export interface Diff {
  path: string;
  model: unknown;
  lead: unknown;
}

function show(v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

export function diffOutputs(model: unknown, lead: unknown, path = '$', out: Diff[] = []): Diff[] {
  if (out.length >= 20) return out;
  const isInt = (v: unknown): boolean =>
    typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
  if (isInt(model) && isInt(lead)) {
    if (BigInt(model as number) !== BigInt(lead as number))
      out.push({ path, model: show(model), lead: show(lead) });
    return out;
  }
  if (Array.isArray(model) && Array.isArray(lead)) {
    if (model.length !== lead.length)
      out.push({ path: `${path}.length`, model: model.length, lead: lead.length });
    for (let i = 0; i < Math.min(model.length, lead.length); i++)
      diffOutputs(model[i], lead[i], `${path}[${i}]`, out);
    return out;
  }
  if (
    model !== null &&
    lead !== null &&
    typeof model === 'object' &&
    typeof lead === 'object' &&
    !Array.isArray(model) &&
    !Array.isArray(lead)
  ) {
    const mk = Object.keys(model).filter(
      (k) => (model as Record<string, unknown>)[k] !== undefined,
    );
    const lk = Object.keys(lead).filter((k) => (lead as Record<string, unknown>)[k] !== undefined);
    if (mk.join(',') !== lk.join(','))
      out.push({ path: `${path}{keys}`, model: mk.join(','), lead: lk.join(',') });
    for (const k of mk)
      if (lk.includes(k))
        diffOutputs(
          (model as Record<string, unknown>)[k],
          (lead as Record<string, unknown>)[k],
          `${path}.${k}`,
          out,
        );
    return out;
  }
  if (model !== lead || typeof model !== typeof lead)
    out.push({ path, model: show(model), lead: show(lead) });
  return out;
}
