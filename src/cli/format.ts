import type { TimelineEvent } from '../timeline/types.js';

/** 164000 -> "2m 44s"; 3723000 -> "1h 02m 03s". */
export function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`;
  return m > 0 ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** A timeline event's identity: polling steps carry earlier events forward, printed once. */
export const eventKey = (e: TimelineEvent) => `${e.at}|${e.step}|${e.phase}|${e.message}`;

export const seconds = (value: number | null | undefined) =>
  value === null || value === undefined ? '-' : `${value} s`;

/** Left-aligned columns, two spaces apart. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
