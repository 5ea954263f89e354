import type { DatabaseOverrides, FaultRule, Incident, SimOptions } from '../../sim/types.js';
import {
  alarmEvent,
  type DrillScenario,
  type ScenarioContext,
  startInput,
  withRecordUpsert,
} from '../scenario-types.js';
import { EXTRA_DATABASES, withThreeDatabases } from '../scenarios/databases.js';
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
        ...auroraTrouble(c),
        ...(c.rpoLagMs === null ? {} : { rpoLagMs: c.rpoLagMs }),
        ...(c.blackholes.length > 0
          ? {
              blackholes: c.blackholes.map((b) => ({
                region: regionOf(ctx, b.region),
                ...(b.service === null ? {} : { service: b.service }),
                mode: b.mode,
                from: ctx.t0 + b.fromSec * 1000,
                ...(b.toSec === null ? {} : { to: ctx.t0 + b.toSec * 1000 }),
              })),
            }
          : {}),
        ...(c.globalReadLagSec === null ? {} : { globalClusterReadLagMs: c.globalReadLagSec * 1000 }),
        ...scalerPressure(c, ctx),
      };
    },
    ...(approval || drain || c.shift === 'record-upsert' || c.databases > 1
      ? {
          // biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
          plan: (raw: any) => {
            if (drain || c.shift === 'record-upsert') withRecordUpsert(raw);
            if (drain) raw.database.writesVia = 'global-writer-endpoint';
            if (c.databases > 1) withThreeDatabases(raw);
            if (approval) {
              raw.approval = {
                automatic: approval.automatic,
                timeoutSeconds: approval.timeoutSeconds,
                topicArn: `arn:aws:sns:${raw.regions.standby}:123456789012:failover-chaos-approvals`,
              };
            }
            if (drain) {
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

/**
 * The case's Aurora troubles: for every database of a one-database plan, for the last of three
 * (the others move cleanly, so a run rehearses a mixed outcome).
 */
function auroraTrouble(c: ChaosCase): Partial<SimOptions> {
  const trouble: DatabaseOverrides = {
    ...(c.promotionStuck ? { promotionStuck: true } : {}),
    ...(c.headlessStandby ? { headlessStandby: true } : {}),
    // A rolling minor upgrade upgrades the secondaries first (Aurora User Guide).
    ...(c.engineMismatch ? { engineVersions: { primary: '16.4', standby: '16.6' } } : {}),
    ...(c.promotionSec === null ? {} : { promotionMs: c.promotionSec * 1000 }),
  };
  if (c.databases === 1) return trouble;
  return Object.keys(trouble).length > 0 ? { databaseOverrides: { [LAST_DATABASE]: trouble } } : {};
}

/** The last of the three databases withThreeDatabases names. */
const LAST_DATABASE = `${EXTRA_DATABASES.at(-1)}-global`;

/** The case's scheduled action or load surge on the plan's first autoscaled service. */
function scalerPressure(
  c: ChaosCase,
  ctx: ScenarioContext,
): Pick<SimOptions, 'scheduledActions' | 'ecsDemand'> {
  const pressure = c.scalerPressure;
  const service = ctx.plan.services.find((s) => s.autoScaling)?.name;
  if (!pressure || !service) return {};
  const region = ctx.plan.regions[pressure.region];
  const at = ctx.t0 + pressure.atSec * 1000;
  return pressure.kind === 'scheduled-action'
    ? {
        scheduledActions: [
          { region, service, at, minCapacity: pressure.tasks, name: 'chaos-scheduled-scale-up' },
        ],
      }
    : { ecsDemand: [{ region, service, tasks: pressure.tasks, from: at }] };
}
