import { describe, expect, it } from 'vitest';
import {
  decideScaleUp,
  describeShortfall,
  isScaleSettled,
  isServing,
  locateService,
  raisedCapacity,
  type ScalableCapacity,
  type ScalerState,
  type ServiceCounts,
  scaleUpCalls,
  servingThreshold,
  shiftAtPercent,
} from '../../src/decisions/capacity.js';
import { InputInvalidError } from '../../src/errors.js';
import type { EcsServicePlan } from '../../src/plan/schema.js';

const counts = (desired: number, running: number, pending = 0, deployments = 1): ServiceCounts => ({
  desired,
  running,
  pending,
  deployments,
});

describe('decideScaleUp', () => {
  it.each<{
    name: string;
    activeCount: number;
    current: number;
    scalable: ScalableCapacity | null;
    expected: ReturnType<typeof decideScaleUp>;
  }>([
    {
      name: 'scales a standby service up to activeCount',
      activeCount: 6,
      current: 2,
      scalable: null,
      expected: { desired: 6, updateDesired: true, raiseMinTo: null },
    },
    {
      name: 'leaves a service already at activeCount alone',
      activeCount: 6,
      current: 6,
      scalable: null,
      expected: { desired: 6, updateDesired: false, raiseMinTo: null },
    },
    {
      name: 'never lowers a service already above activeCount',
      activeCount: 6,
      current: 9,
      scalable: null,
      expected: { desired: 9, updateDesired: false, raiseMinTo: null },
    },
    {
      name: 'raises an autoscaling minimum below activeCount',
      activeCount: 6,
      current: 2,
      scalable: { min: 2, max: 12 },
      expected: { desired: 6, updateDesired: true, raiseMinTo: 6 },
    },
    {
      name: 'raises the minimum even when the count is already met, or the scaler shrinks it back',
      activeCount: 6,
      current: 6,
      scalable: { min: 1, max: 12 },
      expected: { desired: 6, updateDesired: false, raiseMinTo: 6 },
    },
    {
      name: 'keeps a minimum that already holds activeCount',
      activeCount: 6,
      current: 2,
      scalable: { min: 8, max: 12 },
      expected: { desired: 6, updateDesired: true, raiseMinTo: null },
    },
  ])('$name', ({ activeCount, current, scalable, expected }) => {
    // Act
    const decision = decideScaleUp(activeCount, current, scalable);

    // Assess
    expect(decision).toEqual(expected);
  });
});

describe('scaleUpCalls', () => {
  const live = { dynamicIn: false, dynamicOut: false, scheduled: false };
  const fenced = { dynamicIn: false, dynamicOut: true, scheduled: true };
  it.each<{
    name: string;
    current: number;
    scaler: ScalerState | null;
    expected: ReturnType<typeof scaleUpCalls>;
  }>([
    {
      name: 'scales a service without a scaler by UpdateService',
      current: 1,
      scaler: null,
      expected: { register: false, updateService: true, resume: false },
    },
    {
      name: 'scales a service with a scaler through its minimum only, never UpdateService',
      current: 1,
      scaler: { min: 1, max: 12, suspended: live },
      expected: { register: true, updateService: false, resume: false },
    },
    {
      name: 're-registers the same minimum when the count read is below it (a stale read, or set below it)',
      current: 1,
      scaler: { min: 6, max: 12, suspended: live },
      expected: { register: true, updateService: false, resume: false },
    },
    {
      name: 'resumes a fenced scaler even when the count already holds',
      current: 6,
      scaler: { min: 6, max: 12, suspended: fenced },
      expected: { register: true, updateService: false, resume: true },
    },
    {
      name: 'sends nothing when the minimum, the count and the scaler all hold',
      current: 8,
      scaler: { min: 6, max: 12, suspended: live },
      expected: { register: false, updateService: false, resume: false },
    },
    {
      name: 'sends nothing for a service without a scaler already at its count',
      current: 6,
      scaler: null,
      expected: { register: false, updateService: false, resume: false },
    },
  ])('$name', ({ current, scaler, expected }) => {
    expect(scaleUpCalls(decideScaleUp(6, current, scaler), scaler)).toEqual(expected);
  });
});

