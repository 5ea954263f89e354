import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyFanOut, type FanOutSize } from '../../src/bench/fan-out-plan.js';
import { runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { parsePlan } from '../../src/plan/load.js';
import {
  estimateStateBytes,
  STATE_BUDGET_BYTES,
  STATE_PAYLOAD_LIMIT_BYTES,
} from '../../src/plan/state-size.js';

// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
type RawPlan = any;

function planOf(size: FanOutSize, pad = 0): RawPlan {
  const raw = JSON.parse(readFileSync('plans/dev.json', 'utf8'));
  applyFanOut(raw, size);
  if (pad > 0) padIdentifiers(raw, pad);
  return raw;
}

function padIdentifiers(raw: RawPlan, pad: number): void {
  for (const s of raw.services) {
    s.name += 'x'.repeat(pad);
    for (const region of Object.keys(s.cluster)) s.cluster[region] += 'y'.repeat(pad);
    for (const region of Object.keys(s.service)) s.service[region] += 'z'.repeat(pad);
  }
}

describe('estimateStateBytes', () => {
  it('grows with services, records, databases and identifier length', () => {
    const base = estimateStateBytes(planOf({ services: 10, clusters: 2, records: 5, databases: 1 }));
    expect(
      estimateStateBytes(planOf({ services: 20, clusters: 2, records: 5, databases: 1 })),
    ).toBeGreaterThan(base);
    expect(
      estimateStateBytes(planOf({ services: 10, clusters: 2, records: 6, databases: 1 })),
    ).toBeGreaterThan(base);
    expect(
      estimateStateBytes(planOf({ services: 10, clusters: 2, records: 5, databases: 2 })),
    ).toBeGreaterThan(base);
    expect(
      estimateStateBytes(planOf({ services: 10, clusters: 2, records: 5, databases: 1 }, 10)),
    ).toBeGreaterThan(base);
  });

  it('accepts the benchmark largest plan and refuses a bigger one, saying what to do', () => {
    expect(() =>
      parsePlan(planOf({ services: 200, clusters: 20, records: 50, databases: 4 }), 'big.json'),
    ).not.toThrow();
    const tooBig = planOf({ services: 200, clusters: 20, records: 50, databases: 4 }, 20);
    expect(estimateStateBytes(tooBig)).toBeGreaterThan(STATE_BUDGET_BYTES);
    expect(() => parsePlan(tooBig, 'too-big.json')).toThrow(
      /services: is too big for one failover: .*KiB of state \(200 services, 50 records, 4 databases\).*States\.DataLimitExceeded.*Split the plan/,
    );
  });

  it('keeps the budget inside the 256 KiB quota', () => {
    expect(STATE_PAYLOAD_LIMIT_BYTES).toBe(256 * 1024);
    expect(STATE_BUDGET_BYTES).toBeLessThan(STATE_PAYLOAD_LIMIT_BYTES);
  });
});

/**
 * The estimate must stay above what executions really carry. The drills measure every state
 * input, output and task result (src/drill/payload-limit.ts); the rolled-back path carries the
 * most. Small plans here; test/drill/rate-limits-large-plan.test.ts checks the 200-service one.
 */
describe('estimateStateBytes against the drills', () => {
  const cases: { scenario: string; size: FanOutSize; pad?: number }[] = [
    { scenario: 'region-outage', size: { services: 1, clusters: 1, records: 1, databases: 1 } },
    {
      scenario: 'refused-after-fence-rolls-back',
      size: { services: 10, clusters: 2, records: 5, databases: 1 },
    },
    {
      scenario: 'refused-after-fence-rolls-back',
      size: { services: 10, clusters: 2, records: 20, databases: 1 },
    },
    { scenario: 'region-outage', size: { services: 10, clusters: 2, records: 5, databases: 4 } },
    { scenario: 'region-outage', size: { services: 20, clusters: 4, records: 5, databases: 1 }, pad: 40 },
  ];
  for (const { scenario, size, pad } of cases) {
    it(`${scenario} on ${size.services} services, ${size.records} records, ${size.databases} databases${pad ? `, identifiers +${pad}` : ''}`, {
      timeout: 120_000,
    }, async () => {
      const base = findScenario(scenario);
      const result = await runDrill(
        {
          ...base,
          plan: (raw) => {
            base.plan?.(raw);
            applyFanOut(raw, size);
            if (pad) padIdentifiers(raw, pad);
          },
        },
        { seed: 1 },
      );
      const estimate = estimateStateBytes(planOf(size, pad));
      expect(result.largestPayloadBytes).toBeGreaterThan(0);
      expect(result.largestPayloadBytes).toBeLessThanOrEqual(estimate);
    });
  }
});
