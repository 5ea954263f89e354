import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../../src/errors.js';
import { checkScale } from '../../src/steps/check-scale.js';
import type { ScaleOutput } from '../../src/steps/contracts.js';
import { event } from '../../src/timeline/types.js';
import { testDeps } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { may20Request } from '../support/request.js';

const STARTED = new Date('2024-05-20T14:06:00.000Z');
const NOW = new Date('2024-05-20T14:07:30.000Z');
const PAST_DEADLINE = new Date('2024-05-20T14:21:15.000Z');
const request = may20Request();
const scale: ScaleOutput = {
  services: [
    {
      name: 'orders-api',
      cluster: 'orders-usw2',
      service: 'orders-api',
      previousDesired: 2,
      desired: 6,
      action: 'scaled',
      minCapacityRaised: true,
    },
    {
      name: 'orders-worker',
      cluster: 'orders-usw2',
      service: 'orders-worker',
      previousDesired: 1,
      desired: 3,
      action: 'scaled',
      minCapacityRaised: false,
    },
  ],
  startedAt: STARTED.toISOString(),
  deadline: '2024-05-20T14:21:00.000Z',
  timeline: [
    event(STARTED, 'scale-target', 'started', 'scaling orders-api 2->6, orders-worker 1->3 in us-west-2'),
  ],
};
const earlierPoll = (running: Record<string, number>) =>
  event(new Date('2024-05-20T14:06:15.000Z'), 'scale-target', 'progress', 'waiting', {
    region: 'us-west-2',
    services: 2,
    runningTasks: (running.api ?? 0) + (running.worker ?? 0),
    desiredTasks: 9,
  });

describe('checkScale', () => {
  const ecsMock = mockClient(ECSClient);

  afterEach(() => {
    ecsMock.reset();
  });

  it('is done when every service runs its count with one deployment', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-active.json'));
    const previous = { timeline: [earlierPoll({ api: 3, worker: 3 })] };

    // Act
    const output = await checkScale({ request, scale, previous }, testDeps(NOW));

    // Assess
    expect(output.done).toBe(true);
    expect(output.services).toEqual([
      { name: 'orders-api', desired: 6, running: 6, deployments: 1 },
      { name: 'orders-worker', desired: 3, running: 3, deployments: 1 },
    ]);
    expect(output.timeline).toEqual([
      previous.timeline[0],
      expect.objectContaining({
        phase: 'succeeded',
        at: NOW.toISOString(),
        facts: expect.objectContaining({ runningTasks: 9, desiredTasks: 9 }),
      }),
    ]);
  });

  it('is not done while tasks are pending, and records the running counts', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-scaling.json'));

    // Act
    const output = await checkScale({ request, scale }, testDeps(NOW));

    // Assess
    expect(output.done).toBe(false);
    expect(output.timeline).toEqual([
      expect.objectContaining({
        phase: 'progress',
        message: 'waiting for 1 of 2 services: orders-api (running 3 of 6, 3 pending)',
        facts: expect.objectContaining({ services: 2, runningTasks: 6 }),
      }),
    ]);
  });

  it.each([
    { name: 'adds no event when the running counts have not moved', before: { api: 3, worker: 3 }, added: 0 },
    { name: 'adds a progress event when a running count moved', before: { api: 1, worker: 3 }, added: 1 },
  ])('$name', async ({ before, added }) => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-scaling.json'));
    const previous = { timeline: [earlierPoll(before)] };

    // Act
    const output = await checkScale({ request, scale, previous }, testDeps(NOW));

    // Assess
    expect(output.timeline).toHaveLength(1 + added);
  });

  it.each([
    { mode: 'manual' as const, percent: 50, done: true },
    { mode: 'manual' as const, percent: 60, done: false },
    { mode: 'planned' as const, percent: 50, done: false },
  ])(
    'with capacity.shiftAtPercent $percent, a $mode move at 3 of 6 running is done: $done',
    async ({ mode, percent, done }) => {
      // Prepare
      ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-scaling.json'));
      const deps = testDeps(NOW);
      deps.plan.capacity.shiftAtPercent = percent;

      // Act
      const output = await checkScale({ request: { ...request, mode }, scale }, deps);

      // Assess
      expect(output.done).toBe(done);
      const last = output.timeline.at(-1);
      if (done) {
        expect(last?.phase).toBe('succeeded');
        expect(last?.message).toContain('at least 50% of its count');
        expect(last?.facts).toMatchObject({ shiftAtPercent: 50, runningTasks: 6 });
      } else {
        expect(last?.phase).toBe('progress');
      }
    },
  );

  it('fails past the deadline naming each short service and what to check', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-scaling.json'));

    // Act
    const checked = checkScale({ request, scale }, testDeps(PAST_DEADLINE));

    // Assess
    await expect(checked).rejects.toThrow(DeadlineExceededError);
    await expect(checked).rejects.toThrow('orders-api (running 3 of 6, 3 pending)');
    await expect(checked).rejects.toThrow(/not enough capacity in us-west-2/);
  });

  it('succeeds past the deadline when the services have settled', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-active.json'));

    // Act
    const output = await checkScale({ request, scale }, testDeps(PAST_DEADLINE));

    // Assess
    expect(output.done).toBe(true);
  });

  describe('in a dry run', () => {
    it('is done at once after a dry-run scale-up, without reading AWS', async () => {
      // Prepare
      const dryRunScale: ScaleOutput = { ...scale, dryRun: true };

      // Act
      const output = await checkScale(
        { request: { ...request, dryRun: true }, scale: dryRunScale },
        testDeps(NOW),
      );

      // Assess
      expect(ecsMock).not.toHaveReceivedAnyCommand();
      expect(output).toEqual({
        done: true,
        services: [],
        timeline: [
          {
            at: NOW.toISOString(),
            step: 'scale-target',
            phase: 'dry-run',
            message: 'dry run: no ECS service was scaled; nothing to wait for',
          },
        ],
      });
    });
  });
});
