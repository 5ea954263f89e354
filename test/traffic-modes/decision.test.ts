import { describe, expect, it } from 'vitest';
import type { SafetyRulePlan } from '../../src/plan/traffic.js';
import {
  type ControlState,
  controlsNotAsWanted,
  endpointOrder,
  planControlCalls,
  recordsWithoutDataPlanePath,
  refusingRule,
  ruleHolds,
  trafficWarnings,
  waitBetweenCallsMs,
  wantedControls,
} from '../../src/traffic-modes/decision.js';
import { ONE_REGION_ON_RULE, USE1_CONTROL, USW2_CONTROL } from '../support/arc.js';
import { examplePlan, recordUpsertPlan } from '../support/plan.js';

const GATE =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/routingcontrol/9a9a9a9a9a9a9a9a';
const RULE_ARN = (id: string) =>
  `arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/safetyrule/${id}`;
const states = (entries: [string, ControlState][]) => new Map(entries);

const atLeastOneOn: SafetyRulePlan = {
  kind: 'assertion',
  name: 'one-region-on',
  arn: ONE_REGION_ON_RULE,
  assertedControls: [USE1_CONTROL, USW2_CONTROL],
  config: { type: 'ATLEAST', threshold: 1, inverted: false },
  waitPeriodMs: 5000,
};
const neverBothOn: SafetyRulePlan = {
  kind: 'assertion',
  name: 'never-both-on',
  arn: RULE_ARN('1111111111111111'),
  assertedControls: [USE1_CONTROL, USW2_CONTROL],
  config: { type: 'ATLEAST', threshold: 2, inverted: true },
  waitPeriodMs: 8000,
};
const automationGate: SafetyRulePlan = {
  kind: 'gating',
  name: 'automation-allowed',
  arn: RULE_ARN('2222222222222222'),
  gatingControls: [GATE],
  targetControls: [USE1_CONTROL, USW2_CONTROL],
  config: { type: 'OR', threshold: 1, inverted: false },
  waitPeriodMs: 5000,
};

