import { describe, expect, it } from 'vitest';
import { computeFloor, type DrillTrace, plannedWindow } from '../../src/bench/critical-path.js';
import { dnsPointsAt, firstAt, type Observation, type PlanView } from '../../src/bench/observations.js';
import type { ApiCallRecord } from '../../src/sim/types.js';

const SOURCE = 'us-east-1';
const TARGET = 'us-west-2';
const T0 = Date.parse('2026-11-22T03:00:00.000Z');
const s = (seconds: number) => T0 + seconds * 1000;

const plan: PlanView = {
  services: [
    {
      name: 'api',
      cluster: { [SOURCE]: 'c-e', [TARGET]: 'c-w' },
      service: { [SOURCE]: 'api', [TARGET]: 'api' },
      activeCount: 4,
      autoScaling: true,
    },
    {
      name: 'worker',
      cluster: { [SOURCE]: 'c-e', [TARGET]: 'c-w' },
      service: { [SOURCE]: 'worker', [TARGET]: 'worker' },
      activeCount: 2,
      autoScaling: false,
    },
  ],
  dns: {
    records: [
      {
        hostedZoneId: 'Z1',
        name: 'api.example.com.',
        type: 'CNAME',
        value: { [SOURCE]: 'east.elb', [TARGET]: 'west.elb' },
      },
    ],
  },
};

const record = (value: string, weight: number | null) => ({
  hostedZoneId: 'Z1',
  name: 'api.example.com.',
  type: 'CNAME',
  setIdentifier: value,
  value,
  weight,
  failover: null,
  healthCheckId: null,
  healthy: null,
});

/** A cloud state: who writes, what runs in the target, where the weighted record sends clients. */
function state(
  at: number,
  o: { writer: string; refusing?: string[]; api: number; worker: number; dnsTo: string },
): Observation {
  return {
    at,
    database: {
      writerRegion: o.writer,
      members: [SOURCE, TARGET].map((region) => ({
        region,
        arn: `arn:${region}`,
        isWriter: region === o.writer,
        acceptsWrites: region === o.writer && !(o.refusing ?? []).includes(region),
        status: 'available',
        synchronizationStatus: 'connected',
        instances: 1,
      })),
    },
    services: [
      { region: TARGET, cluster: 'c-w', service: 'api', running: o.api },
      { region: TARGET, cluster: 'c-w', service: 'worker', running: o.worker },
    ],
    dns:
      o.dnsTo === TARGET
        ? [record('east.elb', 0), record('west.elb', 100)]
        : [record('east.elb', 100), record('west.elb', 0)],
  };
}

const call = (
  command: string,
  at: number,
  durationMs: number,
  region = TARGET,
  outcome = 'ok',
): ApiCallRecord => ({
  at,
  region,
  command,
  outcome,
  durationMs,
});

function trace(calls: ApiCallRecord[], observations: Observation[]): DrillTrace {
  return {
    plan,
    source: SOURCE,
    target: TARGET,
    detectedAt: s(-5),
    startedAt: s(0),
    calls,
    observations,
    invocations: [
      { stateName: 'VerifyFailure', startedAt: s(0.1), endedAt: s(0.3), outcome: { kind: 'succeeded' } },
      { stateName: 'VerifyTarget', startedAt: s(150), endedAt: s(150.2), outcome: { kind: 'failed' } },
      { stateName: 'VerifyTarget', startedAt: s(165), endedAt: s(165.5), outcome: { kind: 'succeeded' } },
    ],
  };
}

