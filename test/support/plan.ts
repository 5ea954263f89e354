import { loadPlanFile } from '../../src/plan/load.js';
import type { DnsRecordPlan, FailoverPlan } from '../../src/plan/schema.js';

/** The example plan shipped in plans/dev.json, parsed fresh for each test that wants one. */
export function examplePlan(): FailoverPlan {
  return loadPlanFile('plans/dev.json');
}

/** The load balancers the example plan's api record points at in each region. */
export const USE1_ALB = 'orders-use1-1234567890.us-east-1.elb.amazonaws.com';
export const USW2_ALB = 'orders-usw2-0987654321.us-west-2.elb.amazonaws.com';

/** The example plan's api.orders.example.com.: a weighted CNAME between USE1_ALB and USW2_ALB. */
export function apiRecord(): DnsRecordPlan {
  const [record] = examplePlan().dns.records;
  if (!record) throw new Error('plans/dev.json has no DNS record');
  return record;
}
