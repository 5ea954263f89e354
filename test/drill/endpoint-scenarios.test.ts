import { describe, expect, it } from 'vitest';
import { CLIENT_TIMEOUTS } from '../../src/aws/clients.js';
import { meetsExpectation } from '../../src/drill/expectations.js';
import { checkedDrill } from '../../src/drill/invariants.js';
import type { DrillResult } from '../../src/drill/run-drill.js';
import { STANDBY_RDS_DARK } from '../../src/drill/scenarios/endpoints.js';
import type { DrillScenario } from '../../src/drill/scenarios.js';
import { findScenario } from '../../src/drill/scenarios.js';
import type { LatencyProfile } from '../../src/sim/latencies.js';

/**
 * Endpoints that stop answering mid-step: every call ends by a timeout the orchestrator set (the
 * client's, or its own bound), every step ends inside its Lambda and Task timeout, and the
 * execution ends as the scenario expects. Read from the simulated cloud's call log.
 */

/** serverless.yml provider.timeout and every Task's TimeoutSeconds (test/aws/clients.test.ts checks them). */
const STEP_TIMEOUT_MS = 60_000;

/** Every state the interpreter failed with a timeout or a dead Lambda, by name. */
async function drillWatchingTimeouts(scenario: DrillScenario, seed: number, profile: LatencyProfile) {
  const died: string[] = [];
  const { result, checks } = await checkedDrill(scenario, seed, {
    profile,
    onEventLog: (_execution, log) => {
      const error = (log as { Error?: string }).Error;
      if (log.type === 'StateFailed' && (error === 'States.Timeout' || error?.startsWith('Lambda.Unknown'))) {
        died.push(`${log.state.name}: ${error}`);
      }
    },
  });
  return { result, checks, died };
}

const longestInvocationMs = (r: DrillResult) =>
  Math.max(...r.executions.flatMap((e) => e.records.map((x) => x.endedAt - x.startedAt)));

describe('blackholed-endpoint', () => {
  it.each<[LatencyProfile, number]>([
    ['typical', 1],
    ['typical', 2],
    ['pessimistic', 3],
  ])(
    '%s, seed %i: the dark RDS endpoint costs timed-out polls, retried, and the failover completes',
    async (profile, seed) => {
      const scenario = findScenario('blackholed-endpoint');
      const { result: r, checks, died } = await drillWatchingTimeouts(scenario, seed, profile);
      const t0 = Date.parse(r.startedAt);
      const from = t0 + STANDBY_RDS_DARK.fromMs;
      const to = t0 + STANDBY_RDS_DARK.toMs;
      const standbyRds = r.cloud.calls.filter(
        (c) => c.region === 'us-west-2' && c.command === 'DescribeGlobalClusters',
      );
      const dark = standbyRds.filter((c) => c.at >= from && c.at < to);

      expect(checks.filter((c) => !c.held)).toEqual([]);
      expect(meetsExpectation(r, scenario.expected)).toBe(true);

      // Every call that started in the blackout got no answer and ended by the client's timeout:
      // a new connection at connectionTimeout, one written into a pooled connection at
      // requestTimeout (which throws). None was cut by the Lambda or left hanging.
      expect(dark.length).toBeGreaterThanOrEqual(3);
      for (const call of dark) {
        expect(call.outcome).toBe('TimeoutError');
        expect([CLIENT_TIMEOUTS.connectionTimeout, CLIENT_TIMEOUTS.requestTimeout]).toContain(
          call.durationMs,
        );
      }
      expect(dark.filter((c) => c.durationMs === CLIENT_TIMEOUTS.connectionTimeout).length).toBeGreaterThan(
        0,
      );
      // Only the first request after RDS last answered rides a pooled connection.
      expect(dark.filter((c) => c.durationMs === CLIENT_TIMEOUTS.requestTimeout)).toHaveLength(1);
      expect(standbyRds.filter((c) => c.at >= to).every((c) => c.outcome === 'ok')).toBe(true);

      // The polls failed as retried AwsTransientError well inside their Lambda; no state timed out.
      const polls = r.records.filter((x) => x.stateName === 'CheckPromotion');
      const failed = polls.filter((x) => x.outcome.kind === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.map((x) => (x.outcome.kind === 'failed' ? x.outcome.error : ''))).toEqual(
        failed.map(() => 'AwsTransientError'),
      );
      expect(r.retries.filter((x) => x.state === 'CheckPromotion')).toHaveLength(failed.length);
      expect(longestInvocationMs(r)).toBeLessThan(STEP_TIMEOUT_MS);
      expect(died).toEqual([]);
    },
  );

  it('without throwOnRequestTimeout, the same blackout as a silent endpoint outlives the Task: States.Timeout', async () => {
    // What src/aws/clients.ts had before: requestTimeout only warns, so a request that is
    // accepted and never answered waits until the Lambda dies. The drill must show that.
    const scenario = findScenario('blackholed-endpoint');
    const silent: DrillScenario = {
      ...scenario,
      cloud: (ctx) => {
        const cloud = scenario.cloud(ctx);
        return { ...cloud, blackholes: cloud.blackholes?.map((b) => ({ ...b, mode: 'no-answer' as const })) };
      },
    };
    const timeouts = CLIENT_TIMEOUTS as { throwOnRequestTimeout: boolean };
    timeouts.throwOnRequestTimeout = false;
    try {
      const { died } = await drillWatchingTimeouts(silent, 1, 'typical');
      expect(died).toContain('CheckPromotion: States.Timeout');
    } finally {
      timeouts.throwOnRequestTimeout = true;
    }
    // And with it, every silent attempt ends at requestTimeout, inside the Task.
    const { result: r, died } = await drillWatchingTimeouts(silent, 1, 'typical');
    expect(died).toEqual([]);
    const dark = r.cloud.calls.filter(
      (c) =>
        c.region === 'us-west-2' &&
        c.command === 'DescribeGlobalClusters' &&
        c.at >= Date.parse(r.startedAt) + STANDBY_RDS_DARK.fromMs &&
        c.at < Date.parse(r.startedAt) + STANDBY_RDS_DARK.toMs,
    );
    expect(dark.length).toBeGreaterThan(0);
    expect(
      dark.every((c) => c.outcome === 'TimeoutError' && c.durationMs === CLIENT_TIMEOUTS.requestTimeout),
    ).toBe(true);
    expect(longestInvocationMs(r)).toBeLessThan(STEP_TIMEOUT_MS);
  });
});

