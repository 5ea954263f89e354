import type { FaultRule, Incident, SimOptions } from '../../sim/types.js';
import {
  alarmEvent,
  type DrillScenario,
  type ScenarioContext,
  startInput,
  withRecordUpsert,
} from '../scenario-types.js';
import { type ChaosCase, describeCase, GLOBAL_COMMANDS } from './case.js';

const APPROVER = 'oncall@example.com';

/**
 * The drill scenario a chaos case stands for, built from the drill's own primitives: the same
 * alarm event and start input as the hand-written scenarios, the simulated cloud's incidents,
 * fault rules and options. No `expected`: chaos holds a run to the invariants, not to an outcome.
 */
export function chaosScenario(c: ChaosCase, name = 'chaos'): DrillScenario {
  const failback = c.start.kind === 'failback';
  const regionOf = (ctx: ScenarioContext, role: 'primary' | 'standby') => ctx.plan.regions[role];
  const to = failback ? ('primary' as const) : ('standby' as const);
  const approval = c.approval;
  const drain = c.drain;
  return {
    name,
    summary: describeCase(c),
    ...(failback ? { runsIn: 'primary' as const } : {}),
    input: (ctx) => {
      switch (c.start.kind) {
        case 'alarm':
          return alarmEvent(ctx);
        case 'manual':
          return startInput(ctx, 'manual', { reason: 'chaos: manual failover' });
        case 'planned':
          return startInput(ctx, 'planned', { reason: 'chaos: planned switchover' });
        case 'dry-run':
          return startInput(ctx, c.start.mode, { dryRun: true, reason: 'chaos: dry run' });
        case 'failback':
          return startInput(ctx, 'planned', { to: 'primary', reason: 'chaos: failback' });
      }
    },
    ...(c.alsoStart.length > 0
      ? {
          alsoStart: (ctx: ScenarioContext) =>
            c.alsoStart.map((s) => {
              const afterMs = s.afterSec * 1000;
              const input =
                s.kind === 'alarm'
                  ? alarmEvent(ctx, { at: ctx.t0 + afterMs })
                  : startInput(ctx, s.kind === 'dry-run' ? 'manual' : s.kind, {
                      to,
                      dryRun: s.kind === 'dry-run',
                      reason: `chaos: racing ${s.kind} start`,
                    });
              return { input, afterMs };
            }),
        }
      : {}),
    cloud: (ctx): Omit<SimOptions, 'plan' | 'seed'> => {
      const incidents: Incident[] = c.incidents.map((i) => ({
        region: regionOf(ctx, i.region),
        kind: i.kind,
        from: ctx.t0 + i.fromSec * 1000,
        ...(i.toSec === null ? {} : { to: ctx.t0 + i.toSec * 1000 }),
      }));
      const faults: FaultRule[] = c.faults.map((f) => ({
        command: f.command,
        ...(f.region === null || GLOBAL_COMMANDS.has(f.command) ? {} : { region: regionOf(ctx, f.region) }),
        error: f.error,
        count: f.count,
        ...(f.fromSec === null ? {} : { from: ctx.t0 + f.fromSec * 1000 }),
      }));
      return {
        profile: c.latencies,
        incidents,
        faults,
        ...(c.start.kind === 'failback'
          ? { initialWriter: 'standby' as const, oldPrimarySync: c.start.oldPrimarySync }
          : {}),
        ...(c.route53SyncSec === null ? {} : { route53SyncMs: c.route53SyncSec * 1000 }),
        ...(c.ecsCapacity
          ? { ecsCapacity: { [regionOf(ctx, c.ecsCapacity.region)]: c.ecsCapacity.tasks } }
          : {}),
        ...(c.promotionStuck ? { promotionStuck: true } : {}),
        ...(c.headlessStandby ? { headlessStandby: true } : {}),
        ...(c.rpoLagMs === null ? {} : { rpoLagMs: c.rpoLagMs }),
      };
    },
    ...(approval || drain || c.shift === 'record-upsert'
      ? {
          // biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
          plan: (raw: any) => {
            if (drain || c.shift === 'record-upsert') withRecordUpsert(raw);
            if (approval) {
              raw.approval = {
                automatic: approval.automatic,
                timeoutSeconds: approval.timeoutSeconds,
                topicArn: `arn:aws:sns:${raw.regions.standby}:123456789012:failover-chaos-approvals`,
              };
            }
            if (drain) {
              raw.database.writesVia = 'global-writer-endpoint';
              raw.dns.drain = { sourceWeights: drain.sourceWeights, intervalSeconds: drain.intervalSeconds };
            }
          },
        }
      : {}),
    ...(approval
      ? {
          approver: {
            decision: approval.decision,
            afterMs: approval.afterSec * 1000,
            by: APPROVER,
            ...(approval.decision === 'reject' ? { reason: 'chaos: the on-call says no' } : {}),
          },
        }
      : {}),
    ...(c.crashAfter ? { crashAfter: { ...c.crashAfter } } : {}),
  };
}
