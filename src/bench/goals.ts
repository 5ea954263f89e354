import type { Summary } from './stats.js';

/**
 * The benchmark's goals. A ratio goal is judged on the WORST seed (the largest ratio): a
 * failover commitment holds for every run, not the typical one. The median is kept beside it.
 * A goal whose figure could not be measured (a drill that did not complete, bundles skipped)
 * is not met, and says why.
 */
export const GOALS = {
  'criticalPath.rtoOverFloor': { goal: 1.1, what: 'region-outage RTO / its floor' },
  'criticalPath.rtoOverBaseline': { goal: 0.75, what: 'region-outage RTO / the sequential baseline RTO' },
  'planned.windowOverSwitchoverPlusShift': {
    goal: 1.1,
    what: 'planned write-unavailable window / (Aurora switchover + traffic shift)',
  },
  'fanOut.largestOverSmallest': { goal: 1.1, what: 'RTO of the largest plan / RTO of the smallest' },
  'bundles.maxUnzippedBytes': { goal: 1_000_000, what: 'largest unzipped function package, bytes' },
} as const;

export type GoalName = keyof typeof GOALS;

export interface GoalResult {
  goal: number;
  comparison: '<=';
  what: string;
  /** The figure judged: the worst seed's (or the largest bundle); null when not measured. */
  value: number | null;
  median: number | null;
  basis: string;
  met: boolean;
  /** Why it could not be judged, when value is null. */
  note?: string;
}

export function judge(name: GoalName, figure: Summary | number | null, note?: string): GoalResult {
  const { goal, what } = GOALS[name];
  const isSummary = figure !== null && typeof figure === 'object';
  const value = isSummary ? figure.worst : figure;
  const incomplete = isSummary && figure.missing > 0;
  return {
    goal,
    comparison: '<=',
    what,
    value,
    median: isSummary ? figure.median : figure,
    basis: isSummary ? `worst of ${figure.n + figure.missing} seeds` : 'largest function',
    // A seed without a figure (no RTO) cannot be said to meet the goal.
    met: value !== null && value <= goal && !incomplete,
    ...(value === null || incomplete
      ? {
          note:
            note ?? (incomplete ? `${(figure as Summary).missing} seed(s) had no figure` : 'not measured'),
        }
      : note
        ? { note }
        : {}),
  };
}
