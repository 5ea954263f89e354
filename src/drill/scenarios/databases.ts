import { alarmEvent, type DrillScenario, MINUTE, primaryDown, startInput } from '../scenario-types.js';

/**
 * A plan with several Aurora global clusters (plan `databases`): one writer region for all of
 * them, fenced, promoted and verified together. The point of no return is the first writer that
 * moves: from then on a database that cannot move the managed way rolls forward by detach, and
 * one that cannot move at all is handed over by name, never left behind in silence.
 */

/** The example plan's database and two more, each with a member in both regions. */
export const EXTRA_DATABASES = ['payments', 'ledger'] as const;

// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
export function withThreeDatabases(raw: any): void {
  const first = raw.database;
  const { primary, standby } = raw.regions as { primary: string; standby: string };
  const short = (region: string) =>
    region === 'us-east-1' ? 'use1' : region === 'us-west-2' ? 'usw2' : region;
  const account = String(first.members[primary]).split(':')[4];
  const member = (name: string, region: string) =>
    `arn:aws:rds:${region}:${account}:cluster:${name}-${short(region)}`;
  raw.databases = [
    first,
    ...EXTRA_DATABASES.map((name) => ({
      ...first,
      globalClusterIdentifier: `${name}-global`,
      members: { [primary]: member(name, primary), [standby]: member(name, standby) },
    })),
  ];
  delete raw.database;
}

const outage = (ctx: Parameters<typeof primaryDown>[0]) => [primaryDown(ctx, -6 * MINUTE)];

export const DATABASE_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'three-databases',
    summary:
      "A regional outage with three Aurora global clusters in the plan: all three are fenced and promoted in parallel, verified as writers in the standby, and the report lists each with its RPO (the worst is the report's).",
    plan: withThreeDatabases,
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: outage(ctx) }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'three-databases-one-headless',
    summary:
      "Three global clusters, and payments-global's standby cluster has no DB instance: readiness refuses before anything changes, naming that database and why. No writer moves, so none is left behind.",
    plan: withThreeDatabases,
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: outage(ctx),
      databaseOverrides: { 'payments-global': { headlessStandby: true } },
    }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'three-databases-one-mismatched',
    summary:
      "Three global clusters, ledger-global in the middle of a rolling upgrade (RDS refuses its managed failover): the other two fail over the managed way while ledger-global waits for the old region's tasks to stop and is detached, so all three end writing in the standby.",
    plan: withThreeDatabases,
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: outage(ctx),
      databaseOverrides: { 'ledger-global': { engineVersions: { primary: '16.4', standby: '16.6' } } },
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'three-databases-one-refused',
    summary:
      'Three global clusters; RDS refuses one FailoverGlobalCluster (invalid state) after the other two were accepted. Their writers are moving, the point of no return is behind: the refused database rolls forward by detach once the old region is fenced, rather than staying behind in the failed region.',
    plan: withThreeDatabases,
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: outage(ctx),
      faults: [
        {
          command: 'FailoverGlobalCluster',
          error: {
            name: 'InvalidGlobalClusterStateFault',
            message: 'The global cluster is not in a valid state for failover.',
            fault: 'client',
            status: 400,
          },
          count: 1,
        },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'three-databases-switchover-split',
    summary:
      'A planned switchover of three global clusters; RDS refuses one SwitchoverGlobalCluster after the other two started. Both regions are up, so a detach would make a second writer: the two finish, traffic rolls forward with them, and the execution fails with the third handed over by name (which database writes where, and the command that moves it). Never a silent split.',
    plan: withThreeDatabases,
    input: (ctx) => startInput(ctx, 'planned'),
    cloud: () => ({
      faults: [
        {
          command: 'SwitchoverGlobalCluster',
          error: {
            name: 'InvalidGlobalClusterStateFault',
            message: 'The global cluster is not in a valid state for switchover.',
            fault: 'client',
            status: 400,
          },
          count: 1,
        },
      ],
    }),
    expected: { outcome: 'failed', writer: 'split', recovery: { kind: 'none', complete: false } },
  },
];
