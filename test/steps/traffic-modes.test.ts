import { ChangeResourceRecordSetsCommand, GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  ConflictException,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SafetyRuleRefusedError } from '../../src/errors.js';
import type { FailoverPlan } from '../../src/plan/schema.js';
import { checkTraffic } from '../../src/steps/check-traffic.js';
import { shiftTraffic } from '../../src/steps/shift-traffic.js';
import { healthCheckedPlannedCheck, routingControlsCheck } from '../../src/steps/traffic-readiness.js';
import {
  healthCheckPlan,
  mockRoutingControls,
  ONE_REGION_ON_RULE,
  USE1_CONTROL,
  USW2_CONTROL,
} from '../support/arc.js';
import { testDeps } from '../support/deps.js';
import { fakeNameServers } from '../support/dns.js';
import { examplePlan, USE1_ALB, USW2_ALB } from '../support/plan.js';
import { may20Request } from '../support/request.js';

const NOW = new Date('2024-05-20T14:09:00.000Z');
const request = may20Request();
const PINNED_RULE =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/safetyrule/5e6f7a8b9c0d1e2f';

/** The example plan (routing control) with the name servers answering `answer`. */
const deps = (answer = USW2_ALB, plan: FailoverPlan = examplePlan()) => ({
  ...testDeps(NOW, plan),
  dns: fakeNameServers(answer),
});

/** The example plan with a copy of a rule that keeps us-east-1's control On. */
function pinnedPlan(): FailoverPlan {
  const plan = examplePlan();
  plan.dns.routingControl?.safetyRules.push({
    kind: 'assertion',
    name: 'orders-use1-pinned',
    arn: PINNED_RULE,
    assertedControls: [USE1_CONTROL],
    config: { type: 'ATLEAST', threshold: 1, inverted: false },
    waitPeriodMs: 5000,
  });
  return plan;
}

