import { STEP_NAMES, type TimelineEvent, timelineEventSchema } from '../timeline/types.js';

/**
 * Gathers every timeline event found anywhere in an execution's state (or in a list of task
 * outputs from its history), drops the duplicates that polling steps carry forward, and sorts
 * them by time; events at the same instant go in workflow order.
 */
export function collectTimeline(...sources: unknown[]): TimelineEvent[] {
  const seen = new Set<string>();
  const events: TimelineEvent[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === 'timeline' && Array.isArray(child)) {
        for (const item of child) {
          const parsed = timelineEventSchema.safeParse(item);
          if (!parsed.success) continue;
          const id = `${parsed.data.at}|${parsed.data.step}|${parsed.data.phase}|${parsed.data.message}`;
          if (seen.has(id)) continue;
          seen.add(id);
          events.push(parsed.data);
        }
      } else {
        visit(child, depth + 1);
      }
    }
  };
  for (const source of sources) visit(source, 0);
  return events
    .map((e, index) => ({ e, index }))
    .sort(
      (a, b) =>
        a.e.at.localeCompare(b.e.at) ||
        STEP_NAMES.indexOf(a.e.step) - STEP_NAMES.indexOf(b.e.step) ||
        a.index - b.index,
    )
    .map(({ e }) => e);
}
