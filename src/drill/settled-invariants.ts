import { DEFAULT_LOCK_TABLE } from '../aws/lock.js';
import type { FailoverPlan } from '../plan/schema.js';
import type { OwnersScalingActivity } from '../sim/autoscaling.js';
import type { ApiCallRecord, CloudSnapshot, SimOptions, SimulatedCloud } from '../sim/cloud.js';
import type { InvariantResult, Problem } from './invariants.js';
import type { DrillResult, ExecutionRun } from './run-drill.js';

/**
 * The invariants that judge where the cloud ended up, from DESIGN.md's "Rules learned the hard
 * way": never leave it worse, success means served, the report tells the truth, no lock left
 * behind in silence. Like the others they read the simulated cloud (its snapshots and its API
 * call log), never the orchestrator's own account, except where the account itself is judged.
 *
 * They look at the cloud once it has settled: every execution ended, then SETTLE_MS more of
 * virtual time, so a DNS change in flight reaches the name servers and a call left running
 * after a step gave up lands (or not) before the verdict.
 */

export const SETTLE_MS = 15 * 60_000;

/** Calls that change the failover's resources (the lock table, metrics and notifications do not). */
export const MUTATING_COMMAND =
  /^(UpdateService|RegisterScalableTarget|FailoverGlobalCluster|SwitchoverGlobalCluster|RemoveFromGlobalCluster|ChangeResourceRecordSets|UpdateRoutingControlStates?)$/;

/** What the checks need of a snapshot: who writes, what runs where, what DNS answers. */
export type CloudState = Pick<CloudSnapshot, 'at' | 'database' | 'services' | 'dns'> &
  Partial<Pick<CloudSnapshot, 'databases'>>;

/** Every database of a state (a state recorded before `databases` existed has its one `database`). */
export function databasesIn(state: Pick<CloudState, 'database' | 'databases'>): CloudSnapshot['databases'] {
  return state.databases ?? [state.database];
}

/** Every state the cloud went through, from cloud.onChange: the state in force at any instant. */
export function recordCloud(cloud: SimulatedCloud): { states: CloudState[]; stop: () => void } {
  const keep = ({ at, database, databases, services, dns }: CloudSnapshot): CloudState => ({
    at,
    database,
    databases,
    services,
    dns,
  });
  const states = [keep(cloud.snapshot())];
  const stop = cloud.onChange((snapshot) => states.push(keep(snapshot)));
  return { states, stop };
}

/** The state in force at `atMs`: the last one recorded at or before it. */
export function stateAt(states: readonly CloudState[], atMs: number): CloudState | undefined {
  let found: CloudState | undefined;
  for (const state of states) if (Date.parse(state.at) <= atMs) found = state;
  return found;
}

/** Runs the drill's virtual clock SETTLE_MS on, before the real clock is given back. */
export async function settle(result: DrillResult): Promise<void> {
  const later = new Promise<void>((resolve) => setTimeout(resolve, SETTLE_MS));
  await result.clock.runUntilSettled(later, SETTLE_MS + 60_000);
}

const fqdn = (name: string) => `${name.replace(/\.$/, '')}.`.toLowerCase();

/**
 * Per plan record, the regions the authoritative name servers send clients to: the regions of
 * the records they answer with (matched by set identifier, or by value for a simple record).
 * A weighted record of weight 0 is not answered while another has weight; when all have 0,
 * Route 53 answers each with equal probability. The simulator lists only what is answered (no
 * unhealthy record, no SECONDARY while its PRIMARY is healthy), which the weights rule leaves alone.
 */
