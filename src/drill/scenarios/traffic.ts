import type { FaultRule } from '../../sim/types.js';
import {
  alarmEvent,
  type DrillScenario,
  MINUTE,
  primaryDown,
  startInput,
  withHealthChecks,
  withRecordUpsert,
} from '../scenario-types.js';

/** Every ARC data-plane call on the endpoint in `region` hangs (aborted at the orchestrator's bound). */
const endpointSilent = (region: string): FaultRule[] =>
  ['GetRoutingControlState', 'UpdateRoutingControlStates'].map((command) => ({
    command,
    region,
    error: 'timeout' as const,
    count: 1000,
  }));

/** A control panel rule that keeps us-east-1's routing control On (a traffic pin, e.g. during a migration). */
const PINNED_RULE_ARN =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/safetyrule/5e6f7a8b9c0d1e2f';

/** Moving traffic without Route 53's control plane: ARC routing controls and health-checked records. */
export const TRAFFIC_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'arc-endpoint-down',
    summary:
      "us-east-1 is down with its APIs, and three more of the ARC cluster's five endpoints do not answer (us-west-2, eu-west-1, ap-northeast-1); the one left throttles once. Each call tries the endpoints in a shuffled order, bounded, and moves on: the routing controls are set and read back through ap-southeast-2.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [
        primaryDown(ctx, -6 * MINUTE),
        { region: ctx.plan.regions.primary, kind: 'apis-unreachable', from: ctx.t0 - 6 * MINUTE },
      ],
      faults: [
        ...endpointSilent('us-west-2'),
        ...endpointSilent('eu-west-1'),
        ...endpointSilent('ap-northeast-1'),
        { command: 'UpdateRoutingControlStates', region: 'ap-southeast-2', error: 'throttle', count: 1 },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'arc-safety-rule-blocks',
    summary:
      "The control panel has an assertion rule that keeps us-east-1's routing control On, and the plan's copy of the rules lists it: readiness finds the shift would be refused, names the rule and what the operator may do, and stops before anything moves.",
    input: (ctx) => alarmEvent(ctx),
    plan: (raw) => {
      const use1 = raw.dns.records[0].shift.routingControlArns[raw.regions.primary];
      raw.dns.routingControl.safetyRules.push({
        kind: 'assertion',
        name: 'orders-use1-pinned',
        arn: PINNED_RULE_ARN,
        assertedControls: [use1],
        config: { type: 'ATLEAST', threshold: 1, inverted: false },
        waitPeriodMs: 5000,
      });
    },
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'health-check-failover',
    summary:
      "Failover records whose own health checks watch each region: us-east-1's fails and Route 53 answers us-west-2 by itself. The orchestrator sends no DNS change; it moves the writer and capacity, then verifies from the name servers' answers and reports.",
    input: (ctx) => alarmEvent(ctx),
    plan: withHealthChecks,
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'control-plane-only-down',
    summary:
      "A planned switchover to us-west-2 with record-upsert records while Route 53's control plane is silent (us-east-1's services healthy): readiness refuses before anything moves, saying why.",
    input: (ctx) => startInput(ctx, 'planned', { reason: 'maintenance in us-east-1' }),
    plan: withRecordUpsert,
    cloud: (ctx) => ({
      incidents: [{ region: 'us-east-1', kind: 'control-plane-silent', from: ctx.t0 - 5 * MINUTE }],
    }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'region-unreachable-no-data-plane',
    summary:
      "us-east-1 dark with Route 53's control plane, and the plan's records can only move by record-upsert: readiness refuses to move the writer when traffic cannot follow it (users would stay on a region with no writer, and it would serve them without one when it recovers). Nothing changes; the report names the records and the way out.",
    input: (ctx) => alarmEvent(ctx),
    plan: withRecordUpsert,
    cloud: (ctx) => ({
      incidents: [
        primaryDown(ctx, -6 * MINUTE),
        { region: ctx.plan.regions.primary, kind: 'apis-unreachable', from: ctx.t0 - 6 * MINUTE },
      ],
    }),
    expected: { outcome: 'failed', writer: 'source' },
  },
];
