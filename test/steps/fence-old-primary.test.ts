import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  type DescribeScalableTargetsCommandOutput,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  type DescribeServicesCommandOutput,
  ECSClient,
  ECSServiceException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UNREACHABLE_WINDOW_MS } from '../../src/aws/retry.js';
import { InputInvalidError } from '../../src/errors.js';
import { handler } from '../../src/handlers/fence-old-primary.js';
import { fenceOldPrimary } from '../../src/steps/fence-old-primary.js';
import { awsError, commandsSent, hang, mutatingCommandsSent, regionOf } from '../support/aws.js';
import { elapsedSince, inVirtualTime } from '../support/clock.js';
import { testDepsBounded } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { lambdaContext } from '../support/lambda-context.js';
import { failoverRequest } from '../support/request.js';

const NOW = '2026-11-22T03:00:00.000Z';
const ACTION = 'scale to 0 and lower autoscaling minimum to 0';
const AURORA_FOLLOW_UP =
  'When us-east-1 answers: aws rds describe-global-clusters --region us-west-2 --global-cluster-identifier orders-global and check exactly one member has IsWriter=true (the us-west-2 cluster).';
const RUN_WHEN_BACK = {
  apiMinimum:
    'When us-east-1 answers, run: aws application-autoscaling register-scalable-target --region us-east-1 --service-namespace ecs --resource-id service/orders-use1/orders-api --scalable-dimension ecs:service:DesiredCount --min-capacity 0 --suspended-state DynamicScalingInSuspended=false,DynamicScalingOutSuspended=true,ScheduledScalingSuspended=true',
  apiDesired:
    'When us-east-1 answers, run: aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-api --desired-count 0',
  workerDesired:
    'When us-east-1 answers, run: aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-worker --desired-count 0',
};

/** What the old region's services look like before fencing (describe-*-use1-active.json). */
const API_AS_FOUND = {
  desired: 6,
  minCapacity: 6,
  maxCapacity: 12,
  suspended: { dynamicIn: false, dynamicOut: false, scheduled: false },
};
const WORKER_AS_FOUND = { desired: 3, minCapacity: null, maxCapacity: null, suspended: null };

const services = (name: string) => fixture<DescribeServicesCommandOutput>(`ecs/${name}`);
const scalableTargets = (name: string) => fixture<DescribeScalableTargetsCommandOutput>(`ecs/${name}`);

/** DescribeServices answers with the services asked for, as ECS does. */
const only = (out: DescribeServicesCommandOutput, input: DescribeServicesCommandInput) => ({
  ...out,
  services: out.services?.filter((s) => input.services?.includes(s.serviceName ?? '')),
});

/** Recorded calls (sinon's) know their order across every stub. */
const sentBefore = (first: unknown, second: unknown) =>
  first !== undefined &&
  second !== undefined &&
  (first as { calledBefore(other: unknown): boolean }).calledBefore(second);

/** Commands a human is asked to run against the old region. */
const commandsToRun = (followUps: readonly string[]) =>
  followUps.filter((f) => f.includes(' answers, run: '));

const deps = (failedRegionCallMs?: number) => testDepsBounded(NOW, failedRegionCallMs);

