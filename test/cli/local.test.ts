import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/drill/scenarios.js';
import { run } from './harness.js';

describe('the local verbs', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  describe('failover drill (no AWS account)', () => {
    it('--list names every scenario', async () => {
      const r = await run(['drill', '--list']);

      expect(r.code).toBe(0);
      expect(r.out.map((l) => l.split(' ')[0])).toEqual(SCENARIOS.map((s) => s.name));
    });

    it('--json prints the report alone on stdout and the verdict on stderr', async () => {
      const r = await run(['drill', '--scenario', 'region-outage', '--json']);

      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        outcome: 'succeeded',
        executionName: 'drill-region-outage-1',
      });
      expect(r.err).toEqual([
        'Drill behaved as expected: expected outcome succeeded, writer in the target region.',
      ]);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('--save-history writes a history that failover report rebuilds to the same RTO and RPO', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'failover-history-')), 'drill.json');

      const drilled = await run(['drill', '--scenario', 'region-outage', '--json', '--save-history', file]);
      const reported = await run(['report', '--history-file', file, '--format', 'json']);

      expect(drilled.code).toBe(0);
      expect(reported.code).toBe(0);
      const own = JSON.parse(drilled.stdout);
      expect(JSON.parse(reported.stdout)).toMatchObject({
        rtoSeconds: own.rtoSeconds,
        rpo: own.rpo,
        outcome: 'succeeded',
      });
      expect(JSON.parse(readFileSync(file, 'utf8')).events.length).toBeGreaterThan(20);
    });

    it('an unknown scenario is a usage error', async () => {
      const r = await run(['drill', '--scenario', 'meteor']);

      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^failover drill: .*meteor/);
    });
  });

  describe('failover validate', () => {
    it('prints ok, what the plan covers and its worst-case time', async () => {
      const r = await run(['validate', 'plans/dev.json']);

      expect(r).toMatchObject({ code: 0, err: [] });
      expect(r.out).toEqual([
        expect.stringMatching(/^ok plans\/dev\.json: plan orders, us-east-1 -> us-west-2, \d+ services/),
        expect.stringMatching(
          /^time budget: worst case \d+ min of 120 min \((automatic|planned) start\): start 120 s, /,
        ),
      ]);
    });

    it('refuses a plan whose waits do not fit the execution timeout, naming the field', async () => {
      const plan = JSON.parse(readFileSync('plans/dev.json', 'utf8'));
      plan.approval = {
        automatic: 'wait',
        timeoutSeconds: 86_400,
        topicArn: 'arn:aws:sns:us-west-2:123456789012:orders-failover-approvals',
      };
      const file = join(mkdtempSync(join(tmpdir(), 'failover-plan-')), 'plan.json');
      writeFileSync(file, JSON.stringify(plan));

      const r = await run(['validate', file]);

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'approval.timeoutSeconds: 86,400 s of waits do not fit the 7,200 s execution timeout',
      );
    });

    it('names every bad field', async () => {
      const plan = JSON.parse(readFileSync('plans/dev.json', 'utf8'));
      plan.regions.standby = 'us-west-9';
      plan.services[0].activeCount = 0;
      const file = join(mkdtempSync(join(tmpdir(), 'failover-plan-')), 'plan.json');
      writeFileSync(file, JSON.stringify(plan));

      const r = await run(['validate', file]);

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('regions.standby: "us-west-9" is not an AWS region');
      expect(r.stderr).toContain('services[0].activeCount');
    });
  });
});
