/**
 * Pacing for the writes a step sends per service. AWS throttles every API per account and region
 * with a token bucket (ECS UpdateService: a burst of 50, then 5 per second; src/sim/rate-limits.ts
 * has the table). A step that fires one write per service at once, for a plan of 200 services,
 * gets most of them throttled; each then retries on its own, a herd that keeps the bucket empty.
 * A few writes under way at a time, each retrying its throttles (src/aws/retry.ts), keep up with
 * the bucket's refill and send the same calls.
 */

/**
 * Writes a step keeps under way at once in one region: the smaller burst of the two write buckets
 * it draws from (ECS service modify 50; Application Auto Scaling 25, a modelling choice), so a full
 * bucket is used in one round and no more calls are under way than it could admit.
 */
export const WRITE_CONCURRENCY = 25;

/**
 * Runs `work` over `items`, at most `concurrency` at a time, in the order of `items`; results in
 * that order. When one throws, no further item starts, the ones under way finish (nothing is left
 * running after the step returns), and the first error is thrown.
 */
export async function mapPaced<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failed) throw failed.error;
  return results;
}
