import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/steps/normalize-input.js';
import { testDeps } from '../support/deps.js';

const sample = JSON.parse(
  readFileSync('test/fixtures/eventbridge/alarm-state-change-ok-to-alarm.json', 'utf8'),
);

/** The published sample event, renamed to one of the example plan's trigger alarms. */
function alarmEvent(overrides: { alarmName?: string; state?: string } = {}) {
  const event = structuredClone(sample);
  event.region = 'us-west-2';
  event.detail.alarmName = overrides.alarmName ?? 'orders-primary-unhealthy-from-us-west-2';
  if (overrides.state) event.detail.state.value = overrides.state;
  return event;
}

const base = {
  executionName: 'exec-1',
  executionStartedAt: '2026-11-22T03:00:05.000Z',
  orchestratorRegion: 'us-west-2',
};

describe('normalize-input', () => {
  it('turns an alarm event into an automatic failover towards the orchestrator region', async () => {
    // Act
    const { request, timeline } = await normalize({ ...base, input: alarmEvent() }, testDeps());

    // Assess
    expect(request).toMatchObject({
      mode: 'automatic',
      sourceRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      requestedBy: 'alarm:orders-primary-unhealthy-from-us-west-2',
      detectedAt: '2019-10-02T17:04:40.989Z',
      trigger: { alarmName: 'orders-primary-unhealthy-from-us-west-2', alarmRegion: 'us-west-2' },
    });
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({ step: 'normalize-input', phase: 'succeeded' });
  });

  describe('safetyRulesToOverride', () => {
    const RULE =
      'arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/safetyrule/3c4d5e6f7a8b9c0d';
    const start = (mode: string, rules: unknown) => ({
      version: 1,
      mode,
      targetRegion: 'us-west-2',
      reason: 'us-east-1 dark, rule keeps it pinned',
      requestedBy: 'jane@example.com',
      safetyRulesToOverride: rules,
    });

    it("carries a manual start's override onto the request and the record", async () => {
      const { request, timeline } = await normalize({ ...base, input: start('manual', [RULE]) }, testDeps());

      expect(request.safetyRulesToOverride).toEqual([RULE]);
      expect(timeline[0]?.facts).toMatchObject({ safetyRulesToOverride: RULE });
    });

    it.each([
      [
        'a planned start',
        start('planned', [RULE]),
        /safetyRulesToOverride: only a manual start may override/,
      ],
      [
        'something that is not a rule ARN',
        start('manual', ['keep-use1-on']),
        /safetyRulesToOverride\[0\]: must be a safety rule ARN/,
      ],
    ])('refuses %s, nothing done', async (_case, input, message) => {
      await expect(normalize({ ...base, input }, testDeps())).rejects.toThrow(message);
    });
  });

  it('accepts an operator start and uses the execution start as first evidence', async () => {
    const input = {
      version: 1,
      mode: 'planned',
      targetRegion: 'us-west-2',
      reason: 'quarterly drill',
      requestedBy: 'jane@example.com',
    };

    const { request } = await normalize({ ...base, input }, testDeps());

    expect(request).toMatchObject({
      mode: 'planned',
      sourceRegion: 'us-east-1',
      detectedAt: base.executionStartedAt,
    });
  });

  it.each([
    [
      'an alarm the plan does not know',
      alarmEvent({ alarmName: 'ServerCpuTooHigh' }),
      /alarm "ServerCpuTooHigh" is not a trigger/,
    ],
    ['an alarm back to OK', alarmEvent({ state: 'OK' }), /is in state OK, not ALARM/],
    [
      'an alarm event without detail',
      { ...alarmEvent(), detail: undefined },
      /alarm event is malformed: detail/,
    ],
    [
      'a start with every field wrong',
      { version: 2, mode: 'auto', targetRegion: 'us-west-9', reason: '', requestedBy: '' },
      /version: .*mode: .*targetRegion: "us-west-9" is not an AWS region.*reason: .*requestedBy: /,
    ],
    [
      'a start into a region outside the plan',
      { version: 1, mode: 'manual', targetRegion: 'eu-west-1', reason: 'test', requestedBy: 'me' },
      /targetRegion: "eu-west-1" is not one of plan orders's regions/,
    ],
    [
      'a start with an unknown field',
      {
        version: 1,
        mode: 'manual',
        targetRegion: 'us-west-2',
        reason: 'test',
        requestedBy: 'me',
        dryrun: true,
      },
      /Unrecognized key: "dryrun"/,
    ],
  ])('rejects %s with InputInvalidError naming the problem', async (_case, input, message) => {
    const attempt = normalize({ ...base, input }, testDeps());

    await expect(attempt).rejects.toMatchObject({
      name: 'InputInvalidError',
      message: expect.stringMatching(message),
    });
  });
});
