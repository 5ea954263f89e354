import {
  DescribeGlobalClustersCommand,
  type DescribeGlobalClustersCommandOutput,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientRegistry } from '../../src/aws/clients.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import { checkPromotion } from '../../src/steps/check-promotion.js';
import type { CheckPromotionOutput, PromoteOutput } from '../../src/steps/contracts.js';
import { awsError, regionOf } from '../support/aws.js';
import { fixture } from '../support/fixtures.js';
import { examplePlan } from '../support/plan.js';
import { nov22Request } from '../support/request.js';

const STARTED = Date.parse('2025-11-22T00:20:00.000Z');
const at = (seconds: number) => new Date(STARTED + seconds * 1000);

const request = nov22Request();

const promotion: PromoteOutput = {
  action: 'failover',
  startedAt: at(0).toISOString(),
  deadline: at(600).toISOString(),
  rpoLagMsBeforePromotion: 420,
  timeline: [],
};

describe('checkPromotion', () => {
  const rdsMock = mockClient(RDSClient);
  const clients = new ClientRegistry();
  const depsAt = (seconds: number): StepDeps => ({ plan: examplePlan(), clients, now: () => at(seconds) });

  afterEach(() => {
    rdsMock.reset();
  });

  it('records pending, failing-over and completion once each across polls', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce(fixture('rds/describe-global-clusters-failover-pending.json'))
      .resolvesOnce(fixture('rds/describe-global-clusters-failing-over.json'))
      .resolvesOnce(fixture('rds/describe-global-clusters-failing-over.json'))
      .resolvesOnce(fixture('rds/describe-global-clusters-target-writer.json'));

    // Act
    const outputs: CheckPromotionOutput[] = [];
    let previous: { timeline: CheckPromotionOutput['timeline'] } | undefined;
    for (const seconds of [10, 25, 40, 55]) {
      const out = await checkPromotion({ request, promotion, previous }, depsAt(seconds));
      outputs.push(out);
      previous = { timeline: out.timeline };
    }

    // Assess
    expect(outputs.map((o) => [o.done, o.status])).toEqual([
      [false, 'pending'],
      [false, 'failing-over'],
      [false, 'failing-over'],
      [true, 'complete'],
    ]);
    const last = outputs.at(-1);
    expect(last?.timeline.map((e) => [e.phase, e.facts?.status, e.at])).toEqual([
      ['progress', 'pending', at(10).toISOString()],
      ['progress', 'failing-over', at(25).toISOString()],
      ['succeeded', 'complete', at(55).toISOString()],
    ]);
    expect(last?.writerSince).toBe(at(55).toISOString());
    expect(last?.timeline.at(-1)?.facts?.elapsedSeconds).toBe(55);
  });

  it('reads the global cluster in the target region', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-failing-over.json'));

    // Act
    await checkPromotion({ request, promotion }, depsAt(20));

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(DescribeGlobalClustersCommand, {
      GlobalClusterIdentifier: 'orders-global',
    });
    expect(await regionOf(rdsMock.commandCalls(DescribeGlobalClustersCommand)[0]?.thisValue)).toBe(
      'us-west-2',
    );
  });

  it('dates writerSince from the first poll that saw the target writing during a switchover', async () => {
    // Prepare
    const writing = fixture<DescribeGlobalClustersCommandOutput>(
      'rds/describe-global-clusters-switching-over.json',
    );
    for (const member of writing.GlobalClusters?.[0]?.GlobalClusterMembers ?? [])
      member.IsWriter = !member.IsWriter;
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce(fixture('rds/describe-global-clusters-switching-over.json'))
      .resolvesOnce(writing)
      .resolvesOnce(fixture('rds/describe-global-clusters-target-writer.json'));
    const planned = { ...promotion, action: 'switchover' as const, rpoLagMsBeforePromotion: null };

    // Act
    const first = await checkPromotion({ request, promotion: planned }, depsAt(10));
    const second = await checkPromotion({ request, promotion: planned, previous: first }, depsAt(30));
    const third = await checkPromotion({ request, promotion: planned, previous: second }, depsAt(50));

    // Assess
    expect(third.timeline.map((e) => [e.phase, e.facts?.status, e.facts?.targetIsWriter ?? null])).toEqual([
      ['progress', 'switching-over', false],
      ['progress', 'switching-over', true],
      ['succeeded', 'complete', null],
    ]);
    expect(third.writerSince).toBe(at(30).toISOString());
  });

  it('raises PromotionStuckError for a failover past its deadline, with what the operator must do', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-failing-over.json'));

    // Act
    const error = await checkPromotion({ request, promotion }, depsAt(601)).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'PromotionStuckError', transient: false });
    expect((error as Error).message).toMatch(/still failing-over/);
    expect((error as Error).message).toMatch(/RDS console \(us-west-2\)/);
    expect((error as Error).message).toMatch(
      /remove-from-global-cluster .*--db-cluster-identifier arn:aws:rds:us-west-2/,
    );
  });

  it('reports completion even when it is first seen after the deadline', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-target-writer.json'));

    // Act
    const out = await checkPromotion({ request, promotion }, depsAt(620));

    // Assess
    expect(out.done).toBe(true);
  });

  it('raises AwsRequestError when RDS cancels the failover', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-cancelling.json'));

    // Act & Assess
    await expect(checkPromotion({ request, promotion }, depsAt(30))).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringMatching(/did not complete: RDS is cancelling/),
    });
  });

  it('raises AwsTransientError when RDS throttles the poll', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .rejects(awsError(RDSServiceException, 'Throttling', 400, 'Rate exceeded'));

    // Act & Assess
    await expect(checkPromotion({ request, promotion }, depsAt(30))).rejects.toMatchObject({
      name: 'AwsTransientError',
    });
  });

  describe('in a dry run', () => {
    it('is done at once after a dry-run promotion, without reading AWS', async () => {
      // Prepare
      const dryRunPromotion: PromoteOutput = { ...promotion, dryRun: true };
      const previous = { timeline: [] };

      // Act
      const out = await checkPromotion(
        { request: { ...request, dryRun: true }, promotion: dryRunPromotion, previous },
        depsAt(10),
      );

      // Assess
      expect(rdsMock).not.toHaveReceivedAnyCommand();
      expect(out).toEqual({
        done: true,
        status: 'dry-run',
        writerSince: null,
        timeline: [
          {
            at: at(10).toISOString(),
            step: 'promote-database',
            phase: 'dry-run',
            message: 'dry run: no failover was requested; nothing to wait for',
          },
        ],
      });
    });
  });
});