export function answeredRegions(dns: CloudSnapshot['dns'], plan: FailoverPlan): string[][] {
  const regions = [plan.regions.primary, plan.regions.standby];
  return plan.dns.records.map((record) => {
    const sets = dns.filter(
      (d) =>
        d.hostedZoneId.replace(/^\/hostedzone\//, '') === record.hostedZoneId &&
        fqdn(d.name) === fqdn(record.name) &&
        d.type === record.type,
    );
    const weighted = sets.filter((d) => (d.weight ?? 0) > 0);
    const answered = sets.some((d) => d.weight !== null) && weighted.length > 0 ? weighted : sets;
    return regions.filter((r) =>
      answered.some((d) =>
        d.setIdentifier !== null && record.setIdentifier
          ? d.setIdentifier === record.setIdentifier[r]
          : d.value === record.value[r],
      ),
    );
  });
}

/** Every plan record sends clients to `region` and nowhere else. */
export function answersOnly(dns: CloudSnapshot['dns'], plan: FailoverPlan, region: string): boolean {
  return answeredRegions(dns, plan).every((rs) => rs.length === 1 && rs[0] === region);
}

/** Plan services with no running task in `region`. */
function idleServices(state: CloudState, plan: FailoverPlan, region: string): string[] {
  return plan.services
    .filter((svc) => {
      const found = state.services.find(
        (s) => s.region === region && s.cluster === svc.cluster[region] && s.service === svc.service[region],
      );
      return (found?.running ?? 0) === 0;
    })
    .map((svc) => svc.name);
}

/** The regions of every database's writer(s) (one database: its writer regions). */
const writers = (state: CloudState) => [
  ...new Set(databasesIn(state).flatMap((db) => db.members.filter((m) => m.isWriter).map((m) => m.region))),
];
/** Who writes where, database by database: what a complete rollback must leave as found. */
const writersByDatabase = (state: CloudState) =>
  databasesIn(state)
    .map((db) => `${db.globalClusterIdentifier}:${db.members.filter((m) => m.isWriter).map((m) => m.region)}`)
    .join(' ');
/**
 * Where the databases that moved went (undefined: nowhere single, or not all to one region), and
 * the databases left writing elsewhere. One database: its new writer, as it always was judged.
 */
function movedWriter(
  before: CloudState,
  settled: CloudState,
): { writer: string | undefined; behind: { id: string; regions: string[] }[] } {
  const regionsOf = (db: CloudSnapshot['database']) =>
    db.members.filter((m) => m.isWriter).map((m) => m.region);
  const pairs = databasesIn(settled).map((db) => {
    const earlier =
      databasesIn(before).find((b) => b.globalClusterIdentifier === db.globalClusterIdentifier) ?? db;
    return { id: db.globalClusterIdentifier, was: regionsOf(earlier), now: regionsOf(db) };
  });
  const moved = pairs.filter((p) => p.now.length !== p.was.length || p.now.some((r) => !p.was.includes(r)));
  const targets = moved.map((p) => {
    const fresh = p.now.filter((r) => !p.was.includes(r));
    return fresh.length === 1 ? fresh[0] : p.now.length === 1 ? p.now[0] : undefined;
  });
  const writer = targets.every((t) => t !== undefined && t === targets[0]) ? targets[0] : undefined;
  const behind = pairs
    .filter((p) => !moved.includes(p) && !(p.now.length === 1 && p.now[0] === writer))
    .map((p) => ({ id: p.id, regions: p.now }));
  return { writer, behind };
}
const failoverStates = (state: CloudState) =>
  databasesIn(state)
    .filter((db) => db.failoverState)
    .map((db) =>
      databasesIn(state).length > 1 ? `${db.globalClusterIdentifier} ${db.failoverState}` : db.failoverState,
    )
    .join(', ');

const serviceKey = (s: CloudSnapshot['services'][number]) => `${s.region}/${s.cluster}/${s.service}`;
const serviceFacts = (s: CloudSnapshot['services'][number]) =>
  JSON.stringify({ desired: s.desired, min: s.minCapacity, suspended: s.suspended ?? null });
const dnsKey = (d: CloudSnapshot['dns'][number]) =>
  `${d.hostedZoneId} ${fqdn(d.name)} ${d.type}${d.setIdentifier === null ? '' : ` ${d.setIdentifier}`}`;
const dnsFacts = (d: CloudSnapshot['dns'][number] | undefined) =>
  d ? `${d.value}${d.weight === null ? '' : ` weight ${d.weight}`}` : 'absent';

/** What differs between two states' services (only in `region` when given): desired, minimum, suspension. */
function servicesChanged(
  before: CloudState,
  after: CloudState,
  region?: string,
  ownersScaling: readonly OwnersScaling[] = [],
): string[] {
  const changed: string[] = [];
  const from = Date.parse(before.at);
  for (const was of before.services) {
    if (region !== undefined && was.region !== region) continue;
    const now = after.services.find((s) => serviceKey(s) === serviceKey(was));
    // The owner's own scaler acted since: a scheduled action set the bounds (and so the count),
    // target tracking moved the count. Only what the orchestrator alone changes is compared.
    const acted = ownersScaling.filter((o) => o.service === serviceKey(was) && o.at >= from);
    const facts = acted.some((o) => o.kind === 'scheduled-action')
      ? suspendedFacts
      : acted.length > 0
        ? boundsFacts
        : serviceFacts;
    if (!now || facts(now) !== facts(was))
      changed.push(`${serviceKey(was)} ${serviceFacts(was)} -> ${now ? serviceFacts(now) : 'absent'}`);
  }
  return changed;
}

/** A scaling activity of the owner's scaler: not the orchestrator's change. */
export type OwnersScaling = OwnersScalingActivity;
const suspendedFacts = (s: CloudSnapshot['services'][number]) => JSON.stringify(s.suspended ?? null);
const boundsFacts = (s: CloudSnapshot['services'][number]) =>
  JSON.stringify({ min: s.minCapacity, suspended: s.suspended ?? null });

/** What differs between two states' DNS answers. */
function dnsChanged(before: CloudState, after: CloudState): string[] {
  const keys = new Set([...before.dns.map(dnsKey), ...after.dns.map(dnsKey)]);
  const changed: string[] = [];
  for (const key of keys) {
    const was = dnsFacts(before.dns.find((d) => dnsKey(d) === key));
    const now = dnsFacts(after.dns.find((d) => dnsKey(d) === key));
    if (was !== now) changed.push(`${key}: ${was} -> ${now}`);
  }
  return changed;
}

const verdict = (name: InvariantResult['name'], problems: Problem[], held: string): InvariantResult => ({
  name,
  held: problems.length === 0,
  detail: problems.length === 0 ? held : problems.map((p) => `[${p.kind}] ${p.detail}`).join('; '),
  problems,
});

/** What never-worse needs to know besides the two states. */
export interface NeverWorseContext {
  /** Regions whose APIs were unreachable when the cloud settled: nobody can change them now. */
  unreachableRegions: readonly string[];
  /** Every execution's "what a human must still do". */
  actions: readonly string[];
  /** Some execution's report says its recovery is incomplete: a human has it now. */
  handedOver?: boolean;
  /** The owner's own scaling activities meanwhile (scheduled actions, target tracking). */
  ownersScaling?: readonly OwnersScaling[];
}

/**
 * never-worse. If the writer did not move, everything an execution may touch (desired counts,
 * autoscaling minimums and suspensions, DNS answers) is as found. If it moved, traffic followed
 * it: the name servers send clients to the new writer's region only, and every plan service
 * runs tasks there (even short of its active count: rolling forward to partial capacity is
 * allowed, serving nowhere is not).
 *
 * Two cases the orchestrator cannot settle itself, judged on what it hands over instead:
 * - a failover Aurora is still carrying out (a FailoverState at the end): nobody can cancel it,
 *   and the target's capacity and traffic may be what it needs when it finishes, so only the
 *   hand-over is judged: a report must say the writer is still moving;
 * - a region whose APIs are still unreachable: what was changed there can only be undone when it
 *   answers, so the reports must hand the exact commands over (`--region <that region>`).
 */
export function neverWorse(
  plan: FailoverPlan,
  before: CloudState,
  settled: CloudState,
  context: NeverWorseContext = { unreachableRegions: [], actions: [] },
): InvariantResult {
  const problems: Problem[] = [];
  const was = writers(before);
  const now = writers(settled);
  const moved = now.length !== was.length || now.some((r) => !was.includes(r));
  const inFlight = failoverStates(settled) ? ` (failover state ${failoverStates(settled)})` : '';
  if (!moved && inFlight) {
    // Aurora is still carrying a move out: nobody can cancel it, and the orchestrator must not
    // undo the target's capacity or the traffic it may be about to need. It must hand over.
    const handedOver = context.handedOver === true || context.actions.some((a) => a.includes('still moving'));
    if (!handedOver)
      problems.push({
        kind: 'move-in-flight-not-handed-over',
        detail: `writer still ${was.join(', ')}${inFlight}, and no report hands it over (recovery complete everywhere)`,
      });
    return verdict('never-worse', problems, `writer still moving${inFlight}: handed over to a human`);
  }
  if (!moved) {
    // The source (the region that wrote at the start) left changed may mean nobody serves; the
    // other region left changed (scaled up) wastes capacity. Two classes.
    for (const [kind, inSource] of [
      ['source-ecs-not-as-found', true],
      ['target-ecs-not-as-found', false],
    ] as const) {
      const ecs = servicesChanged(before, settled, undefined, context.ownersScaling).filter(
        (change) => was.some((region) => change.startsWith(`${region}/`)) === inSource,
      );
      // Nobody could restore it: its region is still unreachable, or the orchestrator's own region
      // was dark for longer than recovery may wait (the report says so); either way the report
      // must hand the exact restore commands over.
      const ownRegionDark =
        context.handedOver === true &&
        context.actions.some((a) => a.includes('the writer could not be read for'));
      const handedOver = (change: string) => {
        const region = change.slice(0, change.indexOf('/'));
        return (
          (context.unreachableRegions.includes(region) || ownRegionDark) &&
          context.actions.some((a) => a.includes(`--region ${region}`) && a.includes('update-service'))
        );
      };
      const unsettled = ecs.filter((change) => !handedOver(change));
      if (unsettled.length > 0)
        problems.push({ kind, detail: `writer still ${was.join(', ')}, but ${unsettled.join('; ')}` });
    }
    // Route 53's control plane is served from us-east-1: while that is unreachable, a record can
    // only be put back by a human, with the change batch the report hands over.
    const dnsHandedOver =
      context.unreachableRegions.includes('us-east-1') &&
      context.actions.some((a) => a.includes('change-resource-record-sets'));
    const dns = dnsHandedOver ? [] : dnsChanged(before, settled);
    if (dns.length > 0)
      problems.push({
        kind: 'dns-not-as-found',
        detail: `writer still ${was.join(', ')}${inFlight}, but ${dns.join('; ')}`,
      });
    return verdict(
      'never-worse',
      problems,
      inFlight
        ? `writer did not move yet${inFlight}: DNS as found, ECS left for the move Aurora is finishing`
        : 'writer did not move; ECS and DNS as found (or handed over for an unreachable region)',
    );
  }
  const { writer, behind } = movedWriter(before, settled);
  if (writer === undefined) {
    problems.push({
      kind: 'no-writer',
      detail: `writer was ${was.join(', ') || 'none'}, is now ${now.join(', ') || 'none'}${inFlight}`,
    });
    return verdict('never-worse', problems, '');
  }
  // With Route 53's control plane still silent, only a human can move record-upsert records
  // once it answers: the orchestrator must have handed the exact change over.
  // The new writer's own region went dark after the move: the orchestrator runs there and its
  // lock table with it, so it must not act (it cannot prove it holds the lock); a report that
  // hands the recovery over is all it can do.
  // The same when it was dark for longer than recovery may wait (the report says so).
  const writerRegionDark =
    context.handedOver === true &&
    (context.unreachableRegions.includes(writer) ||
      context.actions.some((a) => a.includes('the writer could not be read for')));
  // Several databases: one left writing in the old region while the others moved is a split.
  // Only a human can finish it (the orchestrator rolled forward as far as it could): the reports
  // must name each such database ("Database X still writes in ...") or say it is still moving;
  // or, when the new writer's region went dark, hand the whole recovery over (nothing was readable).
  for (const db of behind) {
    const handedOver =
      writerRegionDark ||
      context.actions.some(
        (a) =>
          (a.includes(`Database ${db.id} still writes in`) || a.includes('still moving')) &&
          a.includes(db.id),
      );
    if (!handedOver)
      problems.push({
        kind: 'split-writers',
        detail: `${db.id} writes in ${db.regions.join(', ') || 'no region'} while the others moved to ${writer}, and no report hands it over`,
      });
  }
  const dnsHandedOver =
    writerRegionDark ||
    (context.unreachableRegions.includes('us-east-1') &&
      context.actions.some((a) => a.includes('change-resource-record-sets') && a.includes(writer)));
  if (!dnsHandedOver && !answersOnly(settled.dns, plan, writer)) {
    const answered = answeredRegions(settled.dns, plan).map((rs) => rs.join('+') || 'nowhere');
    problems.push({
      kind: 'dns-not-at-writer',
      detail: `writer moved to ${writer}, DNS answers send clients to ${answered.join(', ')}`,
    });
  }
  const idle = idleServices(settled, plan, writer);
  if (idle.length > 0)
    problems.push({
      kind: 'writer-not-running',
      detail: `writer moved to ${writer}, where ${idle.join(', ')} run no task`,
    });
  return verdict(
    'never-worse',
    problems,
    dnsHandedOver
      ? `writer moved to ${writer}; tasks followed it, DNS handed over to a human (the orchestrator could not move it)`
      : `writer moved to ${writer}; DNS and tasks followed it`,
  );
}

/**
 * success-means-served. An execution that reports 'succeeded' was served from its target at
 * its `verifiedAt`: the name servers sent clients there only, the target was a writer taking
 * writes, and every plan service ran tasks there. ('partial' is judged by never-worse.)
 */
export function successMeansServed(
  plan: FailoverPlan,
  executions: readonly ExecutionRun[],
  states: readonly CloudState[],
): InvariantResult {
  const problems: Problem[] = [];
  let judged = 0;
  for (const e of executions) {
    const report = e.report;
    if (report?.outcome !== 'succeeded') continue;
    judged++;
    const target = report.targetRegion ?? '';
    if (!report.verifiedAt) {
      problems.push({ kind: 'no-verified-at', detail: `${e.name}: succeeded with no verifiedAt` });
      continue;
    }
    const state = stateAt(states, Date.parse(report.verifiedAt));
    if (!state) continue;
    const at = `${e.name} at ${report.verifiedAt}`;
    if (!answersOnly(state.dns, plan, target)) {
      const answered = answeredRegions(state.dns, plan).map((rs) => rs.join('+') || 'nowhere');
      problems.push({
        kind: 'dns-not-at-target',
        detail: `${at}: DNS answers send clients to ${answered.join(', ')}, not ${target} only`,
      });
    }
    // Every database: a success with one database left behind is not served.
    for (const db of databasesIn(state)) {
      const member = db.members.find((m) => m.region === target);
      if (member?.isWriter && member.acceptsWrites) continue;
      const named = databasesIn(state).length > 1 ? `${db.globalClusterIdentifier}: ` : '';
      const writing = db.members.filter((m) => m.isWriter).map((m) => m.region);
      problems.push({
        kind: 'target-not-writer',
        detail: `${at}: ${named}${target} is not the writer (writers: ${writing.join(', ') || 'none'}${db.failoverState ? `, ${db.failoverState}` : ''})`,
      });
    }
    const idle = idleServices(state, plan, target);
    if (idle.length > 0)
      problems.push({
        kind: 'target-not-running',
        detail: `${at}: ${idle.join(', ')} run no task in ${target}`,
      });
  }
  return verdict(
    'success-means-served',
    problems,
    judged === 0 ? 'no execution succeeded: not applicable' : `${judged} success(es) served at verifiedAt`,
  );
}

interface Window {
  execution: ExecutionRun;
  start: number;
  /** When its report was written (the report function's last successful run); null when none. */
  reportAt: number | null;
  end: number;
  /** Its report does not say "nothing changed". */
  acting: boolean;
}

/** Reports that say nothing was changed: no-action, dry-run, not-approved, suppressed, refused by readiness. */
function saysNothingChanged(report: ExecutionRun['report']): boolean {
  if (!report) return false;
  if (['no-action', 'dry-run', 'not-approved', 'suppressed'].includes(report.outcome)) return true;
  return report.outcome === 'failed' && report.readiness.ready === false;
}

function windowOf(execution: ExecutionRun): Window {
  const start = Date.parse(execution.startedAt);
  const reports = execution.records.filter(
    (r) => r.functionName === 'report' && r.outcome.kind === 'succeeded',
  );
  return {
    execution,
    start,
    reportAt: reports.at(-1)?.endedAt ?? null,
    end: Math.max(start, ...execution.records.map((r) => r.endedAt)),
    acting: !saysNothingChanged(execution.report),
  };
}

/** The new report fields (src/report/types.ts), read as optional until every report has them. */
interface RecoveryFacts {
  kind?: string;
  complete?: boolean;
}
interface LockFacts {
  state?: string;
  freeCommand?: string | null;
}
const recoveryOf = (report: ExecutionRun['report']) =>
  (report as { recovery?: RecoveryFacts } | null)?.recovery;
const lockOf = (report: ExecutionRun['report']) => (report as { lock?: LockFacts } | null)?.lock;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * report-matches-cloud: what a report says changed, or did not, is true.
 *
 * Checked: (1) no mutating call succeeds once every execution that could have sent it has
 * reported (a bounded call that went on after its step gave up); (2) an execution whose report
 * says nothing changed (no-action, dry-run, not-approved, suppressed, refused by readiness) sent
 * no successful mutating call while it ran alone; (3) a fencing entry 'fenced' for an ECS service
 * has a successful UpdateService or RegisterScalableTarget on that service during that execution;
 * (4) a rollback reported complete left the source as that execution found it (writer, the source
 * region's desired counts, minimums and suspensions, DNS answers), judged once settled; (5) an ECS
 * service reported 'fenced' stays at desiredCount 0 in every state from the end of that fence
 * until the cloud has settled (fencing that lasts: its own scaler, by a scheduled action or a
 * scale-out, must not bring it back, even for a while), unless that execution rolled back (which
 * un-fences on purpose) or a later acting execution ran (a failback).
 *
 * Not checked (not mechanical from the call log): which execution sent a call when two acting
 * ones overlap, and so a rollback beside or before another acting execution; 'unconfirmed' and
 * 'already' fencing entries; the Aurora fencing entry; a
 * roll-forward's completeness (never-worse judges where traffic went); the actions and summary
 * texts; RTO and RPO figures.
 */
export function reportMatchesCloud(
  executions: readonly ExecutionRun[],
  calls: readonly ApiCallRecord[],
  states: readonly CloudState[],
  settled: CloudState,
  ownersScaling: readonly OwnersScaling[] = [],
): InvariantResult {
  const problems: Problem[] = [];
  const windows = executions.map(windowOf);
  const changes = calls.filter((c) => MUTATING_COMMAND.test(c.command) && c.outcome === 'ok');

  for (const c of changes) {
    const landed = c.at + c.durationMs;
    const running = windows.filter((w) => w.start <= landed && w.end >= c.at);
    if (running.some((w) => w.acting)) continue;
    const endedBefore = windows.filter((w) => w.end < c.at);
    const call = `${c.command} in ${c.region}${c.resource ? ` on ${c.resource}` : ''} succeeded at ${iso(landed)}`;
    if (running.length === 0 || endedBefore.length > 0) {
      const last = endedBefore.at(-1) ?? windows.at(-1);
      problems.push({
        kind: 'changed-after-report',
        detail: `${call}, after ${last?.execution.name ?? 'every execution'} reported (${last?.reportAt ? iso(last.reportAt) : 'no report'})`,
      });
    } else {
      problems.push({
        kind: 'non-acting-changed',
        detail: `${call} while only ${running.map((w) => `${w.execution.name} (${w.execution.report?.outcome})`).join(', ')} ran`,
      });
    }
  }

  for (const w of windows) {
    const report = w.execution.report;
    if (!report) continue;
    const until = w.reportAt ?? w.end;
    // From the end of the fence that reported it: the service is fenced from then on.
    const fencedAt = Math.max(
      w.start,
      ...w.execution.records
        .filter((r) => r.functionName === 'fenceOldPrimary' && r.outcome.kind === 'succeeded')
        .map((r) => r.endedAt),
    );
    const unfencedOnPurpose =
      recoveryOf(report)?.kind === 'rolled-back' ||
      w.execution.records.some((r) => r.functionName === 'rollBack') ||
      windows.some((o) => o !== w && o.acting && o.start > w.start);
    for (const f of report.fencing) {
      if (f.outcome !== 'fenced') continue;
      const where = /^ecs ([^/]+)\/(.+)$/.exec(f.resource);
      if (!where) continue;
      const [, region, service] = where;
      const sent = changes.some(
        (c) =>
          (c.command === 'UpdateService' || c.command === 'RegisterScalableTarget') &&
          c.region === region &&
          c.resource === `service/${service}` &&
          c.at >= w.start &&
          c.at <= until,
      );
      if (!sent)
        problems.push({
          kind: 'fenced-without-call',
          detail: `${w.execution.name}: reports ${f.resource} fenced, but no UpdateService or RegisterScalableTarget on it succeeded`,
        });
      if (!unfencedOnPurpose) {
        const raised = [...states.filter((st) => Date.parse(st.at) >= fencedAt), settled]
          .map((st) => ({
            at: st.at,
            svc: st.services.find((x) => `${x.region}/${x.cluster}/${x.service}` === `${region}/${service}`),
          }))
          .find(({ svc }) => (svc?.desired ?? 0) > 0);
        if (raised)
          problems.push({
            kind: 'fence-undone',
            detail: `${w.execution.name}: reports ${f.resource} fenced, but at ${raised.at} its desiredCount was ${raised.svc?.desired} (autoscaling min ${raised.svc?.minCapacity ?? '-'})`,
          });
      }
    }

    // A rollback is judged only when no other acting execution ran beside it or after it: their
    // changes cannot be told apart from what the rollback left.
    const recovery = recoveryOf(report);
    const others = windows.filter((o) => o !== w && o.acting && o.end >= w.start);
    if (recovery?.kind === 'rolled-back' && recovery.complete === true && others.length === 0) {
      const found = stateAt(states, w.start) ?? states[0];
      const state = settled;
      if (!found) continue;
      const source = report.sourceRegion ?? undefined;
      const differences = [
        ...(writersByDatabase(state) === writersByDatabase(found)
          ? []
          : [`writer ${writersByDatabase(found)} -> ${writersByDatabase(state) || 'none'}`]),
        ...servicesChanged(found, state, source, ownersScaling),
        ...dnsChanged(found, state),
      ];
      if (differences.length > 0)
        problems.push({
          kind: 'rollback-not-as-found',
          detail: `${w.execution.name}: reports a complete rollback, but ${differences.join('; ')}`,
        });
    }
  }
  return verdict(
    'report-matches-cloud',
    problems,
    `${changes.length} change(s) sent, each while an acting execution ran; fencing (still holding) and rollbacks as reported`,
  );
}

/**
 * no-silent-lock: once every execution has ended, each region's lock item is gone, in
 * cool-down, or still held by an execution whose report says so and gives the command that
 * frees it.
 */
export function noSilentLock(executions: readonly ExecutionRun[], settled: CloudSnapshot): InvariantResult {
  const problems: Problem[] = [];
  let items = 0;
  for (const table of settled.tables.filter((t) => t.table === DEFAULT_LOCK_TABLE)) {
    for (const item of table.items) {
      items++;
      if (item.state !== 'held') continue;
      const holder = String(item.holder);
      const execution = executions.find((e) => e.name === holder);
      const lock = lockOf(execution?.report ?? null);
      if (lock?.state === 'held' && lock.freeCommand) continue;
      problems.push({
        kind: execution?.report ? 'held-silently' : 'held-no-report',
        detail: `${table.region}: lock on ${String(item.plan)} still held by ${holder} (token ${String(item.token)}); ${
          execution?.report
            ? `its report says ${lock ? `lock ${lock.state}${lock.freeCommand ? '' : ' with no command to free it'}` : 'nothing about the lock'}`
            : 'it left no report'
        }`,
      });
    }
  }
  return verdict('no-silent-lock', problems, `${items} lock item(s), none held in silence`);
}

/**
 * Regions nobody can change ECS (or, for us-east-1, Route 53 records) in at `at`: their APIs
 * unreachable, or their ECS, Application Auto Scaling or Route 53 endpoint (or every one) blackholed.
 */
function unreachableAt(
  plan: FailoverPlan,
  options: Pick<SimOptions, 'incidents' | 'blackholes'>,
  at: number,
): string[] {
  const covers = (w: { from: number; to?: number }) => w.from <= at && (w.to === undefined || w.to > at);
  return [plan.regions.primary, plan.regions.standby].filter(
    (region) =>
      (options.incidents ?? []).some(
        (i) => i.region === region && i.kind === 'apis-unreachable' && covers(i),
      ) ||
      (options.blackholes ?? []).some(
        (b) =>
          b.region === region &&
          (b.service === undefined || ['ecs', 'autoscaling', 'route53'].includes(b.service)) &&
          covers(b),
      ),
  );
}

/** When the last execution's last step ended. */
function lastEnd(executions: readonly ExecutionRun[]): number {
  return Math.max(...executions.map((e) => windowOf(e).end));
}

/** The four settled-cloud invariants, in INVARIANTS order. */
export function settledInvariants(
  plan: FailoverPlan,
  result: DrillResult,
  states: readonly CloudState[],
  calls: readonly ApiCallRecord[],
  settled: CloudSnapshot,
): InvariantResult[] {
  const before = states[0] ?? result.before;
  return [
    neverWorse(plan, before, settled, {
      // Unreachable now, or when the last execution stopped: nothing acts after it, so a region
      // that came back later is still a human's to put right, with the commands handed over.
      unreachableRegions: [
        ...new Set([
          ...unreachableAt(plan, result.cloud.options, Date.parse(settled.at)),
          ...unreachableAt(plan, result.cloud.options, lastEnd(result.executions)),
        ]),
      ],
      actions: result.executions.flatMap((e) => e.report?.actions ?? []),
      handedOver: result.executions.some((e) => e.report?.recovery.complete === false),
      ownersScaling: result.cloud.ownersScaling(),
    }),
    successMeansServed(plan, result.executions, states),
    reportMatchesCloud(result.executions, calls, states, settled, result.cloud.ownersScaling()),
    noSilentLock(result.executions, settled),
  ];
}
