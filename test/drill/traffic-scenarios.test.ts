import { describe, expect, it } from 'vitest';
import { checkedDrill } from '../../src/drill/invariants.js';
import { type DrillResult, runDrill } from '../../src/drill/run-drill.js';
import { alarmEvent, type DrillScenario, MINUTE, primaryDown } from '../../src/drill/scenario-types.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { answeredRegions, MUTATING_COMMAND } from '../../src/drill/settled-invariants.js';

/**
 * Traffic without Route 53's control plane, drilled end to end: the real state machine and
 * handlers, the simulated ARC cluster, health checks and name servers.
 */

const drill = (name: string, seed = 1) => runDrill(findScenario(name), { seed });
const changes = (r: DrillResult) =>
  r.cloud.calls.filter((c) => MUTATING_COMMAND.test(c.command) && c.outcome === 'ok');
const controlCalls = (r: DrillResult) =>
  r.cloud.calls.filter((c) => c.command === 'UpdateRoutingControlStates');
/** Per plan record, where the name servers send clients at the end (the plan the drill ran with). */
const answered = (r: DrillResult) => answeredRegions(r.after.dns, r.cloud.options.plan);

const PINNED_RULE =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0a1b2c3d4e5f40718293a4b5c6d7e8f9/safetyrule/5e6f7a8b9c0d1e2f';

/** An outage of us-east-1 while the cluster has a rule, missing from the plan's copy, that keeps its control On. */
function pinnedInCluster(alsoStart?: DrillScenario['alsoStart']): DrillScenario {
  return {
    name: 'arc-rule-missing-from-plan',
    summary: 'test only',
    input: (ctx) => alarmEvent(ctx),
    ...(alsoStart ? { alsoStart } : {}),
    cloud: (ctx) => {
      const [record] = ctx.plan.dns.records;
      const use1 =
        record?.shift.mode === 'routing-control' ? (record.shift.routingControlArns['us-east-1'] ?? '') : '';
      return {
        incidents: [primaryDown(ctx, -6 * MINUTE)],
        arc: {
          extraSafetyRules: [
            {
              kind: 'assertion',
              name: 'orders-use1-pinned',
              arn: PINNED_RULE,
              assertedControls: [use1],
              config: { type: 'ATLEAST', threshold: 1, inverted: false },
              waitPeriodMs: 5000,
            },
          ],
        },
      };
    },
  };
}

describe('traffic drills', () => {
  it.each([1, 2, 3])(
    'arc-endpoint-down (seed %i): the first endpoints tried do not answer, another does, and traffic follows the writer',
    async (seed) => {
      const r = await drill('arc-endpoint-down', seed);
      const updates = controlCalls(r);

      expect(r.report?.outcome).toBe('succeeded');
      expect(updates.at(-1)).toMatchObject({ region: 'ap-southeast-2', outcome: 'ok' });
      expect(updates.slice(0, -1).map((c) => c.outcome)).not.toContain('ok');
      expect(updates.length).toBeGreaterThan(1);
      expect(answered(r)).toEqual([['us-west-2']]);
    },
  );

  it('arc-safety-rule-blocks: readiness names the rule and what the operator may do; nothing is changed', async () => {
    const r = await drill('arc-safety-rule-blocks');

    expect(r.error?.name).toBe('TargetNotReadyError');
    expect(r.report?.readiness.problems).toEqual([
      expect.stringMatching(
        /^routing-controls: assertion rule "orders-use1-pinned" .* would refuse setting us-east-1 \(6f1e2d3c4b5a6978\) Off/,
      ),
    ]);
    expect(r.report?.readiness.problems[0]).toMatch(
      /"safetyRulesToOverride": \["arn:aws:route53-recovery-control::/,
    );
    expect(changes(r)).toEqual([]);
    expect(controlCalls(r)).toEqual([]);
  });

  it('health-check-failover: no DNS change and no routing control is sent; the answers moved on their own', async () => {
    const r = await drill('health-check-failover');

    expect(r.report?.outcome).toBe('succeeded');
    expect(
      r.cloud.calls.filter((c) =>
        /^(ChangeResourceRecordSets|GetChange|UpdateRoutingControlStates)$/.test(c.command),
      ),
    ).toEqual([]);
    expect(r.after.dns.map((d) => [d.failover, d.healthy])).toEqual([['SECONDARY', true]]);
    expect(r.report?.timeline.find((e) => e.step === 'shift-traffic')?.message).toMatch(
      /moves by its health checks/,
    );
  });

  it('control-plane-only-down: a planned move with record-upsert records is refused before anything moves, with the reason', async () => {
    const r = await drill('control-plane-only-down');

    expect(r.error?.name).toBe('TargetNotReadyError');
    expect(r.report?.readiness.problems).toEqual([
      expect.stringMatching(
        /^route53-control-plane: Route 53's control plane \(us-east-1\) did not answer within 20 s, and api\.orders\.example\.com\. \(record-upsert\) can only move through it: a planned move must not start what it cannot finish/,
      ),
    ]);
    expect(changes(r)).toEqual([]);
  });

  it('a rule missing from the plan copy refuses at the shift: SafetyRuleRefusedError names it, and nothing else changes after the refusal', async () => {
    // Prepare: the cluster has a rule the plan does not list, so readiness cannot see it coming.
    // This is why the plan carries a copy of the rules: here the writer has moved and traffic cannot follow.
    const pinned = pinnedInCluster();

    // Act
    const { result: r, checks } = await checkedDrill(pinned, 1);

    // Assess
    const refused = controlCalls(r);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((c) => c.outcome === 'ConflictException')).toBe(true);
    expect(changes(r).filter((c) => c.at >= (refused[0]?.at ?? 0))).toEqual([]);
    expect(r.report?.failure).toMatchObject({ error: 'SafetyRuleRefusedError' });
    expect(r.report?.failure?.cause).toMatch(
      /safety rule arn:aws:route53-recovery-control::\S+safetyrule\/5e6f7a8b9c0d1e2f does not allow it/,
    );
    expect(checks.find((c) => c.name === 'never-worse')?.held).toBe(false);
  });

  it("a human's manual start overriding that rule finishes the move, on the record, and nothing is left worse", async () => {
    // Prepare: runbooks/arc-safety-rule.md, step 2.2, a quarter of an hour after the refusal.
    const scenario = pinnedInCluster(() => [
      {
        afterMs: 15 * MINUTE,
        input: {
          version: 1,
          mode: 'manual',
          targetRegion: 'us-west-2',
          reason: 'us-east-1 down; overriding orders-use1-pinned, approved by the owner',
          requestedBy: 'jane@example.com',
          safetyRulesToOverride: [PINNED_RULE],
        },
      },
    ]);

    // Act
    const { result: r, checks } = await checkedDrill(scenario, 1);

    // Assess
    const [refused, overriding] = r.executions;
    expect(refused?.report?.outcome).toBe('failed');
    expect(overriding?.report).toMatchObject({ outcome: 'succeeded', safetyRulesOverridden: [PINNED_RULE] });
    expect(overriding?.report?.actions.join('\n')).toMatch(
      /jane@example.com overrode Route 53 ARC safety rule/,
    );
    expect(answered(r)).toEqual([['us-west-2']]);
    expect(checks.filter((c) => !c.held)).toEqual([]);
  });
});
