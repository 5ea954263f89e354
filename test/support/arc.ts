import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { mockClient } from 'aws-sdk-client-mock';
import type { FailoverPlan } from '../../src/plan/schema.js';
import { examplePlan } from './plan.js';

/** The example plan's routing controls (plans/dev.json). */
export const USE1_CONTROL =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/routingcontrol/6f1e2d3c4b5a6978';
export const USW2_CONTROL =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/routingcontrol/8a7b6c5d4e3f2a1b';
/** The example plan's copy of its one safety rule: at least one region On. */
export const ONE_REGION_ON_RULE =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/safetyrule/3c4d5e6f7a8b9c0d';

/**
 * Every cluster endpoint answers from one map of states (On when a control is not in it): reads
 * return them, updates write them. Call `restore()` on the result after the test.
 */
export function mockRoutingControls(states: Record<string, 'On' | 'Off'> = {}) {
  const mock = mockClient(Route53RecoveryClusterClient);
  mock.on(GetRoutingControlStateCommand).callsFake((input: { RoutingControlArn: string }) => ({
    RoutingControlArn: input.RoutingControlArn,
    RoutingControlState: states[input.RoutingControlArn] ?? 'On',
  }));
  mock
    .on(UpdateRoutingControlStatesCommand)
    .callsFake(
      (input: {
        UpdateRoutingControlStateEntries: { RoutingControlArn: string; RoutingControlState: 'On' | 'Off' }[];
      }) => {
        for (const e of input.UpdateRoutingControlStateEntries)
          states[e.RoutingControlArn] = e.RoutingControlState;
        return {};
      },
    );
  return { mock, states };
}

/** The example plan with failover records that their own health checks move (shift health-check). */
export function healthCheckPlan(): FailoverPlan {
  const plan = examplePlan();
  for (const record of plan.dns.records) {
    record.routing = 'failover';
    record.shift = {
      mode: 'health-check',
      healthCheckIds: {
        'us-east-1': '0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a',
        'us-west-2': '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      },
    };
  }
  delete plan.dns.routingControl;
  return plan;
}