describe('traffic modes: decisions', () => {
  describe('wantedControls', () => {
    it('wants the target control On before the source control Off', () => {
      // Act
      const wanted = wantedControls(examplePlan(), 'us-east-1', 'us-west-2');

      // Assess
      expect(wanted).toEqual([
        { arn: USW2_CONTROL, region: 'us-west-2', state: 'On', records: ['api.orders.example.com.'] },
        { arn: USE1_CONTROL, region: 'us-east-1', state: 'Off', records: ['api.orders.example.com.'] },
      ]);
    });

    it('wants nothing of a plan whose records all move by record-upsert', () => {
      expect(wantedControls(recordUpsertPlan(), 'us-east-1', 'us-west-2')).toEqual([]);
    });
  });

  describe('planControlCalls', () => {
    const wanted = () => wantedControls(examplePlan(), 'us-east-1', 'us-west-2');

    it.each([
      [
        'both On (steady state): only the source goes Off',
        states([
          [USE1_CONTROL, 'On'],
          [USW2_CONTROL, 'On'],
        ]),
        true,
        [[{ arn: USE1_CONTROL, state: 'Off', region: 'us-east-1' }]],
      ],
      [
        'target Off, one call: target On and source Off together',
        states([
          [USE1_CONTROL, 'On'],
          [USW2_CONTROL, 'Off'],
        ]),
        true,
        [
          [
            { arn: USW2_CONTROL, state: 'On', region: 'us-west-2' },
            { arn: USE1_CONTROL, state: 'Off', region: 'us-east-1' },
          ],
        ],
      ],
      [
        'target Off, two calls: target On first',
        states([
          [USE1_CONTROL, 'On'],
          [USW2_CONTROL, 'Off'],
        ]),
        false,
        [
          [{ arn: USW2_CONTROL, state: 'On', region: 'us-west-2' }],
          [{ arn: USE1_CONTROL, state: 'Off', region: 'us-east-1' }],
        ],
      ],
      [
        'already as wanted: no call',
        states([
          [USE1_CONTROL, 'Off'],
          [USW2_CONTROL, 'On'],
        ]),
        true,
        [],
      ],
    ])('%s', (_case, current, oneCall, calls) => {
      expect(planControlCalls(wanted(), current, oneCall)).toEqual(calls);
    });

    it('reads back what is not as wanted, and what could not be read', () => {
      const wrong = controlsNotAsWanted(wanted(), states([[USW2_CONTROL, 'On']]));
      expect(wrong).toEqual([
        expect.objectContaining({ arn: USE1_CONTROL, state: 'Off', actual: 'unknown' }),
      ]);
    });
  });

  describe('safety rules (the plan copy)', () => {
    it.each([
      ['ATLEAST 1 of On, Off', { type: 'ATLEAST', threshold: 1, inverted: false }, ['On', 'Off'], true],
      ['ATLEAST 1 of Off, Off', { type: 'ATLEAST', threshold: 1, inverted: false }, ['Off', 'Off'], false],
      ['AND of On, Off', { type: 'AND', threshold: 1, inverted: false }, ['On', 'Off'], false],
      ['OR of Off, On', { type: 'OR', threshold: 1, inverted: false }, ['Off', 'On'], true],
      ['NOT ATLEAST 2 of On, On', { type: 'ATLEAST', threshold: 2, inverted: true }, ['On', 'On'], false],
    ] as const)('%s holds: %s', (_case, config, judged, holds) => {
      expect(ruleHolds(config, judged)).toBe(holds);
    });

    it('lets the one-call failover through "at least one region On"', () => {
      const current = states([
        [USE1_CONTROL, 'On'],
        [USW2_CONTROL, 'Off'],
      ]);
      const calls = [
        [
          { arn: USW2_CONTROL, state: 'On' as const },
          { arn: USE1_CONTROL, state: 'Off' as const },
        ],
      ];
      expect(refusingRule([atLeastOneOn], current, calls)).toBeNull();
    });

    it('refuses the first of two calls when the rule forbids both regions On', () => {
      const current = states([
        [USE1_CONTROL, 'On'],
        [USW2_CONTROL, 'Off'],
      ]);
      const calls = [
        [{ arn: USW2_CONTROL, state: 'On' as const }],
        [{ arn: USE1_CONTROL, state: 'Off' as const }],
      ];

      const verdict = refusingRule([atLeastOneOn, neverBothOn], current, calls);

      expect(verdict).toMatchObject({ rule: { name: 'never-both-on' }, call: 0 });
    });

    it('refuses a change to a gated control while the gate is Off, unless a human overrides the rule', () => {
      const current = states([
        [USE1_CONTROL, 'On'],
        [USW2_CONTROL, 'On'],
        [GATE, 'Off'],
      ]);
      const calls = [[{ arn: USE1_CONTROL, state: 'Off' as const }]];

      expect(refusingRule([automationGate], current, calls)?.rule.name).toBe('automation-allowed');
      expect(refusingRule([automationGate], current, calls, new Set([automationGate.arn]))).toBeNull();
    });

    it('judges no rule whose controls were not all read: only what is read refuses', () => {
      const calls = [[{ arn: USE1_CONTROL, state: 'Off' as const }]];
      expect(refusingRule([automationGate], states([[USE1_CONTROL, 'On']]), calls)).toBeNull();
    });

    it('waits the longest wait period of the rules the first call touched between two calls', () => {
      expect(waitBetweenCallsMs([atLeastOneOn, neverBothOn], [{ arn: USW2_CONTROL, state: 'On' }])).toBe(
        8000,
      );
      expect(waitBetweenCallsMs([], [{ arn: USW2_CONTROL, state: 'On' }])).toBe(5000);
    });
  });

  describe('endpointOrder', () => {
    const endpoints = examplePlan().dns.routingControl?.endpoints ?? [];

    it('is a permutation of the five endpoints, the same for the same seed', () => {
      const order = endpointOrder(endpoints, 'exec-1|shift-traffic|1000');
      expect([...order].sort((a, b) => a.region.localeCompare(b.region))).toEqual(
        [...endpoints].sort((a, b) => a.region.localeCompare(b.region)),
      );
      expect(endpointOrder(endpoints, 'exec-1|shift-traffic|1000')).toEqual(order);
    });

    it('spreads callers: different seeds start on different endpoints', () => {
      const firsts = new Set(
        Array.from({ length: 40 }, (_, i) => endpointOrder(endpoints, `exec-${i}`)[0]?.region),
      );
      expect(firsts.size).toBeGreaterThanOrEqual(4);
    });
  });

  describe('data-plane paths', () => {
    it('warns about a us-east-1 primary whose record can only move by record-upsert', () => {
      const warnings = trafficWarnings(recordUpsertPlan());

      expect(warnings).toEqual([
        expect.stringMatching(
          /^dns\.records\[0\] api\.orders\.example\.com\. can only move by record-upsert/,
        ),
      ]);
      expect(recordsWithoutDataPlanePath(recordUpsertPlan()).map((r) => r.name)).toEqual([
        'api.orders.example.com.',
      ]);
    });

    it('does not warn when every record has a data-plane path, or when the primary is not us-east-1', () => {
      expect(trafficWarnings(examplePlan())).toEqual([]);
      const elsewhere = recordUpsertPlan();
      elsewhere.regions = { primary: 'us-west-2', standby: 'us-east-1' };
      expect(trafficWarnings(elsewhere)).toEqual([]);
    });
  });
});
