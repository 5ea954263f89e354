import { type DatabasePlan, type DatabasesView, databasesOf } from './databases.js';
import type { PlanProblem } from './traffic.js';

/**
 * How big one execution's state grows for a plan. Step Functions allows 256 KiB for a state's
 * input, output or a task's result, and fails the execution with States.DataLimitExceeded beyond
 * it: a terminal error no Catch sees, so no report and the lock kept (src/drill/payload-limit.ts
 * has the sources). The state carries a few entries per ECS service (found in both regions,
 * fenced, scaled, polled), per DNS record and per database, so the plan's size decides it.
 *
 * The figures are fitted to the largest payload the drills measured on the succeeded and the
 * rolled-back paths (the rollback carries most), for plans of 1 to 200 services, 1 to 50
 * records, 1 to 10 databases and identifiers padded by 40 characters, and rounded up so the
 * estimate is above every measurement (test/plan/state-size.test.ts re-measures some of them):
 * measured 233,352 bytes for 200 services, 50 records and 4 databases, estimated 240,100.
 */
const BASE_BYTES = 28_000;
const PER_SERVICE_BYTES = 720;
const PER_RECORD_BYTES = 400;
const PER_DATABASE_BYTES = 1_600;
/** Each identifier is repeated in several entries (found, fencing resource, scaled, polled). */
const PER_SERVICE_CHAR_BYTES = 3.5;
const PER_RECORD_CHAR_BYTES = 3;
const PER_DATABASE_CHAR_BYTES = 4;

/** Step Functions' payload quota (Developer Guide, "Step Functions service quotas"): 256 KiB. */
export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;
/**
 * A plan is refused above this estimate: 5% of the quota (13 KB) is kept for what the estimate
 * does not scale with: error causes, the approver's reason, and hook results (each hook's answer
 * is cut to 500 characters, about 1.5 KB a result with its facts, at most four in the state).
 */
export const STATE_BUDGET_BYTES = Math.floor(STATE_PAYLOAD_LIMIT_BYTES * 0.95);

export interface StateSizeView extends DatabasesView {
  services: readonly {
    name: string;
    cluster: Readonly<Record<string, string>>;
    service: Readonly<Record<string, string>>;
  }[];
  dns: { records: readonly { name: string }[] };
}

const chars = (values: readonly string[]) => values.reduce((sum, v) => sum + v.length, 0);

function databaseChars(db: DatabasePlan): number {
  return db.globalClusterIdentifier.length + chars(Object.values(db.members));
}

/** The largest state payload an execution of this plan is expected to carry, in bytes. */
export function estimateStateBytes(plan: StateSizeView): number {
  const services = plan.services.reduce(
    (sum, s) =>
      sum +
      PER_SERVICE_BYTES +
      PER_SERVICE_CHAR_BYTES *
        (s.name.length + chars(Object.values(s.cluster)) + chars(Object.values(s.service))),
    0,
  );
  const records = plan.dns.records.reduce(
    (sum, r) => sum + PER_RECORD_BYTES + PER_RECORD_CHAR_BYTES * r.name.length,
    0,
  );
  const databases = databasesOf(plan).reduce(
    (sum, db) => sum + PER_DATABASE_BYTES + PER_DATABASE_CHAR_BYTES * databaseChars(db),
    0,
  );
  return Math.ceil(BASE_BYTES + services + records + databases);
}

/** A plan too big for one execution's state is refused, with what to do about it. */
export function stateSizeProblems(plan: StateSizeView): PlanProblem[] {
  const estimate = estimateStateBytes(plan);
  if (estimate <= STATE_BUDGET_BYTES) return [];
  return [
    {
      path: ['services'],
      message:
        `is too big for one failover: an execution would carry about ${Math.round(estimate / 1024)} KiB of state ` +
        `(${plan.services.length} services, ${plan.dns.records.length} records, ${databasesOf(plan).length} databases), ` +
        `over the ${Math.round(STATE_BUDGET_BYTES / 1024)} KiB this orchestrator allows of Step Functions' 256 KiB payload quota ` +
        '(beyond the quota AWS fails the execution with States.DataLimitExceeded, with no report). ' +
        'Split the plan into several plans (one per group of services), or shorten the longest identifiers.',
    },
  ];
}