describe('fence-old-primary', () => {
  const ecsMock = mockClient(ECSClient);
  const autoscalingMock = mockClient(ApplicationAutoScalingClient);
  const rdsMock = mockClient(RDSClient);

  /** The old primary region answers, with these counts; calls anywhere else are a mistake. */
  function oldRegionAnswers(
    current: DescribeServicesCommandOutput,
    scaler: DescribeScalableTargetsCommandOutput,
  ) {
    const inOldRegion = async (getClient: () => unknown, answer: () => unknown) => {
      const region = await regionOf(getClient());
      if (region !== 'us-east-1') throw new Error(`fencing called ${region}, not the old primary's region`);
      return answer();
    };
    ecsMock
      .on(DescribeServicesCommand)
      .callsFake((input: DescribeServicesCommandInput, getClient) =>
        inOldRegion(getClient, () => only(current, input)),
      );
    ecsMock.on(UpdateServiceCommand).callsFake((_input, getClient) => inOldRegion(getClient, () => ({})));
    autoscalingMock
      .on(DescribeScalableTargetsCommand)
      .callsFake((_input, getClient) => inOldRegion(getClient, () => scaler));
    autoscalingMock
      .on(RegisterScalableTargetCommand)
      .callsFake((_input, getClient) =>
        inOldRegion(getClient, () => fixture('ecs/register-scalable-target-use1.json')),
      );
  }

  afterEach(() => {
    ecsMock.reset();
    autoscalingMock.reset();
    rdsMock.reset();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  describe('unplanned, when the old region answers', () => {
    it('lowers the autoscaling minimum to 0 before scaling each service to 0', async () => {
      // Prepare
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );

      // Act
      const output = await fenceOldPrimary({ request: failoverRequest() }, deps());

      // Assess
      expect(autoscalingMock.commandCalls(RegisterScalableTargetCommand).map((c) => c.args[0].input)).toEqual(
        [
          {
            ServiceNamespace: 'ecs',
            ResourceId: 'service/orders-use1/orders-api',
            ScalableDimension: 'ecs:service:DesiredCount',
            MinCapacity: 0,
            SuspendedState: {
              DynamicScalingInSuspended: false,
              DynamicScalingOutSuspended: true,
              ScheduledScalingSuspended: true,
            },
          },
        ],
      );
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
        cluster: 'orders-use1',
        service: 'orders-api',
        desiredCount: 0,
      });
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
        cluster: 'orders-use1',
        service: 'orders-worker',
        desiredCount: 0,
      });
      const [lowerApiMinimum] = autoscalingMock.commandCalls(RegisterScalableTargetCommand);
      const [scaleApiToZero] = ecsMock.commandCalls(UpdateServiceCommand, { service: 'orders-api' });
      expect(sentBefore(lowerApiMinimum, scaleApiToZero)).toBe(true);
      expect(output.fencing.slice(0, 2)).toEqual([
        {
          resource: 'ecs us-east-1/orders-use1/orders-api',
          action: ACTION,
          outcome: 'fenced',
          detail:
            'was desiredCount 6, autoscaling min 6 max 12, nothing suspended; failback restores exactly that',
          previous: API_AS_FOUND,
        },
        {
          resource: 'ecs us-east-1/orders-use1/orders-worker',
          action: ACTION,
          outcome: 'fenced',
          detail: 'was desiredCount 3, no autoscaling; failback restores exactly that',
          previous: WORKER_AS_FOUND,
        },
      ]);
      expect(commandsToRun(output.followUps)).toEqual([]);
      expect(output.timeline).toEqual([
        {
          at: NOW,
          step: 'fence-old-primary',
          phase: 'started',
          message: 'fencing 2 service(s) in us-east-1',
        },
        expect.objectContaining({ at: NOW, step: 'fence-old-primary', phase: 'succeeded' }),
      ]);
      expect(output.timeline[1]?.facts).toMatchObject({ unconfirmed: 0 });
    });

    it('sends the whole SuspendedState, scale-in as found: a member left out may read as false', async () => {
      // Prepare: an operator had suspended scale-in on the old primary's orders-api.
      const scaler = scalableTargets('describe-scalable-targets-use1-active.json');
      const [target] = scaler.ScalableTargets ?? [];
      if (!target) throw new Error('the fixture lists orders-api');
      target.SuspendedState = {
        DynamicScalingInSuspended: true,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
      };
      oldRegionAnswers(services('describe-services-use1-active.json'), scaler);

      // Act
      const output = await fenceOldPrimary({ request: failoverRequest() }, deps());

      // Assess
      expect(autoscalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
        MinCapacity: 0,
        SuspendedState: {
          DynamicScalingInSuspended: true,
          DynamicScalingOutSuspended: true,
          ScheduledScalingSuspended: true,
        },
      });
      expect(output.fencing[0]?.previous?.suspended).toEqual({
        dynamicIn: true,
        dynamicOut: false,
        scheduled: false,
      });
    });

    it('does not record Aurora write fencing as done before anything has fenced it', async () => {
      // Prepare: ECS in the old region answers; nothing is sent to Aurora by this step, and
      // FailoverGlobalCluster (which demotes the old writer) has not been requested yet.
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );

      // Act
      const output = await fenceOldPrimary({ request: failoverRequest() }, deps());

      // Assess
      expect(rdsMock).not.toHaveReceivedAnyCommand();
      const aurora = output.fencing.find((f) => f.resource === 'aurora orders-global');
      expect(aurora?.outcome).not.toBe('fenced');
      expect(output.followUps).toContain(AURORA_FOLLOW_UP);
    });

    it("sends every call through the old region's clients and asks autoscaling only about scaled services", async () => {
      // Prepare
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );

      // Act
      await fenceOldPrimary({ request: failoverRequest() }, deps());

      // Assess
      const regions = await Promise.all(
        [...ecsMock.calls(), ...autoscalingMock.calls()].map((call) => regionOf(call.thisValue)),
      );
      expect(new Set(regions)).toEqual(new Set(['us-east-1']));
      expect(autoscalingMock).toHaveReceivedCommandExactlyOnceWith(DescribeScalableTargetsCommand, {
        ServiceNamespace: 'ecs',
        ResourceIds: ['service/orders-use1/orders-api'],
        ScalableDimension: 'ecs:service:DesiredCount',
      });
      expect(rdsMock).not.toHaveReceivedAnyCommand();
    });

    it('changes nothing when a re-run finds every service at 0 with minimum 0', async () => {
      // Prepare
      oldRegionAnswers(
        services('describe-services-use1-fenced.json'),
        scalableTargets('describe-scalable-targets-use1-fenced.json'),
      );

      // Act
      const output = await fenceOldPrimary({ request: failoverRequest() }, deps());

      // Assess
      expect(commandsSent(ecsMock, autoscalingMock).filter((name) => !name.startsWith('Describe'))).toEqual(
        [],
      );
      expect(output.fencing.slice(0, 2)).toEqual([
        expect.objectContaining({ resource: 'ecs us-east-1/orders-use1/orders-api', outcome: 'already' }),
        expect.objectContaining({ resource: 'ecs us-east-1/orders-use1/orders-worker', outcome: 'already' }),
      ]);
      expect(output.fencing[0]?.detail).toBe(
        'already at 0 (desiredCount 0, autoscaling min 0 max 12, suspended: dynamic scale-out, scheduled scaling)',
      );
      expect(commandsToRun(output.followUps)).toEqual([]);
      expect(output.timeline.at(-1)).toMatchObject({
        phase: 'succeeded',
        facts: { already: 2, unconfirmed: 0 },
      });
    });

    it('only scales to 0 when an earlier attempt already lowered the minimum', async () => {
      // Prepare
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-fenced.json'),
      );

      // Act
      const output = await fenceOldPrimary({ request: failoverRequest() }, deps());

      // Assess
      expect(autoscalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
        service: 'orders-api',
        desiredCount: 0,
      });
      expect(output.fencing[0]).toMatchObject({ outcome: 'fenced' });
    });
  });

  describe('unplanned, when the old region does not answer', () => {
    it.each([
      ['does not answer', () => hang(), 'timeout: no answer'],
      [
        'answers 503 every time',
        () => Promise.reject(awsError(ECSServiceException, 'ServiceUnavailableException', 503)),
        'error: AwsTransientError: DescribeServices: ServiceUnavailableException',
      ],
      [
        'refuses the connection',
        () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
        'timeout: no answer',
      ],
    ])(
      'records each service as unconfirmed with the commands to run later when ECS %s',
      async (_case, answer, why) => {
        // Prepare
        vi.useFakeTimers();
        ecsMock.on(DescribeServicesCommand).callsFake(answer);

        // Act
        const output = await inVirtualTime(fenceOldPrimary({ request: failoverRequest() }, deps()));

        // Assess
        expect(output.fencing.slice(0, 2)).toEqual([
          {
            resource: 'ecs us-east-1/orders-use1/orders-api',
            action: ACTION,
            outcome: 'unconfirmed',
            detail: expect.stringContaining(`us-east-1 did not confirm: ${why}`),
          },
          {
            resource: 'ecs us-east-1/orders-use1/orders-worker',
            action: ACTION,
            outcome: 'unconfirmed',
            detail: expect.stringContaining(`us-east-1 did not confirm: ${why}`),
          },
        ]);
        expect(output.followUps).toEqual([
          RUN_WHEN_BACK.apiMinimum,
          RUN_WHEN_BACK.apiDesired,
          RUN_WHEN_BACK.workerDesired,
          AURORA_FOLLOW_UP,
        ]);
        expect(output.fencing.at(-1)).toMatchObject({
          resource: 'aurora orders-global',
          outcome: 'unconfirmed',
        });
        expect(output.timeline.at(-1)).toMatchObject({
          phase: 'unconfirmed',
          message:
            '0 service(s) fenced or already fenced, 2 unconfirmed; Aurora write fencing comes with the promotion',
          facts: { fenced: 0, already: 0, unconfirmed: 2 },
        });
        expect(commandsSent(ecsMock, autoscalingMock).filter((name) => !name.startsWith('Describe'))).toEqual(
          [],
        );
      },
    );

    it('calls a silent region unreachable only after the window, aborting each attempt at failedRegionCallMs', async () => {
      // Prepare
      vi.useFakeTimers();
      ecsMock.on(DescribeServicesCommand).callsFake(() => hang());
      let settled = false;
      const started = Date.now();

      // Act: one silent attempt (3 s) is not an outage
      const run = fenceOldPrimary({ request: failoverRequest() }, deps()).finally(() => {
        settled = true;
      });
      await vi.advanceTimersByTimeAsync(UNREACHABLE_WINDOW_MS - 1);
      const settledWithinWindow = settled;
      const output = await inVirtualTime(run);

      // Assess
      expect(settledWithinWindow).toBe(false);
      expect(elapsedSince(started)).toBeLessThan(UNREACHABLE_WINDOW_MS + 3000);
      expect(output.fencing[0]?.detail).toMatch(
        /^us-east-1 did not confirm: timeout: no answer \(\d+ attempt\(s\) over 2\d s; last: no answer within \d+ ms\)$/,
      );
      expect(output.fencing[0]?.previous).toBeUndefined();
      const options = ecsMock
        .calls()
        .map((call) => (call.args as unknown[])[1] as { abortSignal?: AbortSignal });
      expect(options.length).toBeGreaterThanOrEqual(2 * 4);
      expect(options.every((o) => o.abortSignal?.aborted === true)).toBe(true);
    });

    it('fences a healthy region whose reads are throttled at first', async () => {
      // Prepare: the old region answers; its first DescribeServices calls are throttled
      vi.useFakeTimers();
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );
      const throttled = awsError(ECSServiceException, 'ThrottlingException', 400, 'Rate exceeded');
      ecsMock
        .on(DescribeServicesCommand)
        .rejectsOnce(throttled)
        .rejectsOnce(throttled)
        .callsFake((input: DescribeServicesCommandInput) =>
          only(services('describe-services-use1-active.json'), input),
        );

      // Act
      const output = await inVirtualTime(fenceOldPrimary({ request: failoverRequest() }, deps()));

      // Assess
      expect(output.fencing.slice(0, 2).map((f) => f.outcome)).toEqual(['fenced', 'fenced']);
      expect(output.fencing[0]?.previous).toEqual(API_AS_FOUND);
      expect(output.fencing[1]?.previous).toEqual(WORKER_AS_FOUND);
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
        service: 'orders-api',
        desiredCount: 0,
      });
      expect(autoscalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, { MinCapacity: 0 });
      expect(commandsToRun(output.followUps)).toEqual([]);
      expect(output.timeline.at(-1)).toMatchObject({ phase: 'succeeded', facts: { unconfirmed: 0 } });
    });

    it('records what it found when the read gets through but the change does not', async () => {
      // Prepare
      vi.useFakeTimers();
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );
      ecsMock.on(UpdateServiceCommand).callsFake(() => hang());

      // Act
      const output = await inVirtualTime(fenceOldPrimary({ request: failoverRequest() }, deps()));

      // Assess
      expect(output.fencing[0]).toEqual({
        resource: 'ecs us-east-1/orders-use1/orders-api',
        action: ACTION,
        outcome: 'unconfirmed',
        detail: expect.stringMatching(
          /^us-east-1 answered the read \(found desiredCount 6, autoscaling min 6 max 12, nothing suspended\) but did not confirm the scale-down: timeout: /,
        ),
        previous: API_AS_FOUND,
      });
      expect(output.fencing[1]).toMatchObject({ outcome: 'unconfirmed', previous: WORKER_AS_FOUND });
      expect(commandsToRun(output.followUps)).toEqual([
        RUN_WHEN_BACK.apiMinimum,
        RUN_WHEN_BACK.apiDesired,
        RUN_WHEN_BACK.workerDesired,
      ]);
    });

    it('gives up at once on a refusal, which no retry changes', async () => {
      // Prepare
      ecsMock
        .on(DescribeServicesCommand)
        .rejects(awsError(ECSServiceException, 'AccessDeniedException', 400, 'not authorized'));

      // Act
      const output = await fenceOldPrimary({ request: failoverRequest() }, deps());

      // Assess
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 2);
      expect(output.fencing[0]).toMatchObject({
        outcome: 'unconfirmed',
        detail: expect.stringMatching(
          /^us-east-1 did not confirm: error: AwsRequestError: DescribeServices: AccessDeniedException/,
        ),
      });
    });

    it('fences the services that answer and records the others on their own', async () => {
      // Prepare
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );
      ecsMock.on(DescribeServicesCommand, { services: ['orders-worker'] }).callsFake(() => hang());
      vi.useFakeTimers();

      // Act
      const output = await inVirtualTime(fenceOldPrimary({ request: failoverRequest() }, deps()));

      // Assess
      expect(output.fencing.slice(0, 2).map((f) => f.outcome)).toEqual(['fenced', 'unconfirmed']);
      expect(commandsToRun(output.followUps)).toEqual([RUN_WHEN_BACK.workerDesired]);
      expect(output.timeline.at(-1)?.phase).toBe('unconfirmed');
    });
  });

  it('sends nothing for a planned switchover: Aurora fences the old writer and the old region keeps serving', async () => {
    // Act
    const output = await fenceOldPrimary({ request: failoverRequest({ mode: 'planned' }) }, deps());

    // Assess
    expect(commandsSent(ecsMock, autoscalingMock, rdsMock)).toEqual([]);
    expect(output).toEqual({
      fencing: [
        {
          resource: 'aurora orders-global',
          action: 'switchover makes the old writer read-only',
          outcome: 'already',
          detail: 'managed by SwitchoverGlobalCluster',
        },
      ],
      followUps: [expect.stringMatching(/^Services in us-east-1 were left running for the planned move/)],
      timeline: [
        {
          at: NOW,
          step: 'fence-old-primary',
          phase: 'skipped',
          message:
            'planned switchover: Aurora fences writes itself; old region keeps serving until traffic moves',
        },
      ],
    });
  });

  describe('in a dry run', () => {
    const dryRun = (mode: 'automatic' | 'planned' = 'automatic') => failoverRequest({ mode, dryRun: true });

    it('reads and decides, sends nothing, records what it would do', async () => {
      // Prepare
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );

      // Act
      const output = await fenceOldPrimary({ request: dryRun() }, deps());

      // Assess
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 2);
      expect(autoscalingMock).toHaveReceivedCommandTimes(DescribeScalableTargetsCommand, 1);
      expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(autoscalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
      expect(mutatingCommandsSent(ecsMock, autoscalingMock, rdsMock)).toEqual([]);
      expect(output.fencing).toEqual([
        {
          resource: 'ecs us-east-1/orders-use1/orders-api',
          action: ACTION,
          outcome: 'would-fence',
          detail: 'found desiredCount 6, autoscaling min 6 max 12, nothing suspended; nothing sent (dry run)',
          previous: API_AS_FOUND,
        },
        {
          resource: 'ecs us-east-1/orders-use1/orders-worker',
          action: ACTION,
          outcome: 'would-fence',
          detail: 'found desiredCount 3, no autoscaling; nothing sent (dry run)',
          previous: WORKER_AS_FOUND,
        },
        {
          resource: 'aurora orders-global',
          action: 'write fencing of the old writer by FailoverGlobalCluster',
          outcome: 'would-fence',
          detail: 'would be requested with the promotion (FailoverGlobalCluster); nothing sent (dry run)',
        },
      ]);
      expect(output.followUps).toEqual([]);
      expect(output.timeline.map((e) => [e.phase, e.message])).toEqual([
        ['started', 'dry run: reading 2 service(s) in us-east-1 to fence'],
        [
          'dry-run',
          'would lower the autoscaling minimum of orders-api in us-east-1 (orders-use1) 6 -> 0, then scale it 6 -> 0',
        ],
        ['dry-run', 'would scale orders-worker in us-east-1 (orders-use1) 3 -> 0'],
        ['dry-run', 'dry run: 2 service(s) would be fenced, 0 already fenced, 0 unreadable; nothing sent'],
      ]);
      expect(output.timeline[1]?.facts).toEqual({
        resource: 'ecs us-east-1/orders-use1/orders-api',
        outcome: 'would-fence',
        wouldDo: true,
      });
    });

    it('would only lower the minimum of a service already scaled to 0', async () => {
      // Prepare
      oldRegionAnswers(
        services('describe-services-use1-fenced.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );

      // Act
      const output = await fenceOldPrimary({ request: dryRun() }, deps());

      // Assess
      expect(mutatingCommandsSent(ecsMock, autoscalingMock)).toEqual([]);
      expect(output.fencing.slice(0, 2).map((f) => f.outcome)).toEqual(['would-fence', 'already']);
      expect(output.timeline.filter((e) => e.facts?.wouldDo).map((e) => e.message)).toEqual([
        'would lower the autoscaling minimum of orders-api in us-east-1 (orders-use1) 6 -> 0',
      ]);
    });

    it('records a service whose read does not get through as unconfirmed, as a real run would', async () => {
      // Prepare
      vi.useFakeTimers();
      ecsMock.on(DescribeServicesCommand).callsFake(() => hang());

      // Act
      const output = await inVirtualTime(fenceOldPrimary({ request: dryRun() }, deps()));

      // Assess
      expect(mutatingCommandsSent(ecsMock, autoscalingMock)).toEqual([]);
      expect(output.fencing[0]).toEqual({
        resource: 'ecs us-east-1/orders-use1/orders-api',
        action: ACTION,
        outcome: 'unconfirmed',
        detail: expect.stringMatching(
          /^dry run: us-east-1 did not answer the read: timeout: no answer \(\d+ attempt\(s\) over 2\d s; last: no answer within \d+ ms\); a real run would record this fencing unconfirmed$/,
        ),
      });
      expect(output.followUps).toEqual([]);
      expect(output.timeline[1]).toMatchObject({
        phase: 'dry-run',
        message: expect.stringMatching(
          /^would fence orders-api in us-east-1 \(orders-use1\), but us-east-1 did not answer the read \(timeout: no answer .*\): a real run would record it unconfirmed$/,
        ),
      });
      expect(output.timeline.at(-1)?.facts).toEqual({ wouldFence: 0, already: 0, unconfirmed: 2 });
    });

    it('sends nothing for a planned switchover and leaves no follow-up', async () => {
      // Act
      const output = await fenceOldPrimary({ request: dryRun('planned') }, deps());

      // Assess
      expect(commandsSent(ecsMock, autoscalingMock, rdsMock)).toEqual([]);
      expect(output.fencing).toEqual([
        {
          resource: 'aurora orders-global',
          action: 'switchover makes the old writer read-only',
          outcome: 'would-fence',
          detail: 'would be done by SwitchoverGlobalCluster; nothing sent (dry run)',
        },
      ]);
      expect(output.followUps).toEqual([]);
    });
  });

  describe('handler', () => {
    const invoke = (event: unknown) =>
      handler(event, lambdaContext({ functionName: 'orders-fence-old-primary' }));

    it('runs the step with the packaged plan and returns its output', async () => {
      // Prepare
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(NOW));
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');
      oldRegionAnswers(
        services('describe-services-use1-active.json'),
        scalableTargets('describe-scalable-targets-use1-active.json'),
      );

      // Act
      const output = await invoke({ request: failoverRequest() });

      // Assess
      expect(output.fencing.slice(0, 2).map((f) => f.outcome)).toEqual(['fenced', 'fenced']);
      expect(output.timeline.at(-1)).toMatchObject({ at: NOW, phase: 'succeeded' });
    });

    it('rejects a malformed input with InputInvalidError naming the field', async () => {
      // Prepare
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');

      // Act
      const run = invoke({ request: { ...failoverRequest(), mode: 'sideways' } });

      // Assess
      await expect(run).rejects.toBeInstanceOf(InputInvalidError);
      await expect(run).rejects.toThrow(/^fence-old-primary: input is invalid: request\.mode: /);
      expect(commandsSent(ecsMock, autoscalingMock)).toEqual([]);
    });
  });
});