describe('traffic without the control plane', () => {
  const route53Mock = mockClient(Route53Client);
  let arc: ReturnType<typeof mockRoutingControls> | undefined;

  afterEach(() => {
    route53Mock.reset();
    arc?.mock.restore();
    arc = undefined;
  });

  describe('shiftTraffic, routing-control records', () => {
    it('turns the source control Off (the target is already On) in one call, and calls no Route 53 API', async () => {
      // Prepare
      arc = mockRoutingControls({ [USE1_CONTROL]: 'On', [USW2_CONTROL]: 'On' });

      // Act
      const output = await shiftTraffic({ request }, deps());

      // Assess
      expect(arc.mock).toHaveReceivedCommandTimes(UpdateRoutingControlStatesCommand, 1);
      expect(arc.mock).toHaveReceivedCommandWith(UpdateRoutingControlStatesCommand, {
        UpdateRoutingControlStateEntries: [{ RoutingControlArn: USE1_CONTROL, RoutingControlState: 'Off' }],
      });
      expect(route53Mock).not.toHaveReceivedAnyCommand();
      expect(output.records).toEqual([
        { name: 'api.orders.example.com.', action: 'changed', changeId: null },
      ]);
      expect(output.timeline).toEqual([
        expect.objectContaining({
          phase: 'started',
          message: expect.stringMatching(/^routing controls set us-east-1 \(6f1e2d3c4b5a6978\) Off on /),
        }),
      ]);
    });

    it('sets the target On before the source Off, in two calls when the plan asks for them', async () => {
      // Prepare
      arc = mockRoutingControls({ [USE1_CONTROL]: 'On', [USW2_CONTROL]: 'Off' });
      const plan = examplePlan();
      const [record] = plan.dns.records;
      if (record?.shift.mode === 'routing-control') record.shift.oneCall = false;
      plan.dns.routingControl?.safetyRules.splice(0);

      // Act
      await shiftTraffic({ request }, deps(USW2_ALB, plan));

      // Assess
      const entries = arc.mock
        .commandCalls(UpdateRoutingControlStatesCommand)
        .map((c) => c.args[0].input.UpdateRoutingControlStateEntries);
      expect(entries).toEqual([
        [{ RoutingControlArn: USW2_CONTROL, RoutingControlState: 'On' }],
        [{ RoutingControlArn: USE1_CONTROL, RoutingControlState: 'Off' }],
      ]);
    }, 15_000);

    it('sends nothing when the controls already read as wanted (a retry of the step)', async () => {
      arc = mockRoutingControls({ [USE1_CONTROL]: 'Off', [USW2_CONTROL]: 'On' });

      const output = await shiftTraffic({ request }, deps());

      expect(arc.mock).not.toHaveReceivedCommand(UpdateRoutingControlStatesCommand);
      expect(output.records[0]?.action).toBe('already');
    });

    it("passes a manual start's override as SafetyRulesToOverride and puts it on the record", async () => {
      arc = mockRoutingControls();
      const manual = may20Request({
        mode: 'manual',
        requestedBy: 'jane@example.com',
        safetyRulesToOverride: [ONE_REGION_ON_RULE],
      });

      const output = await shiftTraffic({ request: manual }, deps());

      expect(arc.mock).toHaveReceivedCommandWith(UpdateRoutingControlStatesCommand, {
        SafetyRulesToOverride: [ONE_REGION_ON_RULE],
      });
      expect(output.timeline[0]).toMatchObject({
        phase: 'progress',
        message: expect.stringMatching(
          /overriding Route 53 ARC safety rule\(s\) .*, as jane@example.com's manual start asks/,
        ),
      });
    });

    it('stops with SafetyRuleRefusedError naming the rule when the cluster refuses, and sends nothing else', async () => {
      // Prepare: a rule the plan's copy does not list refuses at the cluster.
      const refusing = mockClient(Route53RecoveryClusterClient);
      refusing.onAnyCommand().resolves({ RoutingControlState: 'On' });
      refusing.on(UpdateRoutingControlStatesCommand).rejects(
        new ConflictException({
          message:
            'Request rejected: the routing control state change violates safety rule orders-use1-pinned.',
          resourceId: PINNED_RULE,
          resourceType: 'SafetyRule',
          $metadata: { httpStatusCode: 409 },
        }),
      );

      // Act
      const shifted = shiftTraffic({ request }, deps());

      // Assess
      await expect(shifted).rejects.toBeInstanceOf(SafetyRuleRefusedError);
      await expect(shifted).rejects.toThrow(new RegExp(`safety rule ${PINNED_RULE}`));
      await expect(shifted).rejects.toThrow(/Nothing was changed by this call, and nothing more is sent/);
      expect(refusing).toHaveReceivedCommandTimes(UpdateRoutingControlStatesCommand, 1);
      expect(route53Mock).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
      refusing.restore();
    });
  });

  describe('shiftTraffic, health-check records', () => {
    it('sends nothing at all: the records move by their own health checks', async () => {
      const output = await shiftTraffic({ request }, deps(USW2_ALB, healthCheckPlan()));

      expect(route53Mock).not.toHaveReceivedAnyCommand();
      expect(output.records).toEqual([
        { name: 'api.orders.example.com.', action: 'waiting', changeId: null },
      ]);
      expect(output.timeline[0]?.message).toMatch(/moves by its health checks: nothing to send/);
    });
  });

  describe('checkTraffic with the resolver injected', () => {
    const shift = {
      records: [{ name: 'api.orders.example.com.', action: 'changed' as const, changeId: null }],
      startedAt: '2024-05-20T14:09:00.000Z',
      deadline: '2024-05-20T14:14:00.000Z',
      maxTtlSeconds: 60,
      timeline: [],
    };

    it('is in sync once the name servers answer the target and the controls read back as set, with no GetChange', async () => {
      arc = mockRoutingControls({ [USE1_CONTROL]: 'Off', [USW2_CONTROL]: 'On' });

      const waiting = await checkTraffic({ request, shift }, deps(USE1_ALB));
      const served = await checkTraffic({ request, shift, previous: waiting }, deps(USW2_ALB));

      expect(waiting.inSync).toBe(false);
      expect(served.inSync).toBe(true);
      expect(served.timeline.at(-1)?.message).toMatch(
        /^no control-plane change to wait for; routing controls us-west-2 \(8a7b6c5d4e3f2a1b\) On, us-east-1 \(6f1e2d3c4b5a6978\) Off/,
      );
      expect(route53Mock).not.toHaveReceivedCommand(GetChangeCommand);
    });

    it('is not in sync while a control reads back otherwise, even with the answers at the target', async () => {
      arc = mockRoutingControls({ [USE1_CONTROL]: 'On', [USW2_CONTROL]: 'On' });

      const output = await checkTraffic({ request, shift }, deps(USW2_ALB));

      expect(output.inSync).toBe(false);
      expect(output.timeline.at(-1)?.message).toMatch(/us-east-1 \(6f1e2d3c4b5a6978\) is On, wanted Off/);
    });
  });

  describe('readiness of the traffic path', () => {
    it("refuses, before anything moves, a shift the plan's copy of the safety rules would refuse, naming the rule", async () => {
      arc = mockRoutingControls();

      const check = await routingControlsCheck(request, testDeps(NOW, pinnedPlan()));

      expect(check).toMatchObject({ name: 'routing-controls', ok: false });
      expect(check?.detail).toMatch(/assertion rule "orders-use1-pinned"/);
      expect(check?.detail).toMatch(/"safetyRulesToOverride": \[/);
      expect(arc.mock).not.toHaveReceivedCommand(UpdateRoutingControlStatesCommand);
    });

    it('lets a manual start that overrides the rule through, and says so', async () => {
      arc = mockRoutingControls();
      const manual = may20Request({ mode: 'manual', safetyRulesToOverride: [PINNED_RULE] });

      const check = await routingControlsCheck(manual, testDeps(NOW, pinnedPlan()));

      expect(check).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/overriding .* \(manual start\)$/),
      });
    });

    it('refuses a planned move of records only their health checks move', () => {
      const planned = may20Request({ mode: 'planned' });

      expect(healthCheckedPlannedCheck(planned, testDeps(NOW, healthCheckPlan()))).toMatchObject({
        name: 'traffic-path',
        ok: false,
      });
      expect(healthCheckedPlannedCheck(request, testDeps(NOW, healthCheckPlan()))).toBeNull();
    });
  });
});
