import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeGlobalClustersCommand, RemoveFromGlobalClusterCommand } from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsRequestError, TargetNotReadyError } from '../../src/errors.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import { loadPlanFile } from '../../src/plan/load.js';
import type { SimOptions } from '../../src/sim/cloud.js';
import { checkPromotion } from '../../src/steps/check-promotion.js';
import { promoteDatabase } from '../../src/steps/promote-database.js';
import { type Drill, PRIMARY, STANDBY, startDrill } from '../sim/harness.js';
import { failoverRequest } from '../support/request.js';

/**
 * The database steps over a plan with three global clusters, against the simulated cloud: each
 * database is handled in the same invocation, and a mixed outcome is decided by the point of no
 * return (the first writer that moves).
 */

const IDS = ['orders-global', 'payments-global', 'ledger-global'];
const arn = (name: string, region: string) =>
  `arn:aws:rds:${region}:123456789012:cluster:${name}-${region === PRIMARY ? 'use1' : 'usw2'}`;
const refusal = (command: string) => ({
  command,
  error: {
    name: 'InvalidGlobalClusterStateFault',
    message: 'The global cluster is not in a valid state for this operation.',
    fault: 'client' as const,
    status: 400,
  },
  count: 1,
});

describe('the database steps with several databases', () => {
  let drill: Drill;
  let deps: StepDeps;
  afterEach(() => drill.stop());

  const start = async (options: Partial<SimOptions> = {}) => {
    const plan = loadPlanFile('test/fixtures/plans/three-databases.json');
    drill = startDrill({ plan, ...options });
    deps = { plan, clients: drill.registry, now: () => new Date() };
    // The SDK loads parts of itself on its first call, in real time: not inside a step's deadline.
    await drill.run(drill.standby.rds.send(new DescribeGlobalClustersCommand({})));
    await drill.run(drill.standby.cloudwatch.send(new ListMetricsCommand({})).catch(() => undefined));
  };
  const sent = (command: string) =>
    drill.cloud.calls.filter((c) => c.command === command && (c.outcome === 'ok' || c.lostResponse));
  const writers = () => drill.cloud.snapshot().databases.map((d) => d.writerRegion);

  it('promotes every database in one invocation, and polls until each target writes', async () => {
    await start();
    const request = failoverRequest();

    const promote = await drill.run(promoteDatabase({ request }, deps));
    let poll = await drill.run(checkPromotion({ request, promotion: promote }, deps));
    for (let i = 0; i < 60 && !poll.done; i++) {
      await drill.clock.tickAsync(10_000);
      poll = await drill.run(checkPromotion({ request, promotion: promote, previous: poll }, deps));
    }

    expect(sent('FailoverGlobalCluster')).toHaveLength(3);
    expect(promote.action).toBe('failover');
    expect(promote.databases?.map((d) => [d.globalClusterIdentifier, d.action])).toEqual(
      IDS.map((id) => [id, 'failover']),
    );
    // The report's RPO evidence is the worst database's.
    expect(promote.rpoLagMsBeforePromotion).toBe(
      Math.max(...(promote.databases ?? []).map((d) => d.rpoLagMsBeforePromotion ?? 0)),
    );
    expect(poll.done).toBe(true);
    expect(poll.databases?.every((d) => d.done)).toBe(true);
    expect(writers()).toEqual([STANDBY, STANDBY, STANDBY]);
    // Each database says on its own events which one it is.
    expect(poll.timeline.filter((e) => e.phase === 'succeeded').map((e) => e.facts?.database)).toEqual(
      expect.arrayContaining(IDS),
    );
  });

  it('sends nothing to any database when one of them cannot be promoted, naming it', async () => {
    await start();
    // payments' standby cluster has left its global cluster: promotion would refuse it.
    await drill.run(
      drill.standby.rds.send(
        new RemoveFromGlobalClusterCommand({
          GlobalClusterIdentifier: 'payments-global',
          DbClusterIdentifier: arn('payments', STANDBY),
        }),
      ),
    );
    await drill.clock.tickAsync(15 * 60_000);

    const error = await drill.failure(promoteDatabase({ request: failoverRequest() }, deps));

    expect(error).toBeInstanceOf(TargetNotReadyError);
    expect(error.message).toMatch(
      /1 of 3 databases; nothing was sent to any of them\): payments-global: .*not a member/,
    );
    expect(sent('FailoverGlobalCluster')).toEqual([]);
  });

  it('rolls a refused database forward by detach once the others were accepted (unplanned)', async () => {
    await start({ faults: [refusal('FailoverGlobalCluster')] });

    const promote = await drill.run(promoteDatabase({ request: failoverRequest() }, deps));

    const actions = promote.databases?.map((d) => d.action) ?? [];
    expect(actions.filter((a) => a === 'failover')).toHaveLength(2);
    expect(actions.filter((a) => a === 'detach')).toHaveLength(1);
    expect(promote.action).toBe('detach');
    expect(promote.databases?.find((d) => d.action === 'detach')?.reason).toMatch(
      /after other databases' writers started moving: rolling forward/,
    );
  });

  it('records a planned switchover RDS refused after the others started, and fails once they finished', async () => {
    await start({ faults: [refusal('SwitchoverGlobalCluster')] });
    const request = failoverRequest({ mode: 'planned' });

    const promote = await drill.run(promoteDatabase({ request }, deps));
    let failure: (Error & Record<string, unknown>) | undefined;
    let previous: Awaited<ReturnType<typeof checkPromotion>> | undefined;
    for (let i = 0; i < 90 && !failure; i++) {
      await drill.clock.tickAsync(10_000);
      const poll = checkPromotion({ request, promotion: promote, ...(previous ? { previous } : {}) }, deps);
      failure = await drill.run(poll).then(
        (out) => {
          previous = out;
          return undefined;
        },
        (error: Error & Record<string, unknown>) => error,
      );
    }

    // Not thrown at once: recovery would read writers whose switchovers do not show yet.
    expect(promote.action).toBe('switchover');
    const refused = promote.databases?.filter((d) => d.action === 'refused') ?? [];
    expect(refused).toHaveLength(1);
    expect(sent('SwitchoverGlobalCluster')).toHaveLength(2);
    expect(failure).toBeInstanceOf(AwsRequestError);
    expect(failure?.message).toMatch(
      new RegExp(
        `RDS refused the switchover of ${refused[0]?.globalClusterIdentifier} .*hands ${refused[0]?.globalClusterIdentifier} over`,
      ),
    );
    expect(writers().filter((w) => w === STANDBY)).toHaveLength(2);
  });

  it('fails as with one database when RDS refuses every database and none moved', async () => {
    await start({ faults: [{ ...refusal('FailoverGlobalCluster'), count: 3 }] });

    const error = await drill.failure(promoteDatabase({ request: failoverRequest() }, deps));

    expect(error).toBeInstanceOf(AwsRequestError);
    expect(error.message).toMatch(/no database's writer moved/);
    expect(writers()).toEqual([PRIMARY, PRIMARY, PRIMARY]);
  });
});
