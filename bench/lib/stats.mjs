// Order statistics over repeated runs. The machine is shared, so every figure is reported as a median
// with its spread, and every ratio is taken run by run (both sides measured in the same round) before
// its median is taken: absolute numbers drift with the load, ratios within a round do not.

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export const median = (values) => quantile(values, 0.5);

/** Median, interquartile range and extremes of one measurement repeated `n` times. */
export function summarize(values) {
  return {
    median: median(values),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
    runs: values,
  };
}

/** `a[i] / b[i]` for each round i, summarized: the ratio of two measurements taken side by side. */
export function pairedRatio(a, b) {
  const n = Math.min(a.length, b.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(a[i] / b[i]);
  return summarize(ratios);
}

/** Interleaves work so that no subject always runs first (or last) in a round. */
export function rotate(items, round) {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
