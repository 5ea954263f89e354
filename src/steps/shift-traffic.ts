import type { z } from 'zod';
import { STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import { changeRecords } from '../aws/route53.js';
import { readPlanRecords, viaControlPlane } from '../aws/route53-control-plane.js';
import { decideShift, type RecordShift, upsertsByZone } from '../decisions/traffic.js';
import { ControlPlaneUnavailableError, SafetyRuleRefusedError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { DnsRecordPlan } from '../plan/schema.js';
import { event, type Facts, type TimelineEvent } from '../timeline/types.js';
import {
  describeControls,
  describeRecords,
  describeRefusal,
  inOneCall,
  planControlCalls,
  refusingRule,
  waitBetweenCallsMs,
  wantedControls,
} from '../traffic-modes/decision.js';
import { describeTried, readControlStates, updateControlStates } from '../traffic-modes/routing-control.js';
import type { ShiftOutput, shiftInput } from './contracts.js';
import { isDryRun, wouldDo } from './dry-run.js';
import type { FailoverRequest } from './request.js';
import { clusterContext } from './routing-controls.js';

type RecordEntry = ShiftOutput['records'][number];
const STEP = 'shift-traffic';

/**
 * Points the plan's DNS records at the target region, each the way the plan says (its `shift`):
 *
 *   routing-control  target control On, then source control Off, through Route 53 ARC's data
 *                    plane (any of the cluster's five regional endpoints); read first, only
 *                    what is not already as wanted is sent
 *   health-check     nothing to send: the records' own health checks move them
 *   record-upsert    read through Route 53's control plane, UPSERT what does not already point
 *                    at the target, one change batch per hosted zone
 *
 * The data plane goes first: it needs nothing from us-east-1. CheckTraffic then waits until the
 * name servers answer the target (and, for record-upsert, the batches are INSYNC).
 *
 * A safety rule refusing the routing control change stops here with SafetyRuleRefusedError
 * naming the rule; nothing more is sent (an earlier call of a two-call change stays, and the
 * message says so). The overrides a human's manual start names go with the call, on the record.
 *
 * A dry run reads the same way and decides the same changes, but sends none: each record a real
 * run would change is recorded as `changed` with no change id, and CheckTraffic has nothing to
 * wait for.
 */
export async function shiftTraffic(input: z.infer<typeof shiftInput>, deps: StepDeps): Promise<ShiftOutput> {
  const { request } = input;
  const now = deps.now();
  // One time budget for every call of this invocation, inside the Lambda timeout.
  const stepDeadline = Date.now() + STEP_RETRY_BUDGET_MS;
  const records = deps.plan.dns.records;
  const deadline = new Date(now.getTime() + deps.plan.timeouts.dnsSyncSeconds * 1000).toISOString();

  const controls = await shiftRoutingControls(request, deps, stepDeadline);
  const upserts = await shiftByUpsert(request, deps, stepDeadline, controls.changedRecords);
  // By plan index: two records may share a name (a public and a private zone).
  const entries = new Map<number, RecordEntry>([...controls.entries, ...upserts.entries]);
  const timeline = [...controls.timeline, ...healthCheckEvents(request, deps, now), ...upserts.timeline];

  return {
    records: records.map(
      (record, i): RecordEntry => entries.get(i) ?? { name: record.name, action: 'waiting', changeId: null },
    ),
    startedAt: now.toISOString(),
    deadline,
    // Every record counts, changed or not: an "already" record may have been moved by an earlier
    // attempt of this step moments ago, and clients still hold the old answer for its TTL.
    maxTtlSeconds: Math.max(0, upserts.maxTtlSeconds, ...records.map((r) => r.ttlSeconds)),
    ...(isDryRun(request) ? { dryRun: true as const } : {}),
    timeline,
  };
}

interface PartResult {
  /** Each handled record's entry, by its index in the plan. */
  entries: [number, RecordEntry][];
  timeline: TimelineEvent[];
}

/**
 *   read states ──▶ [plan's copy of the rules: refusal?] ──▶ target On ──(wait period)──▶ source Off
 *                                                          └────── one call when the plan allows ──┘
 */
async function shiftRoutingControls(
  request: FailoverRequest,
  deps: StepDeps,
  stepDeadline: number,
): Promise<PartResult & { changedRecords: string[] }> {
  const wanted = wantedControls(deps.plan, request.sourceRegion, request.targetRegion);
  const context = clusterContext(deps, request, STEP, stepDeadline - Date.now());
  if (wanted.length === 0 || !context) return { entries: [], timeline: [], changedRecords: [] };
  const rules = deps.plan.dns.routingControl?.safetyRules ?? [];
  const overrides = request.safetyRulesToOverride ?? [];
  const now = () => deps.now();

  const current = await readControlStates(
    context,
    wanted.map((w) => w.arn),
  );
  const calls = planControlCalls(wanted, current.value, inOneCall(deps.plan));
  const changedArns = new Set(calls.flat().map((c) => c.arn));
  const changedRecords = [...new Set(wanted.filter((w) => changedArns.has(w.arn)).flatMap((w) => w.records))];
  const entries = deps.plan.dns.records.flatMap((record, i): [number, RecordEntry][] =>
    record.shift.mode === 'routing-control'
      ? [
          [
            i,
            {
              name: record.name,
              action: changedRecords.includes(record.name) ? 'changed' : 'already',
              changeId: null,
            },
          ],
        ]
      : [],
  );
  const facts: Facts = { controls: describeControls(wanted), readOn: current.endpoint.region };
  if (calls.length === 0) {
    const message = `routing controls already ${describeControls(wanted)} (read on ${current.endpoint.region}): nothing to change`;
    return { entries, timeline: [event(now(), STEP, 'skipped', message, facts)], changedRecords };
  }

  if (isDryRun(request)) {
    const verdict = refusingRule(rules, current.value, calls, new Set(overrides));
    const timeline = calls.map((call, i) =>
      wouldDo(
        now(),
        STEP,
        `would set routing controls ${describeControls(call)} (call ${i + 1} of ${calls.length})`,
        {
          ...facts,
          set: describeControls(call),
        },
      ),
    );
    if (verdict) {
      timeline.push(
        event(now(), STEP, 'dry-run', `a real run would be refused: ${describeRefusal(verdict)}`, facts),
      );
    }
    return { entries, timeline, changedRecords };
  }

  const timeline: TimelineEvent[] = [];
  if (overrides.length > 0) {
    timeline.push(
      event(
        now(),
        STEP,
        'progress',
        `overriding Route 53 ARC safety rule(s) ${overrides.join(', ')}, as ${request.requestedBy}'s manual start asks`,
        { safetyRulesToOverride: overrides.join(' '), requestedBy: request.requestedBy },
      ),
    );
  }
  const done: string[] = [];
  for (const [i, call] of calls.entries()) {
    if (i > 0) {
      // A request against a rule's controls inside its wait period fails: let it pass first.
      const previous = calls[i - 1] ?? [];
      await new Promise((resolve) => setTimeout(resolve, waitBetweenCallsMs(rules, previous)));
    }
    try {
      const outcome = await updateControlStates(context, call, overrides);
      done.push(describeControls(call));
      const via = `${outcome.endpoint.region}${outcome.tried.length > 1 ? ` after ${describeTried(outcome.tried.slice(0, -1))}` : ''}`;
      const landed = outcome.landedEarlier ? ' (an earlier unanswered attempt had landed)' : '';
      timeline.push(
        event(now(), STEP, 'started', `routing controls set ${describeControls(call)} on ${via}${landed}`, {
          ...facts,
          set: describeControls(call),
          endpoint: outcome.endpoint.region,
          tried: describeTried(outcome.tried),
        }),
      );
    } catch (error) {
      if (!(error instanceof SafetyRuleRefusedError) || done.length === 0) throw error;
      throw new SafetyRuleRefusedError(
        `${error.message} Already set by an earlier call of this change: ${done.join('; ')}.`,
        error.ruleArn,
        { cause: error },
      );
    }
  }
  return { entries, timeline, changedRecords };
}

function healthCheckEvents(request: FailoverRequest, deps: StepDeps, now: Date): TimelineEvent[] {
  return deps.plan.dns.records
    .filter((r) => r.shift.mode === 'health-check')
    .map((record) =>
      event(
        now,
        STEP,
        'skipped',
        `${record.name} ${record.type} moves by its health checks: nothing to send; waiting for the name servers to answer ${request.targetRegion}`,
        { record: `${record.name} ${record.type}`, mode: 'health-check' },
      ),
    );
}

/** The record-upsert records: read through the control plane, UPSERT what has not moved. */
async function shiftByUpsert(
  request: FailoverRequest,
  deps: StepDeps,
  stepDeadline: number,
  movedOnDataPlane: readonly string[],
): Promise<PartResult & { maxTtlSeconds: number }> {
  const indexes = deps.plan.dns.records.flatMap((r, i) => (r.shift.mode === 'record-upsert' ? [i] : []));
  const records = indexes.map((i) => deps.plan.dns.records[i] as DnsRecordPlan);
  if (records.length === 0) return { entries: [], timeline: [], maxTtlSeconds: 0 };
  const now = deps.now();
  const route53 = deps.clients.route53();
  const plan = { ...deps.plan, dns: { ...deps.plan.dns, records } };
  const controlPlane = {
    plan,
    route53,
    sourceRegion: request.sourceRegion,
    targetRegion: request.targetRegion,
    mode: request.mode,
    deadline: stepDeadline,
  };
  try {
    const current = await readPlanRecords(plan, route53, request.sourceRegion, controlPlane);
    const shifts = records.map((record, i) =>
      decideShift(record, current[i] ?? [], request.sourceRegion, request.targetRegion),
    );
    const maxTtlSeconds = Math.max(0, ...shifts.map((s) => s.ttlSeconds));
    if (isDryRun(request)) {
      return {
        entries: shifts.map((shift, k) => [
          indexes[k] ?? k,
          {
            name: shift.record.name,
            action: shift.upserts.length > 0 ? 'changed' : 'already',
            changeId: null,
          },
        ]),
        maxTtlSeconds,
        timeline: shifts.map((shift) => {
          const label = `${shift.record.name} ${shift.record.type}`;
          const facts = {
            record: label,
            from: shift.from,
            to: shift.to,
            hostedZoneId: shift.record.hostedZoneId,
          };
          return shift.upserts.length > 0
            ? wouldDo(now, STEP, wouldUpsert(shift), facts)
            : alreadyThere(now, label, request.targetRegion, shift.from, facts);
        }),
      };
    }

    const comment = `failover ${request.executionName}: ${request.sourceRegion} -> ${request.targetRegion} (${request.mode})`;
    const zones = [...upsertsByZone(shifts)];
    const changeIds = new Map(
      await viaControlPlane(controlPlane, (abortSignal) =>
        Promise.all(
          zones.map(
            async ([zone, upserts]) =>
              [zone, await changeRecords(route53, zone, upserts, comment, { abortSignal })] as const,
          ),
        ),
      ),
    );
    const outcomes = shifts.map((shift) => ({
      shift,
      label: `${shift.record.name} ${shift.record.type}`,
      changeId: shift.upserts.length > 0 ? (changeIds.get(shift.record.hostedZoneId) ?? null) : null,
    }));
    return {
      entries: outcomes.map(({ shift, changeId }, k) => [
        indexes[k] ?? k,
        { name: shift.record.name, action: changeId ? 'changed' : 'already', changeId },
      ]),
      maxTtlSeconds,
      timeline: outcomes.map(({ shift, label, changeId }) => {
        const facts = { record: label, from: shift.from, to: shift.to, changeId };
        return changeId
          ? event(now, STEP, 'started', `${label}: ${shift.from} -> ${shift.to} (change ${changeId})`, facts)
          : alreadyThere(now, label, request.targetRegion, shift.from, facts);
      }),
    };
  } catch (error) {
    if (!(error instanceof ControlPlaneUnavailableError)) throw error;
    throw new ControlPlaneUnavailableError(
      `${error.message} Records with no data-plane path: ${describeRecords(records)}.${noteMoved(deps.plan.dns.records, movedOnDataPlane)}`,
      { cause: error },
    );
  }
}

function noteMoved(records: readonly DnsRecordPlan[], changed: readonly string[]): string {
  const dataPlane = records.filter((r) => r.shift.mode !== 'record-upsert');
  if (dataPlane.length === 0) return '';
  return ` Moved on the data plane: ${describeRecords(dataPlane)}${changed.length > 0 ? ` (changed now: ${changed.join(', ')})` : ''}.`;
}

/** "would UPSERT api.orders.example.com. weights orders-use1=0 orders-usw2=100": the record's end state. */
function wouldUpsert(shift: RecordShift): string {
  const { record } = shift;
  return record.routing === 'weighted'
    ? `would UPSERT ${record.name} weights ${shift.to}`
    : `would UPSERT ${record.name} ${record.type} ${shift.to} (was ${shift.from})`;
}

/** A record that needs no change: its own deliberate 'skipped' on the record. */
function alreadyThere(now: Date, label: string, target: string, current: string, facts: Facts) {
  return event(now, STEP, 'skipped', `${label} already points at ${target}: ${current}`, facts);
}
