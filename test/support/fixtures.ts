import { readFileSync } from 'node:fs';

/** Keys whose values the SDK hands out as Date objects; the JSON fixtures hold them as ISO text. */
const DATE_KEYS = new Set([
  'createdAt',
  'updatedAt',
  'CreationTime',
  'ClusterCreateTime',
  'EarliestRestorableTime',
  'LatestRestorableTime',
  'SubmittedAt',
]);

/**
 * A recorded AWS response from `test/fixtures/<path>`, parsed fresh for each call (tests may
 * change their copy) and with dates revived as the SDK would return them.
 */
export function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(`test/fixtures/${path}`, 'utf8'), (key, value) => {
    if (key === 'Timestamps' && Array.isArray(value)) return value.map((t: string) => new Date(t));
    if (DATE_KEYS.has(key) && typeof value === 'string') return new Date(value);
    return value;
  }) as T;
}
