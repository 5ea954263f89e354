import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PlanInvalidError } from '../../src/errors.js';
import { databasesOf, MAX_DATABASES } from '../../src/plan/databases.js';
import { parsePlan } from '../../src/plan/load.js';

/** The example plan and the three-database fixture as raw JSON, to break on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON is mutated freely to build bad plans
type RawPlan = any;
const example = (): RawPlan => JSON.parse(readFileSync('plans/dev.json', 'utf8'));
const three = (): RawPlan => JSON.parse(readFileSync('test/fixtures/plans/three-databases.json', 'utf8'));

const problemsOf = (raw: RawPlan): string[] => {
  try {
    parsePlan(raw, 'plan.json');
    return [];
  } catch (error) {
    if (error instanceof PlanInvalidError) return error.problems;
    throw error;
  }
};

describe('the plan database section', () => {
  it('keeps the one-database form valid and unchanged, as a list of one', () => {
    const plan = parsePlan(example(), 'plans/dev.json');

    expect(plan.databases).toBeUndefined();
    expect(databasesOf(plan).map((db) => db.globalClusterIdentifier)).toEqual(['orders-global']);
    expect(databasesOf(plan)[0]).toBe(plan.database);
  });

  it('accepts a list of several global clusters, in plan order, with the defaults filled', () => {
    const plan = parsePlan(three(), 'three-databases.json');

    expect(databasesOf(plan).map((db) => db.globalClusterIdentifier)).toEqual([
      'orders-global',
      'payments-global',
      'ledger-global',
    ]);
    expect(databasesOf(plan).every((db) => db.writesVia === 'regional-writer')).toBe(true);
  });

  it.each([
    ['neither form', (p: RawPlan) => delete p.databases, /^database: is required/],
    ['both forms', (p: RawPlan) => (p.database = p.databases[0]), /^databases: set either database/],
    ['an empty list', (p: RawPlan) => (p.databases = []), /^databases: Too small/],
    [
      'more databases than one invocation handles',
      (p: RawPlan) =>
        (p.databases = Array.from({ length: MAX_DATABASES + 1 }, (_, i) => ({
          ...p.databases[0],
          globalClusterIdentifier: `db${i}`,
          members: {
            'us-east-1': `arn:aws:rds:us-east-1:123456789012:cluster:db${i}-use1`,
            'us-west-2': `arn:aws:rds:us-west-2:123456789012:cluster:db${i}-usw2`,
          },
        }))),
      /^databases: Too big/,
    ],
    [
      'the same global cluster twice',
      (p: RawPlan) => (p.databases[2].globalClusterIdentifier = 'orders-global'),
      /^databases\[2\]\.globalClusterIdentifier: "orders-global" is already databases\[0\]/,
    ],
    [
      'one cluster in two global clusters',
      (p: RawPlan) => (p.databases[1].members['us-west-2'] = p.databases[0].members['us-west-2']),
      /^databases\[1\]\.members\.us-west-2: .*orders-usw2 is already a member of orders-global/,
    ],
    [
      'a database with no member in the standby',
      (p: RawPlan) => delete p.databases[1].members['us-west-2'],
      /^databases\[1\]\.members: has no entry for us-west-2/,
    ],
    [
      'a member in a region the plan does not use',
      (p: RawPlan) =>
        (p.databases[2].members['eu-west-1'] = 'arn:aws:rds:eu-west-1:123456789012:cluster:ledger-euw1'),
      /^databases\[2\]\.members\.eu-west-1: "eu-west-1" is not one of the plan's regions/,
    ],
    [
      'a member ARN in the wrong region',
      (p: RawPlan) => (p.databases[1].members['us-east-1'] = 'arn:aws:rds:us-west-2:123456789012:cluster:x'),
      /^databases\[1\]\.members\.us-east-1: cluster ARN is not in us-east-1/,
    ],
    [
      'a misspelt field in one database',
      (p: RawPlan) => (p.databases[1].maxSwitchoverLag = 5),
      /^databases\[1\]: Unrecognized key: "maxSwitchoverLag"/,
    ],
  ])('refuses %s, naming the field', (_case, breakIt, expected) => {
    const raw = three();
    breakIt(raw);

    expect(problemsOf(raw)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('refuses a gradual drain unless every database writes through the global writer endpoint', () => {
    const raw = three();
    for (const record of raw.dns.records) record.shift = { mode: 'record-upsert' };
    delete raw.dns.routingControl;
    raw.dns.drain = { sourceWeights: [75, 50, 25], intervalSeconds: 60 };
    raw.databases[0].writesVia = 'global-writer-endpoint';
    raw.databases[2].writesVia = 'global-writer-endpoint';

    expect(problemsOf(raw)).toEqual([
      'dns.drain: needs database.writesVia "global-writer-endpoint" (not set on payments-global): while both regions serve, both must write to the current writer',
    ]);
    raw.databases[1].writesVia = 'global-writer-endpoint';
    expect(problemsOf(raw)).toEqual([]);
  });
});
