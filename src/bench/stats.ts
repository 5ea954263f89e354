/**
 * Median and worst over seeds. "Worst" is the largest value: every figure the benchmark
 * summarises (RTO, a ratio to a floor or a baseline, a window) is better when smaller.
 * Seeds whose figure is missing (the failover did not complete) are counted, not hidden.
 */
export interface Summary {
  median: number | null;
  worst: number | null;
  /** Seeds with a figure. */
  n: number;
  /** Seeds without one (null): a failover that did not complete has no RTO. */
  missing: number;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function summarize(values: readonly (number | null | undefined)[]): Summary {
  const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return {
    median: median(known),
    worst: known.length === 0 ? null : Math.max(...known),
    n: known.length,
    missing: values.length - known.length,
  };
}

/** a / b per seed, null when either is missing or b is 0. */
export function ratios(
  a: readonly (number | null | undefined)[],
  b: readonly (number | null | undefined)[],
): (number | null)[] {
  return a.map((x, i) => {
    const y = b[i];
    return typeof x === 'number' && typeof y === 'number' && y !== 0 ? x / y : null;
  });
}

/** Rounds for JSON output (keeps bench.json readable and stable). */
export const round = (x: number | null, digits = 3) =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;
