import { type DatabasePlan, databasesOf } from '../../src/plan/databases.js';
import { loadPlanFile } from '../../src/plan/load.js';
import type { DnsRecordPlan, FailoverPlan } from '../../src/plan/schema.js';

/** The example plan shipped in plans/dev.json, parsed fresh for each test that wants one. */
export function examplePlan(): FailoverPlan {
  return loadPlanFile('plans/dev.json');
}

/**
 * The example plan with its records moving by record-upsert (Route 53's control plane) instead of
 * its routing controls: for the tests of that path, which mock Route 53.
 */
export function recordUpsertPlan(): FailoverPlan {
  const plan = examplePlan();
  for (const record of plan.dns.records) record.shift = { mode: 'record-upsert' };
  delete plan.dns.routingControl;
  return plan;
}

/** The load balancers the example plan's api record points at in each region. */
export const USE1_ALB = 'orders-use1-1234567890.us-east-1.elb.amazonaws.com';
export const USW2_ALB = 'orders-usw2-0987654321.us-west-2.elb.amazonaws.com';

/** The example plan's api.orders.example.com.: a weighted CNAME between USE1_ALB and USW2_ALB, moved by record-upsert. */
export function apiRecord(): DnsRecordPlan {
  const [record] = recordUpsertPlan().dns.records;
  if (!record) throw new Error('plans/dev.json has no DNS record');
  return record;
}

/** The one Aurora global cluster of a plan that names one (the example plan's `database`). */
export function onlyDatabase(plan: FailoverPlan): DatabasePlan {
  const [database, ...others] = databasesOf(plan);
  if (!database || others.length > 0) throw new Error(`plan ${plan.name} does not name exactly one database`);
  return database;
}
