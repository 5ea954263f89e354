/**
 * Lists in timeline messages stay short whatever the plan's size. A message travels in the
 * execution state (Step Functions allows 256 KiB for all of it) and in every poll's output, and
 * a reviewer reads the first few names, not two hundred: the counts say the rest.
 */
export const LISTED_AT_MOST = 10;

/** "a, b, c" or "a, b, ... j and 190 more". */
export function listed(items: readonly string[], separator = ', ', atMost = LISTED_AT_MOST): string {
  if (items.length <= atMost) return items.join(separator);
  return `${items.slice(0, atMost).join(separator)} and ${items.length - atMost} more`;
}
