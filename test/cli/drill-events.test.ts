import { describe, expect, it } from 'vitest';
import { run } from './harness.js';

describe('failover drill: EventBridge events', () => {
  it('lists the events the simulated EventBridge took, in order, with their execution', async () => {
    const r = await run(['drill', '--scenario', 'region-outage']);

    expect(r.code).toBe(0);
    const start = r.out.findIndex((l) => l.startsWith('EventBridge events (source failover.orchestrator'));
    expect(start).toBeGreaterThan(-1);
    const lines = r.out.slice(start + 1, start + 3).map((l) => l.trim().split(/\s{2,}/));
    expect(lines.map(([, region, type, execution]) => [region, type, execution])).toEqual([
      ['us-west-2', 'Failover Started', 'drill-region-outage-1'],
      ['us-west-2', 'Failover Succeeded', 'drill-region-outage-1'],
    ]);
  });

  it('says when the bus took none', async () => {
    const r = await run(['drill', '--scenario', 'event-bus-refuses']);

    expect(r.code).toBe(0);
    expect(r.out).toContain('EventBridge events: none taken.');
  });
});
