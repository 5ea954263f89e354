import { describe, expect, it } from 'vitest';
import { buildHookPayload, MAX_HOOK_PAYLOAD_BYTES } from '../../src/hooks/payload.js';
import type { TimelineEvent } from '../../src/timeline/types.js';
import { failoverRequest } from '../support/request.js';

const eventAt = (i: number, message = `step ${i} done`): TimelineEvent => ({
  at: new Date(Date.UTC(2024, 4, 14, 10, 5, 12) + i * 1000).toISOString(),
  step: 'scale-target',
  phase: 'progress',
  message,
  facts: { running: i, desired: 6 },
});

describe('buildHookPayload', () => {
  it('tells the hook the request, the point, a key to do its work once, and the timeline without facts', () => {
    const payload = buildHookPayload(
      'afterPromotion',
      failoverRequest({ executionArn: 'arn:aws:states:us-west-2:123456789012:execution:failover-dev:x' }),
      [eventAt(1), eventAt(2)],
    );

    expect(payload).toEqual({
      version: 1,
      point: 'afterPromotion',
      idempotencyKey: 'orders-20240514T100512Z:afterPromotion',
      execution: {
        name: 'orders-20240514T100512Z',
        arn: 'arn:aws:states:us-west-2:123456789012:execution:failover-dev:x',
      },
      request: {
        planName: 'orders',
        mode: 'automatic',
        sourceRegion: 'us-east-1',
        targetRegion: 'us-west-2',
        reason: 'orders-primary-unhealthy-from-us-west-2 in ALARM',
        requestedBy: 'alarm:orders-primary-unhealthy-from-us-west-2',
        detectedAt: '2024-05-14T10:05:12.000Z',
        dryRun: false,
      },
      timeline: [
        { at: '2024-05-14T10:05:13.000Z', step: 'scale-target', phase: 'progress', message: 'step 1 done' },
        { at: '2024-05-14T10:05:14.000Z', step: 'scale-target', phase: 'progress', message: 'step 2 done' },
      ],
      timelineOmitted: 0,
    });
  });

  it('keeps the newest events under 64 KiB and says how many older ones it left out', () => {
    const long = Array.from({ length: 2000 }, (_, i) => eventAt(i, `${'x'.repeat(250)} ${i}`));

    const payload = buildHookPayload('afterTrafficShift', failoverRequest(), long);

    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(MAX_HOOK_PAYLOAD_BYTES);
    expect(payload.timelineOmitted).toBeGreaterThan(0);
    expect(payload.timeline.length + payload.timelineOmitted).toBe(2000);
    expect(payload.timeline.at(-1)?.message.endsWith(' 1999')).toBe(true);
  });

  it('cuts a very long message', () => {
    const payload = buildHookPayload('beforeFencing', failoverRequest(), [eventAt(1, 'y'.repeat(5000))]);

    expect(payload.timeline[0]?.message).toHaveLength(303);
  });
});