describe('raisedCapacity', () => {
  it.each([
    {
      name: 'raises only the minimum when the maximum has room',
      current: { min: 2, max: 12 },
      min: 6,
      expected: { min: 6, max: 12 },
    },
    {
      name: 'raises the maximum with a minimum above it',
      current: { min: 1, max: 4 },
      min: 6,
      expected: { min: 6, max: 6 },
    },
    {
      name: 'never lowers a higher minimum',
      current: { min: 8, max: 12 },
      min: 6,
      expected: { min: 8, max: 12 },
    },
  ])('$name', ({ current, min, expected }) => {
    // Act
    const bounds = raisedCapacity(current, min);

    // Assess
    expect(bounds).toEqual(expected);
  });
});

describe('isScaleSettled', () => {
  it.each([
    {
      name: 'is done when all tasks run, none pending, one deployment',
      scaledTo: 6,
      counts: counts(6, 6),
      done: true,
    },
    { name: 'is done with extra tasks still draining', scaledTo: 6, counts: counts(6, 7), done: true },
    { name: 'waits for tasks still being placed', scaledTo: 6, counts: counts(6, 6, 1), done: false },
    { name: 'waits while running is short', scaledTo: 6, counts: counts(6, 3, 3), done: false },
    { name: 'waits for a second deployment to finish', scaledTo: 6, counts: counts(6, 6, 0, 2), done: false },
    { name: 'waits for a count scaled further since', scaledTo: 6, counts: counts(8, 6, 2), done: false },
    { name: 'is not done when something lowered the count', scaledTo: 6, counts: counts(4, 4), done: false },
  ])('$name', ({ scaledTo, counts: observed, done }) => {
    // Act
    const settled = isScaleSettled(scaledTo, observed);

    // Assess
    expect(settled).toBe(done);
  });
});

describe('describeShortfall', () => {
  it.each([
    {
      name: 'names running and pending tasks',
      scaledTo: 6,
      counts: counts(6, 3, 3),
      text: 'running 3 of 6, 3 pending',
    },
    {
      name: 'names extra deployments',
      scaledTo: 3,
      counts: counts(3, 3, 0, 2),
      text: 'running 3 of 3, 2 deployments',
    },
    {
      name: 'says when the count was lowered behind its back',
      scaledTo: 6,
      counts: counts(4, 4),
      text: 'running 4 of 6, desiredCount is 4, below the 6 set by scale-target: something lowered it',
    },
  ])('$name', ({ scaledTo, counts: observed, text }) => {
    // Act
    const shortfall = describeShortfall(scaledTo, observed);

    // Assess
    expect(shortfall).toBe(text);
  });
});

describe('locateService', () => {
  const api: EcsServicePlan = {
    name: 'orders-api',
    cluster: { 'us-east-1': 'orders-use1', 'us-west-2': 'orders-usw2' },
    service: { 'us-east-1': 'orders-api', 'us-west-2': 'orders-api-usw2' },
    activeCount: 6,
    autoScaling: true,
  };

  it('finds the cluster and service of a plan service in a region', () => {
    // Act
    const location = locateService(api, 'us-west-2');

    // Assess
    expect(location).toEqual({ name: 'orders-api', cluster: 'orders-usw2', service: 'orders-api-usw2' });
  });

  it('rejects a region that is not in the plan', () => {
    // Act
    const act = () => locateService(api, 'eu-west-1');

    // Assess
    expect(act).toThrow(InputInvalidError);
  });
});

describe('the share of capacity at which traffic may move', () => {
  it('needs at least one task and rounds up', () => {
    expect(servingThreshold(6, 100)).toBe(6);
    expect(servingThreshold(6, 50)).toBe(3);
    expect(servingThreshold(5, 50)).toBe(3);
    expect(servingThreshold(3, 1)).toBe(1);
  });

  it("is the plan's for an unplanned move and all of it for a planned one", () => {
    const plan = { capacity: { shiftAtPercent: 40 } };
    expect(shiftAtPercent('automatic', plan)).toBe(40);
    expect(shiftAtPercent('manual', plan)).toBe(40);
    expect(shiftAtPercent('planned', plan)).toBe(100);
  });

  it('serves once settled, or below 100% once the threshold runs even with tasks still pending', () => {
    expect(isServing(6, counts(6, 6), 100)).toBe(true);
    expect(isServing(6, counts(6, 5, 1), 100)).toBe(false);
    expect(isServing(6, counts(6, 3, 3), 50)).toBe(true);
    expect(isServing(6, counts(6, 2, 4), 50)).toBe(false);
  });
});
