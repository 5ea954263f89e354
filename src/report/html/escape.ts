/**
 * Every string in the HTML report comes from an execution history: resource names, error
 * causes, operator reasons, alarm text. Any of them may carry markup (an error message quoting
 * a request, a reason typed by a human), so each one goes through here, in text and in
 * attributes alike (both quote characters are escaped, so an attribute cannot be closed early).
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function esc(value: string | number | boolean | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** `2026-11-22T03:02:38.982Z` -> `03:02:38.9` (UTC; the date is in the header once). Not escaped. */
export const clockOf = (iso: string) => {
  const time = iso.slice(11, 21);
  return /^\d\d:\d\d:\d\d\.\d$/.test(time) ? time : iso;
};

/** A figure in seconds, or "n/a" when the report has none. */
export const secondsText = (value: number | null) => (value === null ? 'n/a' : `${value} s`);
