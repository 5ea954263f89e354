import { describe, expect, it } from 'vitest';
import {
  capacityGate,
  describeCapacity,
  type FargateQuotaReading,
  judgeCapacity,
  quotaIncreaseCommand,
  type ServiceDemand,
} from '../../src/decisions/quota.js';

/** orders-api: 2 of 6 running, 0.5 vCPU tasks; orders-worker: 1 of 3, 1 vCPU tasks; both Fargate with subnets. */
const api = (patch: Partial<ServiceDemand> = {}): ServiceDemand => ({
  name: 'orders-api',
  launch: 'fargate',
  target: 6,
  running: 2,
  cpuUnits: 512,
  subnets: 2,
  ...patch,
});
const worker = (patch: Partial<ServiceDemand> = {}): ServiceDemand => ({
  name: 'orders-worker',
  launch: 'fargate',
  target: 3,
  running: 1,
  cpuUnits: 1024,
  subnets: 2,
  ...patch,
});
const quota = (quotaVcpu: number, usageVcpu: number): FargateQuotaReading => ({
  known: true,
  quotaVcpu,
  usageVcpu,
});

describe('judgeCapacity', () => {
  it('needs (target - running) x cpu / 1024 vCPU: 4 x 0.5 + 2 x 1 = 4', () => {
    const j = judgeCapacity([api(), worker()], quota(100, 10));

    expect(j).toMatchObject({
      verdict: 'enough',
      neededVcpu: 4,
      quotaVcpu: 100,
      usageVcpu: 10,
      shortVcpu: 0,
    });
    expect(j.problems).toEqual([]);
    expect(j.quotaNeeded).toBeNull();
  });

  it.each<[string, number, number, 'enough' | 'short', number | null]>([
    ['exactly what is available', 10, 6, 'enough', null],
    ['one vCPU less than needed', 10, 7, 'short', 11],
    ['usage already above the quota', 10, 12, 'short', 16],
  ])('judges %s (quota %d, usage %d) as %s', (_, quotaVcpu, usageVcpu, verdict, quotaNeeded) => {
    const j = judgeCapacity([api(), worker()], quota(quotaVcpu, usageVcpu));

    expect(j.verdict).toBe(verdict);
    expect(j.quotaNeeded).toBe(quotaNeeded);
  });

  it('says by how much the quota is short, and the quota that fits usage plus the scale-up', () => {
    const j = judgeCapacity([api(), worker()], quota(6, 4));

    expect(j.shortVcpu).toBe(2);
    expect(j.quotaNeeded).toBe(8);
    expect(j.problems).toEqual([
      'Fargate On-Demand vCPU quota short by 2 vCPU: the scale-up needs 4 vCPU, the quota is 6 and 4 are in use (2 available)',
    ]);
  });

  it('needs nothing for a service already at its target (or above it)', () => {
    const j = judgeCapacity([api({ running: 6 }), worker({ running: 5 })], quota(1, 1));

    expect(j).toMatchObject({ verdict: 'enough', neededVcpu: 0, shortVcpu: 0 });
  });

  it('counts pending tasks as still to start: only running ones are subtracted', () => {
    // target 6, 2 running (and maybe 4 pending): 4 still count against the quota.
    expect(judgeCapacity([api()], quota(100, 0)).neededVcpu).toBe(2);
  });

  it('reports a Fargate service without awsvpc subnets as a placement problem', () => {
    const j = judgeCapacity([api({ subnets: 0 }), worker({ subnets: null })], quota(100, 0));

    expect(j.verdict).toBe('short');
    expect(j.problems).toHaveLength(2);
    expect(j.problems[0]).toMatch(/^orders-api: a Fargate service with no awsvpc subnet/);
  });

  it("reports a target past ECS's default tasks-per-service quota, with how to read the applied value", () => {
    const j = judgeCapacity([api({ target: 5001, running: 5001 })], quota(100000, 0));

    expect(j.verdict).toBe('short');
    expect(j.problems[0]).toMatch(/above ECS's default Tasks per service quota \(5000\)/);
    expect(j.problems[0]).toContain('aws service-quotas list-service-quotas --service-code ecs');
  });

  it.each<[ServiceDemand['launch'], RegExp]>([
    ['ec2', /EC2 launch type/],
    ['external', /EXTERNAL launch type/],
    ['capacity-provider', /capacity provider strategy FARGATE_SPOT/],
    ['unknown', /no launch type or capacity provider/],
  ])('never calls a %s service ready: it is "not checked", with why', (launch, why) => {
    const j = judgeCapacity([api({ launch, capacityProviders: ['FARGATE_SPOT'] })], quota(0, 0));

    expect(j.verdict).toBe('enough');
    expect(j.neededVcpu).toBe(0);
    expect(j.notChecked).toHaveLength(1);
    expect(j.notChecked[0]).toMatch(/^orders-api: not checked \(/);
    expect(j.notChecked[0]).toMatch(why);
  });

  it('is unknown, never enough, when the quota cannot be read and tasks must start', () => {
    const j = judgeCapacity([api(), worker()], {
      known: false,
      why: 'quota not read: AccessDeniedException',
    });

    expect(j.verdict).toBe('unknown');
    expect(j.unknowns).toEqual([
      'Fargate On-Demand vCPU quota or usage unknown: quota not read: AccessDeniedException',
    ]);
    expect(j.quotaVcpu).toBeNull();
    expect(j.shortVcpu).toBeNull();
  });

  it('needs no quota when nothing has to start', () => {
    const j = judgeCapacity([api({ running: 6 })], { known: false, why: 'not read' });

    expect(j.verdict).toBe('enough');
  });

  it('is unknown when a task definition has no readable cpu', () => {
    const j = judgeCapacity(
      [api({ cpuUnits: null, cpuNote: 'orders-api:42 has no task-level cpu' })],
      quota(100, 0),
    );

    expect(j.verdict).toBe('unknown');
    expect(j.unknowns[0]).toBe(
      'orders-api: task cpu unknown (orders-api:42 has no task-level cpu), 4 task(s) to start',
    );
  });

  it('is short, not unknown, when one quota is short and another figure unknown: the shortfall is certain', () => {
    const j = judgeCapacity([api({ cpuUnits: null }), worker()], quota(2, 1));

    expect(j.verdict).toBe('short');
    expect(j.unknowns).toHaveLength(1);
  });
});

describe('capacityGate', () => {
  it.each<[string, { mode: string; dryRun?: boolean }, 'enough' | 'short' | 'unknown', boolean, boolean]>([
    ['a dry run reports a shortfall (Ready 0)', { mode: 'manual', dryRun: true }, 'short', false, false],
    ['a dry run reports an unknown quota', { mode: 'automatic', dryRun: true }, 'unknown', false, false],
    ['a planned switchover refuses up front', { mode: 'planned' }, 'short', false, false],
    ['a planned switchover refuses on an unknown quota', { mode: 'planned' }, 'unknown', false, false],
    ['an automatic failover proceeds, short', { mode: 'automatic' }, 'short', true, true],
    ['a manual failover proceeds, unknown', { mode: 'manual' }, 'unknown', true, true],
    ['any mode passes enough', { mode: 'planned' }, 'enough', true, false],
  ])('%s', (_, request, verdict, ok, proceedsDespite) => {
    expect(capacityGate(verdict, request)).toEqual({ ok, proceedsDespite });
  });
});

describe('quotaIncreaseCommand', () => {
  it('is the exact CLI call for the Fargate On-Demand vCPU quota in the region', () => {
    expect(quotaIncreaseCommand('us-west-2', 16)).toBe(
      'aws service-quotas request-service-quota-increase --region us-west-2 --service-code fargate --quota-code L-3032A538 --desired-value 16',
    );
  });
});

describe('describeCapacity', () => {
  it('says what was found when there is enough, and lists what was not checked', () => {
    const j = judgeCapacity([api(), worker({ launch: 'ec2' })], quota(100, 10));

    expect(describeCapacity(j, 'us-west-2')).toBe(
      "us-west-2 Fargate On-Demand: needs 2 vCPU, quota 100, in use 10; orders-worker: not checked (EC2 launch type: its tasks need free CPU and memory on the cluster's container instances, which the Fargate quota says nothing about)",
    );
  });

  it('carries the exact quota request when short', () => {
    const j = judgeCapacity([api(), worker()], quota(6, 4));

    expect(describeCapacity(j, 'us-west-2')).toContain(
      'request the quota: aws service-quotas request-service-quota-increase --region us-west-2 --service-code fargate --quota-code L-3032A538 --desired-value 8',
    );
  });

  it('starts an unknown verdict with UNKNOWN and why', () => {
    const j = judgeCapacity([api()], { known: false, why: 'usage not read: no answer' });

    expect(describeCapacity(j, 'us-west-2')).toBe(
      'UNKNOWN: Fargate On-Demand vCPU quota or usage unknown: usage not read: no answer',
    );
  });
});
