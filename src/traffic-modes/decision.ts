import type { DnsRecordPlan, FailoverPlan } from '../plan/schema.js';
import { DEFAULT_WAIT_PERIOD_MS, type SafetyRulePlan, type ShiftMode } from '../plan/traffic.js';
import { hash32, mulberry32 } from '../shared/prng.js';

/**
 * Traffic modes, decided in pure code: which records have a path that needs no control plane,
 * which routing control states a shift wants and in which calls, whether the plan's copy of the
 * safety rules lets it through, and in which order to try the cluster's endpoints.
 *
 *   decision.ts         this file (no AWS)
 *   routing-control.ts  the adapter: ARC's data-plane API over the cluster's regional endpoints
 *   simulated.ts        the drill's ARC cluster and Route 53 health checks
 */

/** Route 53's control plane (ChangeResourceRecordSets, GetChange) is served from here only. */
export const CONTROL_PLANE_REGION = 'us-east-1';

/** Modes that move a record with no Route 53 control-plane call. */
export const DATA_PLANE_MODES: readonly ShiftMode[] = ['routing-control', 'health-check'];

export function hasDataPlanePath(record: Pick<DnsRecordPlan, 'shift'>): boolean {
  return DATA_PLANE_MODES.includes(record.shift.mode);
}

export function recordsWithoutDataPlanePath(plan: Pick<FailoverPlan, 'dns'>): DnsRecordPlan[] {
  return plan.dns.records.filter((record) => !hasDataPlanePath(record));
}

/** "api.orders.example.com. (record-upsert)": records named with how they move. */
export function describeRecords(records: readonly DnsRecordPlan[]): string {
  return records.map((r) => `${r.name} (${r.shift.mode})`).join(', ');
}

/**
 * What `failover validate` warns about (a plan it still accepts). A primary in us-east-1 whose
 * records can only move by record-upsert: in a us-east-1 outage Route 53's control plane goes
 * with it, and those records will not move.
 */
export function trafficWarnings(plan: Pick<FailoverPlan, 'dns' | 'regions'>): string[] {
  if (plan.regions.primary !== CONTROL_PLANE_REGION) return [];
  return plan.dns.records.flatMap((record, i) =>
    hasDataPlanePath(record)
      ? []
      : [
          `dns.records[${i}] ${record.name} can only move by record-upsert, through Route 53's control plane in ${CONTROL_PLANE_REGION}, the primary region: in a ${CONTROL_PLANE_REGION} outage it will not move. Give it shift mode "routing-control" (ARC) or "health-check" (README, "Traffic shift modes").`,
        ],
  );
}

// ── routing controls ────────────────────────────────────────────────────────────────────

export type ControlState = 'On' | 'Off';

export interface WantedControl {
  arn: string;
  /** The plan region this control stands for. */
  region: string;
  state: ControlState;
  /** The plan records it steers. */
  records: string[];
}

export interface ControlChange {
  arn: string;
  state: ControlState;
  /** The plan region the control stands for, for the record; absent for a control no record uses. */
  region?: string;
}

/** ARC takes at most 10 routing control entries in one UpdateRoutingControlStates call. */
export const MAX_ENTRIES_PER_CALL = 10;

/**
 * The states a move wants: every routing-control record's target control On and source control
 * Off; a control several records share appears once. Target controls come first.
 */
export function wantedControls(
  plan: Pick<FailoverPlan, 'dns'>,
  sourceRegion: string,
  targetRegion: string,
): WantedControl[] {
  const wanted = new Map<string, WantedControl>();
  for (const record of plan.dns.records) {
    if (record.shift.mode !== 'routing-control') continue;
    for (const [region, state] of [
      [targetRegion, 'On'],
      [sourceRegion, 'Off'],
    ] as const) {
      const arn = record.shift.routingControlArns[region];
      if (!arn) continue;
      const entry = wanted.get(arn) ?? { arn, region, state, records: [] };
      entry.records.push(record.name);
      wanted.set(arn, entry);
    }
  }
  return [...wanted.values()].sort((a, b) => (a.state === b.state ? 0 : a.state === 'On' ? -1 : 1));
}

