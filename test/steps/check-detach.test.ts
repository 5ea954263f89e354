import type { DescribeDBClustersCommandOutput } from '@aws-sdk/client-rds';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientRegistry } from '../../src/aws/clients.js';
import { DeadlineExceededError } from '../../src/errors.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import { checkDetach } from '../../src/steps/check-detach.js';
import type { CheckDetachOutput, DetachTargetOutput } from '../../src/steps/contracts-operators.js';
import { commandsSent, regionOf } from '../support/aws.js';
import { fixture } from '../support/fixtures.js';
import { examplePlan } from '../support/plan.js';
import { failoverRequest } from '../support/request.js';

const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const STARTED = Date.parse('2026-11-22T03:11:00.000Z');
const at = (seconds: number) => new Date(STARTED + seconds * 1000);
const request = failoverRequest();

const detach = (action: DetachTargetOutput['action'] = 'detached'): DetachTargetOutput => ({
  action,
  startedAt: at(0).toISOString(),
  deadline: at(600).toISOString(),
  precaution: { basis: 'fenced', note: 'fenced' },
  rebuildInstructions: [],
  timeline: [],
});

/** The detached writer fixture, still listed in the global cluster: RDS has not caught up yet. */
function writerStillListed(): DescribeDBClustersCommandOutput {
  const out = fixture<DescribeDBClustersCommandOutput>('rds/describe-db-clusters-detached-writer.json');
  const [cluster] = out.DBClusters ?? [];
  if (cluster) cluster.GlobalClusterIdentifier = 'orders-global';
  return out;
}

describe('checkDetach', () => {
  const rdsMock = mockClient(RDSClient);
  const clients = new ClientRegistry();
  const depsAt = (seconds: number): StepDeps => ({ plan: examplePlan(), clients, now: () => at(seconds) });

  afterEach(() => {
    rdsMock.reset();
  });

  it('records promoting and writing once each across polls, in the target region', async () => {
    // Prepare
    rdsMock
      .on(DescribeDBClustersCommand)
      .resolvesOnce(fixture('rds/describe-db-clusters-detached-promoting.json'))
      .resolvesOnce(fixture('rds/describe-db-clusters-detached-promoting.json'))
      .resolvesOnce(fixture('rds/describe-db-clusters-detached-writer.json'));

    // Act
    const outputs: CheckDetachOutput[] = [];
    let previous: { timeline: CheckDetachOutput['timeline'] } | undefined;
    for (const seconds of [15, 30, 45]) {
      const out = await checkDetach({ request, detach: detach(), previous }, depsAt(seconds));
      outputs.push(out);
      previous = { timeline: out.timeline };
    }

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 });
    expect(await regionOf(rdsMock.commandCalls(DescribeDBClustersCommand)[0]?.thisValue)).toBe('us-west-2');
    expect(outputs.map((o) => [o.done, o.status])).toEqual([
      [false, 'promoting'],
      [false, 'promoting'],
      [true, 'available'],
    ]);
    expect(outputs[2]?.writerSince).toBe(at(45).toISOString());
    expect(outputs[2]?.timeline).toEqual([
      expect.objectContaining({
        step: 'detach-target',
        phase: 'progress',
        message: 'orders-usw2 promoting, 0 writer instance(s)',
      }),
      expect.objectContaining({
        step: 'detach-target',
        phase: 'succeeded',
        facts: { status: 'available', writerSince: at(45).toISOString(), elapsedSeconds: 45 },
      }),
    ]);
  });

  it('waits while the target is still listed in the global cluster', async () => {
    // Prepare
    rdsMock.on(DescribeDBClustersCommand).resolves(writerStillListed());

    // Act
    const out = await checkDetach({ request, detach: detach() }, depsAt(15));

    // Assess
    expect(out.done).toBe(false);
    expect(out.timeline[0]?.message).toBe(
      'orders-usw2 available, 1 writer instance(s), still listed in orders-global',
    );
  });

  it('accepts a target the managed failover made writer, which stays a member', async () => {
    // Prepare
    rdsMock.on(DescribeDBClustersCommand).resolves(writerStillListed());

    // Act
    const out = await checkDetach({ request, detach: detach('already-writer') }, depsAt(15));

    // Assess
    expect(out).toMatchObject({ done: true, status: 'available' });
  });

  it('gives up past the deadline with what to check', async () => {
    // Prepare
    rdsMock
      .on(DescribeDBClustersCommand)
      .resolves(fixture('rds/describe-db-clusters-detached-promoting.json'));

    // Act
    const checked = checkDetach({ request, detach: detach() }, depsAt(601));

    // Assess
    await expect(checked).rejects.toThrow(DeadlineExceededError);
    await expect(checked).rejects.toThrow(
      /orders-usw2 not writing by 2026-11-22T03:21:00.000Z \(status promoting, 0 writer instance\(s\)\).*aws rds describe-db-clusters --region us-west-2 --db-cluster-identifier orders-usw2/,
    );
  });

  it('waits for nothing after a dry run', async () => {
    // Prepare
    rdsMock.on(DescribeDBClustersCommand).resolves(fixture('rds/describe-db-clusters-secondary.json'));

    // Act
    const out = await checkDetach(
      { request: { ...request, dryRun: true }, detach: detach('dry-run') },
      depsAt(15),
    );

    // Assess
    expect(commandsSent(rdsMock)).toEqual(['DescribeDBClustersCommand']);
    expect(out).toMatchObject({ done: true, writerSince: null });
    expect(out.timeline).toEqual([expect.objectContaining({ phase: 'dry-run' })]);
  });
});
