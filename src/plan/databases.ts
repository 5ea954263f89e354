import * as z from 'zod';
import type { PlanProblem } from './traffic.js';

/**
 * The Aurora global clusters a plan moves. A plan names one (`database`, the original form,
 * still valid unchanged) or several (`databases`), with one writer region for all of them: they
 * are fenced, promoted and verified together, and every step iterates `databasesOf(plan)`.
 */

const identifier = z.string().min(1).max(255);
const clusterArn = z.string().regex(/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:[A-Za-z][A-Za-z0-9-]*$/, {
  error: 'must be an Aurora DB cluster ARN (arn:aws:rds:REGION:ACCOUNT:cluster:NAME)',
});

/**
 * Most global clusters one plan may move. Every database step handles all of them in one Lambda
 * invocation (60 s) and carries one compact entry each through the execution state (256 KB).
 */
export const MAX_DATABASES = 10;

export const databaseSchema = z.strictObject({
  globalClusterIdentifier: identifier,
  /** The Aurora cluster ARN of the global cluster's member in each region. */
  members: z.record(z.string(), clusterArn),
  /** Planned switchover is refused above this lag. */
  maxSwitchoverLagMs: z.number().int().min(0).default(1000),
  /**
   * How the services reach the writer. global-writer-endpoint (or write forwarding): tasks in
   * either region write to the current writer, so traffic may drain gradually across a
   * switchover. regional-writer: each region's tasks use their own cluster's endpoint, so a
   * gradual drain is refused (the target's tasks could not write before the switchover).
   */
  writesVia: z.enum(['global-writer-endpoint', 'regional-writer']).default('regional-writer'),
  /**
   * rds.global_db_rpo as set in the primary's DB cluster parameter group (Aurora PostgreSQL),
   * when it is: Aurora blocks commits on the writer while no secondary has an RPO lag below it,
   * so an unplanned failover loses at most this many seconds of writes. Valid values 20 to
   * 2,147,483,647 (Aurora User Guide, managing RPOs for Aurora PostgreSQL global databases).
   * Absent: not set, the RPO is the lag observed before promotion.
   */
  globalDbRpoSeconds: z.number().int().min(20).max(2_147_483_647).optional(),
});

export type DatabasePlan = z.infer<typeof databaseSchema>;

/** What databasesOf needs of a plan: exactly one of the two forms is set once it is validated. */
export interface DatabasesView {
  database?: DatabasePlan | undefined;
  databases?: readonly DatabasePlan[] | undefined;
}

/** The plan's global clusters as a list, whichever form it uses: the one place that tells them apart. */
export function databasesOf(plan: DatabasesView): readonly DatabasePlan[] {
  return plan.databases ?? (plan.database ? [plan.database] : []);
}

/** The plan's member ARN of `database` in `region`, or null when it names none there. */
export function memberIn(database: DatabasePlan, region: string): string | null {
  return database.members[region] ?? null;
}

/**
 * Cross-checks of the database section: exactly one form, unique identifiers and member clusters,
 * a member in each plan region (in that region) for every database. Paths name the form used.
 */
export function databaseProblems(plan: DatabasesView, regions: readonly string[]): PlanProblem[] {
  if (plan.database && plan.databases) {
    return [
      { path: ['databases'], message: 'set either database (one global cluster) or databases, not both' },
    ];
  }
  if (!plan.database && !plan.databases) {
    return [
      {
        path: ['database'],
        message: 'is required: the Aurora global cluster to move (or databases, a list of several)',
      },
    ];
  }
  const problems: PlanProblem[] = [];
  const listed = plan.databases !== undefined;
  const at = (i: number): (string | number)[] => (listed ? ['databases', i] : ['database']);
  const seenIds = new Map<string, number>();
  const seenArns = new Map<string, string>();
  databasesOf(plan).forEach((db, i) => {
    const first = seenIds.get(db.globalClusterIdentifier);
    if (first === undefined) seenIds.set(db.globalClusterIdentifier, i);
    else
      problems.push({
        path: [...at(i), 'globalClusterIdentifier'],
        message: `"${db.globalClusterIdentifier}" is already databases[${first}]: each global cluster once`,
      });
    for (const region of regions) {
      if (!(region in db.members))
        problems.push({ path: [...at(i), 'members'], message: `has no entry for ${region}` });
    }
    for (const [region, arn] of Object.entries(db.members)) {
      const path = [...at(i), 'members', region];
      if (!regions.includes(region)) {
        problems.push({
          path,
          message: `"${region}" is not one of the plan's regions (${regions.join(', ')})`,
        });
        continue;
      }
      if (!arn.includes(`:rds:${region}:`))
        problems.push({ path, message: `cluster ARN is not in ${region}` });
      const owner = seenArns.get(arn);
      // One cluster belongs to one global cluster: two entries naming it cannot both be right.
      if (owner !== undefined && owner !== db.globalClusterIdentifier)
        problems.push({ path, message: `${arn} is already a member of ${owner}` });
      seenArns.set(arn, db.globalClusterIdentifier);
    }
  });
  return problems;
}
