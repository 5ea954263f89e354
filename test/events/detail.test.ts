import { describe, expect, it } from 'vitest';
import {
  consoleUrlOf,
  DETAIL_TYPES,
  EventDetailInvalidError,
  entryBytes,
  type FailoverEventDetail,
  MAX_ENTRY_BYTES,
  OUTCOME_DETAIL_TYPES,
  toEntry,
} from '../../src/events/detail.js';
import { OUTCOMES } from '../../src/report/types.js';

const ARN = 'arn:aws:states:us-west-2:123456789012:execution:failover-dev:exec-1';

const detail = (over: Partial<FailoverEventDetail> = {}): FailoverEventDetail => ({
  schemaVersion: 1,
  eventId: `${ARN}/outcome`,
  at: '2026-11-22T03:03:30.000Z',
  plan: 'orders',
  execution: { name: 'exec-1', arn: ARN, consoleUrl: consoleUrlOf(ARN) },
  mode: 'automatic',
  dryRun: false,
  regions: { from: 'us-east-1', to: 'us-west-2', orchestrator: 'us-west-2' },
  outcome: 'succeeded',
  rtoSeconds: 210,
  userFacingRtoSeconds: 270,
  rpoSeconds: 0.42,
  summary: 'Failover us-east-1 -> us-west-2 succeeded: RTO 210 s, RPO 0.42 s.',
  summaryTruncated: false,
  failure: null,
  approval: null,
  ...over,
});

describe('event detail', () => {
  it('has one detail-type per outcome, none of them shared', () => {
    expect(Object.keys(OUTCOME_DETAIL_TYPES).sort()).toEqual([...OUTCOMES].sort());
    expect(new Set(DETAIL_TYPES).size).toBe(DETAIL_TYPES.length);
  });

  it('builds an entry for the default bus under the product source, the ARN as its resource', () => {
    const entry = toEntry('Failover Succeeded', detail());

    expect(entry).toEqual({
      Source: 'failover.orchestrator',
      DetailType: 'Failover Succeeded',
      Detail: JSON.stringify(detail()),
      Resources: [ARN],
    });
  });

  it('refuses a detail its schema does not accept, naming the field', () => {
    const bad = detail({ rtoSeconds: -1, execution: { name: '', arn: null, consoleUrl: null } });

    expect(() => toEntry('Failover Succeeded', bad)).toThrow(EventDetailInvalidError);
    expect(() => toEntry('Failover Succeeded', bad)).toThrow(/execution\.name: .*rtoSeconds: /s);
  });

  it.each([
    ['ASCII', 'x'],
    ['three-byte characters', '€'],
    ['characters JSON escapes', '"'],
  ])('cuts a summary of %s so the entry stays under 256 KB, and says so', (_case, char) => {
    const entry = toEntry('Failover Failed', detail({ summary: char.repeat(300_000) }));

    expect(entryBytes(entry)).toBeLessThan(MAX_ENTRY_BYTES);
    expect(entryBytes(entry)).toBeGreaterThan(MAX_ENTRY_BYTES - 10_000);
    const parsed = JSON.parse(entry.Detail) as FailoverEventDetail;
    expect(parsed.summaryTruncated).toBe(true);
    expect(parsed.summary.endsWith('...')).toBe(true);
  });

  it('counts entry bytes as EventBridge does: UTF-8 bytes of Source, DetailType, Detail and Resources', () => {
    expect(entryBytes({ Source: 'a', DetailType: 'bc', Detail: '{"€":1}', Resources: ['r1', 'r2'] })).toBe(
      1 + 2 + 9 + 4,
    );
  });

  it.each([
    [ARN, 'https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/'],
    [
      'arn:aws-cn:states:cn-north-1:123456789012:execution:m:e',
      'https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/',
    ],
    [
      'arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:m:e',
      'https://us-gov-west-1.console.amazonaws-us-gov.com/states/home?region=us-gov-west-1#/v2/executions/details/',
    ],
  ])('links %s to the console of its own region', (arn, prefix) => {
    expect(consoleUrlOf(arn)).toBe(`${prefix}${arn}`);
  });

  it('gives no link without an execution ARN', () => {
    expect(consoleUrlOf(null)).toBeNull();
    expect(consoleUrlOf('arn:aws:states:us-west-2:123456789012:stateMachine:m')).toBeNull();
  });
});