/** Every control the shift or the plan's safety rules name: what readiness reads before judging them. */
export function controlsToRead(plan: Pick<FailoverPlan, 'dns'>): string[] {
  const arns = plan.dns.records.flatMap((r) =>
    r.shift.mode === 'routing-control' ? Object.values(r.shift.routingControlArns) : [],
  );
  for (const rule of plan.dns.routingControl?.safetyRules ?? []) {
    arns.push(
      ...(rule.kind === 'assertion'
        ? rule.assertedControls
        : [...rule.gatingControls, ...rule.targetControls]),
    );
  }
  return [...new Set(arns)];
}

/** Every routing-control record allows target On and source Off in one call. */
export function inOneCall(plan: Pick<FailoverPlan, 'dns'>): boolean {
  return plan.dns.records.every((r) => r.shift.mode !== 'routing-control' || r.shift.oneCall);
}

/**
 * The UpdateRoutingControlStates calls to make, in order: only controls not already as wanted;
 * target On before source Off, in one call when the plan allows it (the safety rules then judge
 * the end state as one transaction), else the Ons in one call and the Offs in the next.
 */
export function planControlCalls(
  wanted: readonly WantedControl[],
  current: ReadonlyMap<string, ControlState>,
  oneCall: boolean,
): ControlChange[][] {
  const changes = wanted
    .filter((w) => current.get(w.arn) !== w.state)
    .map(({ arn, state, region }): ControlChange => ({ arn, state, region }));
  const groups = oneCall
    ? [changes]
    : [changes.filter((c) => c.state === 'On'), changes.filter((c) => c.state === 'Off')];
  return groups.flatMap((group) => chunks(group, MAX_ENTRIES_PER_CALL)).filter((call) => call.length > 0);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Controls whose state, read back from a cluster endpoint, is not the wanted one. */
export function controlsNotAsWanted(
  wanted: readonly WantedControl[],
  read: ReadonlyMap<string, ControlState>,
): (WantedControl & { actual: ControlState | 'unknown' })[] {
  return wanted
    .filter((w) => read.get(w.arn) !== w.state)
    .map((w) => ({ ...w, actual: read.get(w.arn) ?? 'unknown' }));
}

/** "us-west-2 (8a7b6c5d4e3f2a1b) On, us-east-1 (6f1e2d3c4b5a6978) Off": by region and ARN id. */
export function describeControls(
  controls: readonly { arn: string; state: string; region?: string }[],
): string {
  return controls
    .map((c) => `${c.region ? `${c.region} (${shortArn(c.arn)})` : shortArn(c.arn)} ${c.state}`)
    .join(', ');
}

export function shortArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

// ── safety rules (the plan's copy) ───────────────────────────────────────────────────────

/** ARC's rule configuration over a list of control states. */
export function ruleHolds(config: SafetyRulePlan['config'], states: readonly ControlState[]): boolean {
  const on = states.filter((s) => s === 'On').length;
  const result =
    config.type === 'AND' ? on === states.length : config.type === 'OR' ? on >= 1 : on >= config.threshold;
  return config.inverted ? !result : result;
}

export function describeRule(rule: SafetyRulePlan): string {
  const { type, threshold, inverted } = rule.config;
  const condition = `${inverted ? 'NOT ' : ''}${type === 'ATLEAST' ? `ATLEAST ${threshold}` : type}`;
  return rule.kind === 'assertion'
    ? `assertion rule "${rule.name}" (${condition} On of ${rule.assertedControls.map(shortArn).join(', ')})`
    : `gating rule "${rule.name}" (${condition} On of ${rule.gatingControls.map(shortArn).join(', ')} before ${rule.targetControls.map(shortArn).join(', ')} may change)`;
}

export interface RuleVerdict {
  rule: SafetyRulePlan;
  /** The call (0-based) it refuses, and what that call would change. */
  call: number;
  changes: ControlChange[];
  /** The states the rule judged, with the call applied: its asserted controls, or its gating controls. */
  judged: { arn: string; state: ControlState | 'unknown' }[];
}

/**
 * Would the plan's copy of the safety rules let these calls through, starting from `current`?
 * An assertion rule judges its controls' states after a call that changes one of them; a gating
 * rule judges its gating controls (with the call applied) when a call changes one of its
 * targets. A rule whose
 * controls were not all read is not judged (only what is read refuses), and overridden rules
 * are skipped. Returns the first refusal, or null.
 */
export function refusingRule(
  rules: readonly SafetyRulePlan[],
  current: ReadonlyMap<string, ControlState>,
  calls: readonly ControlChange[][],
  overridden: ReadonlySet<string> = new Set(),
): RuleVerdict | null {
  const states = new Map(current);
  for (const [index, changes] of calls.entries()) {
    const after = new Map(states);
    for (const c of changes) after.set(c.arn, c.state);
    for (const rule of rules) {
      if (overridden.has(rule.arn)) continue;
      const touched = (controls: readonly string[]) => changes.some((c) => controls.includes(c.arn));
      const judgedOn = rule.kind === 'assertion' ? rule.assertedControls : rule.gatingControls;
      if (!touched(rule.kind === 'assertion' ? rule.assertedControls : rule.targetControls)) continue;
      const judged = judgedOn.map((arn) => ({ arn, state: after.get(arn) ?? ('unknown' as const) }));
      if (judged.some((j) => j.state === 'unknown')) continue;
      if (
        !ruleHolds(
          rule.config,
          judged.map((j) => j.state as ControlState),
        )
      ) {
        return { rule, call: index, changes, judged };
      }
    }
    for (const [arn, state] of after) states.set(arn, state);
  }
  return null;
}

/**
 * How long to wait between two calls: the longest wait period of a rule the first call touched
 * (a request against a rule's controls inside its wait period fails), ARC's default otherwise.
 */
export function waitBetweenCallsMs(
  rules: readonly SafetyRulePlan[],
  changes: readonly ControlChange[],
): number {
  const touching = rules.filter((rule) => {
    const controls =
      rule.kind === 'assertion' ? rule.assertedControls : [...rule.targetControls, ...rule.gatingControls];
    return changes.some((c) => controls.includes(c.arn));
  });
  return Math.max(DEFAULT_WAIT_PERIOD_MS, ...touching.map((r) => r.waitPeriodMs));
}

/** What the operator may do when a safety rule refuses the shift: said the same way wherever it is. */
export function whatTheOperatorMayDo(ruleArn: string | null): string {
  const override = ruleArn
    ? `"safetyRulesToOverride": ["${ruleArn}"]`
    : '"safetyRulesToOverride": [<rule ARN>]';
  return (
    `A human may (1) check why the rule is there (ARC console, the control panel's safety rules) and, if it may be broken, start a manual failover whose start input adds ${override}; ` +
    '(2) change or delete the rule, then start again; or (3) set the routing controls by hand (aws route53-recovery-cluster update-routing-control-states, against any cluster endpoint). ' +
    'runbooks/arc-safety-rule.md'
  );
}

export function describeRefusal(verdict: RuleVerdict): string {
  const judged = verdict.judged.map((j) => `${shortArn(j.arn)} ${j.state}`).join(', ');
  return `${describeRule(verdict.rule)} [${verdict.rule.arn}] would refuse setting ${describeControls(verdict.changes)} (it would judge ${judged})`;
}

// ── endpoints ───────────────────────────────────────────────────────────────────────────

/**
 * The cluster's endpoints in a shuffled order, seeded so a retry of the same step and a drill
 * repeat it: executions spread their calls over the endpoints, and one that does not answer is
 * not every caller's first choice. AWS: any of the five may serve a call, and endpoints cycle
 * through maintenance, so a caller tries them in turn (ARC Developer Guide, routing control).
 */
export function endpointOrder<T>(endpoints: readonly T[], seed: string): T[] {
  const next = mulberry32(hash32(seed));
  const order = [...endpoints];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return order;
}