describe('the RTO floor', () => {
  // Promotion 10 s -> 70 s (60 s); scale-up 5 s -> 100 s (95 s, the longer branch);
  // traffic 120 s -> 150 s (30 s). The orchestrator's own polls and waits are not in it.
  const calls = [
    call('GetMetricData', s(0.1), 200),
    call('UpdateService', s(2), 300, SOURCE), // the fence, in the source: not the scale-up
    call('RegisterScalableTarget', s(4.8), 200), // the autoscaled service: its scale-up request
    call('UpdateService', s(5.5), 100),
    call('FailoverGlobalCluster', s(9), 1000, TARGET, 'ThrottlingException'),
    call('FailoverGlobalCluster', s(9.9), 100),
    call('UpdateRoutingControlStates', s(119.5), 500),
  ];
  const observations = [
    state(s(0), { writer: SOURCE, api: 1, worker: 1, dnsTo: SOURCE }),
    state(s(50), { writer: SOURCE, api: 4, worker: 1, dnsTo: SOURCE }),
    state(s(70), { writer: TARGET, api: 4, worker: 1, dnsTo: SOURCE }),
    state(s(100), { writer: TARGET, api: 4, worker: 2, dnsTo: SOURCE }),
    state(s(150), { writer: TARGET, api: 4, worker: 2, dnsTo: TARGET }),
  ];

  it('adds detection, the longer of promotion and scale-up, the traffic shift and verification', () => {
    const floor = computeFloor(trace(calls, observations));
    expect(floor.detection).toEqual({ alarmToStartMs: 5000, failureCheckMs: 200, ms: 5200 });
    expect(floor.promotion).toEqual({ from: s(10), to: s(70), ms: 60_000 });
    expect(floor.scaleUp).toEqual({ from: s(5), to: s(100), ms: 95_000 });
    expect(floor.trafficShift).toEqual({ from: s(120), to: s(150), ms: 30_000 });
    expect(floor.verification?.ms).toBe(500);
    expect(floor.ms).toBe(5200 + 95_000 + 30_000 + 500);
  });

  it('has no figure when the failover did not complete', () => {
    const floor = computeFloor(trace(calls, observations.slice(0, 3)));
    expect(floor.scaleUp).toBeNull();
    expect(floor.ms).toBeNull();
  });

  it('measures the planned write-unavailable window from the old writer refusing writes', () => {
    const planned = [
      call('SwitchoverGlobalCluster', s(9.9), 100),
      call('UpdateRoutingControlStates', s(119.5), 500),
    ];
    const window = plannedWindow(
      trace(planned, [
        state(s(0), { writer: SOURCE, api: 4, worker: 2, dnsTo: SOURCE }),
        state(s(15), { writer: SOURCE, refusing: [SOURCE], api: 4, worker: 2, dnsTo: SOURCE }),
        state(s(70), { writer: TARGET, api: 4, worker: 2, dnsTo: SOURCE }),
        state(s(150), { writer: TARGET, api: 4, worker: 2, dnsTo: TARGET }),
      ]),
    );
    expect(window.switchover?.ms).toBe(60_000);
    expect(window.window).toEqual({ from: s(15), to: s(150), ms: 135_000 });
    expect(window.ratio).toBeCloseTo(135 / (60 + 30));
  });
});

describe('observations', () => {
  it('takes the state at `from` from the last observation before it', () => {
    const obs = [
      state(s(0), { writer: SOURCE, api: 0, worker: 0, dnsTo: TARGET }),
      state(s(10), { writer: SOURCE, api: 1, worker: 0, dnsTo: TARGET }),
    ];
    expect(firstAt(obs, s(5), (o) => dnsPointsAt(o, plan, TARGET))).toBe(s(5));
    expect(firstAt(obs, s(20), (o) => dnsPointsAt(o, plan, TARGET))).toBe(s(20));
    expect(firstAt(obs, s(5), (o) => o.services[0]?.running === 1)).toBe(s(10));
    expect(firstAt(obs, s(5), () => false)).toBeNull();
  });

  it('reads weighted answers as the name servers give them', () => {
    const at = (dns: Observation['dns']) => ({
      ...state(s(0), { writer: SOURCE, api: 0, worker: 0, dnsTo: SOURCE }),
      dns,
    });
    expect(dnsPointsAt(at([record('west.elb', 100)]), plan, TARGET)).toBe(true);
    // Every record weighs 0: all answer, the source's too.
    expect(dnsPointsAt(at([record('east.elb', 0), record('west.elb', 0)]), plan, TARGET)).toBe(false);
    // The source's record is not served (its health check failed): only the target's answers.
    expect(dnsPointsAt(at([record('west.elb', 0)]), plan, TARGET)).toBe(true);
    expect(dnsPointsAt(at([record('east.elb', 50), record('west.elb', 50)]), plan, TARGET)).toBe(false);
    expect(dnsPointsAt(at([]), plan, TARGET)).toBe(false);
  });
});