describe('old-primary-ecs-silent', () => {
  it("fencing bounds each call into the failed region's silent ECS, records compute fencing unconfirmed, and the move completes", async () => {
    const scenario = findScenario('old-primary-ecs-silent');
    const { result: r, checks, died } = await drillWatchingTimeouts(scenario, 1, 'typical');

    expect(checks.filter((c) => !c.held)).toEqual([]);
    expect(meetsExpectation(r, scenario.expected)).toBe(true);
    const primaryEcs = r.cloud.calls.filter(
      (c) => c.region === 'us-east-1' && c.command === 'DescribeServices',
    );
    const silent = primaryEcs.filter((c) => c.outcome !== 'ok');
    expect(silent.length).toBeGreaterThan(0);
    // The step's own bound (plan failedRegionCallMs, 3 s) ends each attempt first: AbortError.
    expect(new Set(silent.map((c) => `${c.outcome} ${c.durationMs}`))).toEqual(new Set(['AbortError 3000']));
    expect(r.cloud.calls.some((c) => c.region === 'us-east-1' && c.command === 'UpdateService')).toBe(false);
    const ecsFencing = r.report?.fencing.filter((f) => f.resource.startsWith('ecs ')) ?? [];
    expect(ecsFencing.length).toBeGreaterThan(0);
    expect(ecsFencing.every((f) => f.outcome === 'unconfirmed')).toBe(true);
    expect(longestInvocationMs(r)).toBeLessThan(STEP_TIMEOUT_MS);
    expect(died).toEqual([]);
  });
});

describe('drills the transport change touches', () => {
  it.each(['region-unreachable', 'arc-endpoint-down', 'dns-change-late'])(
    '%s: no step outlives its timeout',
    async (name) => {
      const { result: r, died } = await drillWatchingTimeouts(findScenario(name), 1, 'typical');
      expect(died).toEqual([]);
      expect(longestInvocationMs(r)).toBeLessThan(STEP_TIMEOUT_MS);
      expect(r.cloud.calls.every((c) => c.durationMs < STEP_TIMEOUT_MS)).toBe(true);
    },
  );
});
