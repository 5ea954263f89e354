import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meetsExpectation } from '../../src/drill/expectations.js';
import { checkedDrill } from '../../src/drill/invariants.js';
import type { DrillScenario } from '../../src/drill/scenario-types.js';
import { withRecordUpsert } from '../../src/drill/scenario-types.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { estimateStateBytes, STATE_PAYLOAD_LIMIT_BYTES } from '../../src/plan/state-size.js';
import type { ApiCallRecord } from '../../src/sim/cloud.js';
import type { RateLimitSetting } from '../../src/sim/rate-limits.js';

/**
 * A region outage on a large plan under AWS's request rates (src/sim/rate-limits.ts): 200 ECS
 * services over 20 clusters per region (half of them autoscaled, like dev.json's two services)
 * and 50 DNS records in the plan's hosted zone. The orchestrator must end as it does on the
 * example plan: every invariant held, the writer and traffic in the standby, and the throttles
 * it met absorbed by its retries.
 */

const LARGE = { services: 200, clusters: 20, records: 50 } as const;

// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
function largePlan(raw: any): void {
  const { primary, standby } = raw.regions as { primary: string; standby: string };
  // biome-ignore lint/suspicious/noExplicitAny: raw plan JSON
  const shapes = raw.services as any[];
  raw.services = Array.from({ length: LARGE.services }, (_, i) => {
    const shape = shapes[i % shapes.length];
    const c = (i % LARGE.clusters) + 1;
    return {
      name: `svc-${i + 1}`,
      cluster: { [primary]: `orders-use1-c${c}`, [standby]: `orders-usw2-c${c}` },
      service: { [primary]: `svc-${i + 1}`, [standby]: `svc-${i + 1}` },
      activeCount: shape.activeCount,
      autoScaling: shape.autoScaling,
    };
  });
  const [template] = raw.dns.records;
  raw.dns.records = Array.from({ length: LARGE.records }, (_, i) => ({
    ...structuredClone(template),
    name: `api-${i + 1}.orders.example.com.`,
  }));
}

/** region-outage with the plan (and Route 53 records) changed, and the cloud's rate limits set. */
function outageOn(
  options: { large: boolean; recordUpsert?: boolean; rateLimits?: RateLimitSetting },
  base = findScenario('region-outage'),
): DrillScenario {
  return {
    ...base,
    name: `${base.name}${options.large ? '-large' : ''}${options.recordUpsert ? '-upsert' : ''}`,
    plan: (raw) => {
      base.plan?.(raw);
      if (options.large) largePlan(raw);
      if (options.recordUpsert) withRecordUpsert(raw);
    },
    cloud: (ctx) => ({ ...base.cloud(ctx), rateLimits: options.rateLimits ?? 'aws' }),
  };
}

/** Throttled calls per command, as `command (rate limit)`. */
function throttlesByApi(calls: readonly ApiCallRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) {
    if (!call.throttledBy) continue;
    const key = `${call.command} (${call.throttledBy})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('a region outage on a large plan under AWS rate limits', () => {
  it('fails over as on the example plan, its throttles absorbed, within a minute of its RTO', {
    timeout: 300_000,
  }, async () => {
    const large = outageOn({ large: true });
    const { result, checks } = await checkedDrill(large, 1);
    expect(checks.filter((c) => !c.held)).toEqual([]);
    expect(meetsExpectation(result, large.expected)).toBe(true);
    const standby = result.after.services.filter((s) => s.region === 'us-west-2');
    expect(standby).toHaveLength(LARGE.services);
    expect(standby.every((s) => s.running >= 3)).toBe(true);

    // The limits bit: the scale-up and the fence were throttled, and retried through it.
    const throttles = throttlesByApi(result.cloud.calls);
    expect(throttles['UpdateService (ecsServiceModify)']).toBeGreaterThan(0);
    expect(throttles['RegisterScalableTarget (autoscalingWrite)']).toBeGreaterThan(0);
    const fenced = result.records.find((r) => r.functionName === 'fenceOldPrimary');
    const fencing =
      (fenced?.outcome as { output?: { fencing?: { outcome: string }[] } } | undefined)?.output?.fencing ??
      [];
    expect(fencing.filter((f) => f.outcome === 'fenced')).toHaveLength(LARGE.services);

    // Step Functions' 256 KiB payload quota held, under the plan's state-size estimate.
    const raw = JSON.parse(readFileSync('plans/dev.json', 'utf8'));
    largePlan(raw);
    expect(result.largestPayloadBytes).toBeLessThanOrEqual(estimateStateBytes(raw));
    expect(result.largestPayloadBytes).toBeLessThan(STATE_PAYLOAD_LIMIT_BYTES);

    const example = await checkedDrill(outageOn({ large: false }), 1);
    const rto = result.report?.rtoSeconds ?? Number.POSITIVE_INFINITY;
    const exampleRto = example.result.report?.rtoSeconds ?? 0;
    expect(rto).toBeLessThan(exampleRto + 60);
    console.info(
      `region-outage, seed 1, typical: RTO ${rto} s on ${LARGE.services} services / ${LARGE.records} records, ${exampleRto} s on the example plan; throttled calls: ${JSON.stringify(throttles)}`,
    );
  });

  it('fails over with the records moved by record upserts (Route 53 control plane)', {
    timeout: 300_000,
  }, async () => {
    const scenario = outageOn({ large: true, recordUpsert: true });
    const { result, checks } = await checkedDrill(scenario, 2);
    expect(checks.filter((c) => !c.held)).toEqual([]);
    expect(meetsExpectation(result, scenario.expected)).toBe(true);
    expect(result.report?.outcome).toBe('succeeded');
  });
});
