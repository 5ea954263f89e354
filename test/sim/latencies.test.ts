import { describe, expect, it } from 'vitest';
import {
  LATENCIES,
  LATENCY_PROFILES,
  latenciesFor,
  latencyProfile,
  PESSIMISTIC,
} from '../../src/sim/latencies.js';
import { RATE_LIMITS } from '../../src/sim/rate-limits.js';

// A source is a page, a thread, or an admitted modelling choice: a few words at least.
const SOURCED = /(guide|reference|github\.com|docs|quotas|modelling choice|user|aws)/i;

describe('the latency table', () => {
  it.each(Object.entries(LATENCIES))('names a source for %s (typical)', (_name, latency) => {
    expect(latency.source).toMatch(SOURCED);
    expect(latency.minMs).toBeLessThanOrEqual(latency.maxMs);
  });

  it.each(Object.entries(PESSIMISTIC))('names a source for %s (pessimistic)', (name, latency) => {
    expect(latency?.source).toMatch(SOURCED);
    expect(latency?.minMs).toBeLessThanOrEqual(latency?.maxMs ?? 0);
    // Pessimistic never means faster than typical at its slow end.
    expect(latency?.maxMs).toBeGreaterThanOrEqual(LATENCIES[name as keyof typeof LATENCIES].maxMs);
  });

  it('lays the pessimistic figures over the typical ones, and refuses an unknown profile', () => {
    expect(latenciesFor('typical')).toEqual(LATENCIES);
    expect(latenciesFor('pessimistic').auroraPromotion).toEqual(PESSIMISTIC.auroraPromotion);
    expect(latenciesFor('pessimistic').dynamodbEventualRead).toEqual(LATENCIES.dynamodbEventualRead);
    expect(LATENCY_PROFILES.map(latencyProfile)).toEqual(['typical', 'pessimistic']);
    expect(() => latencyProfile('gloomy')).toThrow(
      'unknown latency profile "gloomy"; profiles: typical, pessimistic',
    );
  });
});

describe('the rate-limit table', () => {
  it.each(Object.entries(RATE_LIMITS))('names a source for %s', (_name, limit) => {
    expect((limit as { source: string }).source).toMatch(SOURCED);
  });
});
