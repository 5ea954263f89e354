import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/load.js';
import { run } from '../cli/harness.js';

/** The example plan as raw JSON, to break on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON is mutated freely to build bad plans
type RawPlan = any;
const example = (): RawPlan => JSON.parse(readFileSync('plans/dev.json', 'utf8'));
const HEALTH_CHECKS = {
  'us-east-1': '0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a',
  'us-west-2': '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
};
const problemsOf = (mutate: (p: RawPlan) => void) => {
  const plan = example();
  mutate(plan);
  try {
    parsePlan(plan, 'plan.json');
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('failover plan: traffic shift modes', () => {
  it('reads the example plan: routing control, one call, the cluster and its rule', () => {
    const plan = parsePlan(example(), 'plans/dev.json');

    expect(plan.dns.records[0]?.shift).toMatchObject({ mode: 'routing-control', oneCall: true });
    expect(plan.dns.routingControl?.endpoints.map((e) => e.region)).toEqual([
      'us-east-1',
      'us-west-2',
      'eu-west-1',
      'ap-southeast-2',
      'ap-northeast-1',
    ]);
    expect(plan.dns.routingControl?.safetyRules).toHaveLength(1);
  });

  it('takes a record with no shift as record-upsert (plans written before the modes)', () => {
    const raw = example();
    delete raw.dns.records[0].shift;
    delete raw.dns.routingControl;

    expect(parsePlan(raw, 'plan.json').dns.records[0]?.shift).toEqual({ mode: 'record-upsert' });
  });

  it.each([
    [
      'an unknown mode',
      (p: RawPlan) => (p.dns.records[0].shift = { mode: 'magic' }),
      /dns\.records\[0\]\.shift\.mode: mode must be "record-upsert", "routing-control" or "health-check"/,
    ],
    [
      'routing control with no cluster',
      (p: RawPlan) => delete p.dns.routingControl,
      /dns\.routingControl: is required: dns\.records\[0\] api\.orders\.example\.com\. moves by routing control/,
    ],
    [
      'a cluster with four endpoints',
      (p: RawPlan) => p.dns.routingControl.endpoints.pop(),
      /dns\.routingControl\.endpoints: must list the cluster's five regional endpoints/,
    ],
    [
      'an endpoint listed twice',
      (p: RawPlan) => (p.dns.routingControl.endpoints[4].region = 'us-east-1'),
      /dns\.routingControl\.endpoints: lists us-east-1 twice/,
    ],
    [
      'an endpoint that is not https',
      (p: RawPlan) => (p.dns.routingControl.endpoints[0].url = 'http://host-aaaaaa.us-east-1.example.com'),
      /dns\.routingControl\.endpoints\[0\]\.url: must be the https URL the cluster lists/,
    ],
    [
      'no routing control for the standby',
      (p: RawPlan) => delete p.dns.records[0].shift.routingControlArns['us-west-2'],
      /dns\.records\[0\]\.shift\.routingControlArns: has no entry for us-west-2/,
    ],
    [
      'the same routing control for both regions',
      (p: RawPlan) =>
        (p.dns.records[0].shift.routingControlArns['us-west-2'] =
          p.dns.records[0].shift.routingControlArns['us-east-1']),
      /dns\.records\[0\]\.shift\.routingControlArns: names the same one for both regions/,
    ],
    [
      'a routing control ARN that is not one',
      (p: RawPlan) =>
        (p.dns.records[0].shift.routingControlArns['us-east-1'] = 'arn:aws:route53:::healthcheck/x'),
      /dns\.records\[0\]\.shift\.routingControlArns\.us-east-1: must be a routing control ARN/,
    ],
    [
      'a cluster no record uses',
      (p: RawPlan) => (p.dns.records[0].shift = { mode: 'record-upsert' }),
      /dns\.routingControl: no dns record uses shift mode "routing-control"/,
    ],
    [
      'a safety rule of an unknown kind',
      (p: RawPlan) => (p.dns.routingControl.safetyRules[0].kind = 'veto'),
      /dns\.routingControl\.safetyRules\[0\]\.kind: kind must be "assertion" or "gating"/,
    ],
    [
      'a health-check record with simple routing',
      (p: RawPlan) => {
        p.dns.records[0].routing = 'simple';
        p.dns.records[0].shift = { mode: 'health-check', healthCheckIds: HEALTH_CHECKS };
        delete p.dns.routingControl;
      },
      /dns\.records\[0\]\.routing: must be "weighted" or "failover" for shift mode health-check/,
    ],
    [
      'a health check id that is not one',
      (p: RawPlan) => {
        p.dns.records[0].shift = {
          mode: 'health-check',
          healthCheckIds: { ...HEALTH_CHECKS, 'us-west-2': 'hc-2' },
        };
        delete p.dns.routingControl;
      },
      /dns\.records\[0\]\.shift\.healthCheckIds\.us-west-2: must be a Route 53 health check id/,
    ],
    [
      'a failover record moved by record-upsert',
      (p: RawPlan) => {
        p.dns.records[0].routing = 'failover';
        p.dns.records[0].shift = { mode: 'record-upsert' };
        delete p.dns.routingControl;
      },
      /dns\.records\[0\]\.shift\.mode: record-upsert cannot move a failover record/,
    ],
  ])('names the field for %s', (_case, mutate, message) => {
    expect(problemsOf(mutate)).toMatch(message);
  });

  describe('failover validate', () => {
    const write = (plan: RawPlan) => {
      const file = join(mkdtempSync(join(tmpdir(), 'failover-plan-')), 'plan.json');
      writeFileSync(file, JSON.stringify(plan));
      return file;
    };

    it('warns, and still accepts, a us-east-1 primary whose record can only move by record-upsert', async () => {
      const plan = example();
      plan.dns.records[0].shift = { mode: 'record-upsert' };
      delete plan.dns.routingControl;

      const r = await run(['validate', write(plan)]);

      expect(r.code).toBe(0);
      expect(r.out.at(-1)).toMatch(
        /^warning: dns\.records\[0\] api\.orders\.example\.com\. can only move by record-upsert, through Route 53's control plane in us-east-1, the primary region: in a us-east-1 outage it will not move/,
      );
    });

    it('does not warn about the example plan, whose record moves by routing control', async () => {
      const r = await run(['validate', 'plans/dev.json']);

      expect(r.out.some((line) => line.startsWith('warning:'))).toBe(false);
    });
  });
});
