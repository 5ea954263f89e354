import { type DatabasePlan, type DatabasesView, databasesOf } from '../plan/databases.js';
import type { TimelineEvent } from '../timeline/types.js';

/**
 * What the database steps share when a plan names several global clusters: each step handles
 * every database in one invocation, in parallel, and keeps each one's facts apart. With one
 * database nothing here changes a word of what the steps said before.
 */

/** The fact that names a database on its timeline events (set only when the plan has several). */
export const DATABASE_FACT = 'database';

export function hasSeveral(plan: DatabasesView): boolean {
  return databasesOf(plan).length > 1;
}

/** A database's events, named by its global cluster when the plan has several (polls tell them apart by it). */
export function tagged(
  events: readonly TimelineEvent[],
  database: DatabasePlan,
  several: boolean,
): TimelineEvent[] {
  if (!several) return [...events];
  return events.map((e) => ({
    ...e,
    facts: { ...e.facts, [DATABASE_FACT]: database.globalClusterIdentifier },
  }));
}

/** The events of one database (all of them with one database). */
export function eventsOf(
  timeline: readonly TimelineEvent[],
  database: DatabasePlan,
  several: boolean,
): TimelineEvent[] {
  return several
    ? timeline.filter((e) => e.facts?.[DATABASE_FACT] === database.globalClusterIdentifier)
    : [...timeline];
}

/** The largest known figure, null when none is known: the worst RPO lag across databases. */
export function worst(values: readonly (number | null | undefined)[]): number | null {
  const known = values.filter((v): v is number => typeof v === 'number');
  return known.length === 0 ? null : Math.max(...known);
}

/** The latest of ISO times, null when one is missing: every database writes only from then on. */
export function latest(times: readonly (string | null)[]): string | null {
  if (times.length === 0 || times.some((t) => t === null)) return null;
  return (times as string[]).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/** "orders-global, payments-global": databases named in a message. */
export const named = (databases: readonly DatabasePlan[]) =>
  databases.map((db) => db.globalClusterIdentifier).join(', ');
