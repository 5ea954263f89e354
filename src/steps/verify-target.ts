import type { z } from 'zod';
import { describeServiceRefs } from '../aws/ecs.js';
import { describeCluster, describeGlobalCluster } from '../aws/rds.js';
import { locateService, servingThreshold, shiftAtPercent } from '../decisions/capacity.js';
import { describeAnswers } from '../dns-answers/decision.js';
import { observeAnswers } from '../dns-answers/observe.js';
import { authoritativeDns } from '../dns-answers/resolver.js';
import { TargetUnhealthyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { type DatabasePlan, databasesOf } from '../plan/databases.js';
import { event } from '../timeline/types.js';
import type { VerifyTargetOutput, verifyTargetInput } from './contracts.js';
import { isDryRun } from './dry-run.js';
import { regionHealth } from './region-health.js';
import { describeReadBack, readBackControls } from './routing-controls.js';

type Check = VerifyTargetOutput['checks'][number];
const STEP = 'verify-target';

/**
 * Is the service really served from the target now? Reads the outcome from AWS, not from the
 * earlier steps' account of it: the target cluster is the global writer, every service runs its
 * active count, the hosted zones' name servers send clients to the target only (asked directly,
 * not through Route 53's control plane), the plan's routing controls read back as the shift set
 * them (from a Route 53 ARC cluster endpoint), and the target's own health signals pass. No
 * check needs Route 53's control plane in us-east-1.
 * Throws TargetUnhealthyError while any check fails; the state machine retries it a few times
 * (a region warming up) and then stops with a report for a human to decide.
 *
 * A dry run moved nothing, so there is nothing to verify: it answers at once without reading
 * AWS, and `verifiedAt` is only when the step ran. The report never takes an RTO from it.
 */
/** One database: its target cluster is the only global writer, or (after a detach) writes on its own. */
async function writerCheck(database: DatabasePlan, targetRegion: string, deps: StepDeps): Promise<Check> {
  const rds = deps.clients.forRegion(targetRegion).rds;
  const targetArn = database.members[targetRegion] ?? '';
  const several = databasesOf(deps.plan).length > 1;
  const named = several ? `${database.globalClusterIdentifier}: ` : '';
  const view = await describeGlobalCluster(rds, database.globalClusterIdentifier);
  if (!view.members.some((m) => m.arn === targetArn)) {
    // The detach fallback took the target out of the global cluster: it writes on its own.
    const cluster = await describeCluster(rds, targetArn);
    const ok =
      cluster.globalClusterIdentifier === null &&
      cluster.writerInstances.length > 0 &&
      cluster.status === 'available';
    return {
      name: 'aurora-writer',
      ok,
      detail: `${named}target detached from the global cluster, ${cluster.status}, ${cluster.writerInstances.length} writer instance(s)`,
    };
  }
  const writers = view.members.filter((m) => m.isWriter);
  const ok = writers.length === 1 && writers[0]?.arn === targetArn && view.failoverState === null;
  return {
    name: 'aurora-writer',
    ok,
    detail: `${named}writer(s): ${writers.map((w) => w.region).join(', ') || 'none'}`,
  };
}

export async function verifyTarget(
  input: z.infer<typeof verifyTargetInput>,
  deps: StepDeps,
): Promise<VerifyTargetOutput> {
  const { request } = input;
  const { plan, clients, now } = deps;
  if (isDryRun(request)) {
    const at = now();
    return {
      healthy: true,
      verifiedAt: at.toISOString(),
      checks: [],
      timeline: [event(at, STEP, 'skipped', 'dry run: nothing moved')],
    };
  }
  const target = clients.forRegion(request.targetRegion);
  const rollingForward = input.recovery?.decision === 'shift';
  const capacityShort: string[] = [];
  const databases = databasesOf(plan);

  // Every database's target must write alone; with several, one check names each that does not.
  const writer = (async (): Promise<Check> => {
    const each = await Promise.all(databases.map((db) => writerCheck(db, request.targetRegion, deps)));
    const only = each[0];
    if (each.length === 1 && only) return only;
    const failed = each.filter((c) => !c.ok);
    return {
      name: 'aurora-writer',
      ok: failed.length === 0,
      detail: (failed.length > 0 ? failed : each).map((c) => c.detail).join('; '),
    };
  })();

  const services = (async (): Promise<Check> => {
    const refs = plan.services.map((s) => locateService(s, request.targetRegion));
    const states = await describeServiceRefs(target.ecs, refs);
    const short = states.filter((s, i) => s.running < (plan.services[i]?.activeCount ?? 0));
    // The plan may let traffic move at a share of the capacity (unplanned moves only).
    const percent = shiftAtPercent(request.mode, plan);
    const belowShare = states.filter(
      (s, i) => s.running < servingThreshold(plan.services[i]?.activeCount ?? 0, percent),
    );
    const summary = states
      .map((s, i) => `${s.service} ${s.running} of ${plan.services[i]?.activeCount ?? '?'} running`)
      .join(', ');
    // Short of what the plan asked for at this point: its share, all of it by default.
    capacityShort.push(
      ...states.flatMap((s, i) =>
        belowShare.includes(s) ? [`${s.service} ${s.running}/${plan.services[i]?.activeCount ?? '?'}`] : [],
      ),
    );
    // Rolling forward, a service serves once one task runs: partial capacity beats none.
    const serving = rollingForward && states.every((s) => s.running > 0);
    const detail =
      short.length === 0 ? summary : `short: ${short.map((s) => s.service).join(', ')} (${summary})`;
    const atShare = percent < 100 && belowShare.length === 0;
    return {
      name: 'ecs-capacity',
      ok: short.length === 0 || serving || atShare,
      detail:
        atShare && short.length > 0
          ? `${detail}; at least ${percent}% each (plan capacity.shiftAtPercent)`
          : detail,
    };
  })();

  // What clients get, from the name servers themselves: no Route 53 API call, so this check
  // works while Route 53's control plane (us-east-1) is down.
  const dns = (async (): Promise<Check> => {
    const regions = { source: request.sourceRegion, target: request.targetRegion };
    const answers = await observeAnswers(deps.dns ?? authoritativeDns.current(), plan, regions);
    const notServed = answers.filter((a) => a.verdict !== 'target');
    return {
      name: 'dns-points-at-target',
      ok: notServed.length === 0,
      detail:
        notServed.length === 0
          ? `${plan.dns.records.length} record(s) point at ${request.targetRegion}: the name servers answer it only`
          : `not yet: ${notServed.map((a) => describeAnswers(a, regions)).join('; ')}`,
    };
  })();

  // The routing controls as a cluster endpoint reads them (data plane; ARC has no INSYNC).
  const controls = (async (): Promise<Check | null> => {
    const readBack = await readBackControls(deps, request, STEP);
    if (!readBack) return null;
    return { name: 'routing-controls', ok: readBack.wrong.length === 0, detail: describeReadBack(readBack) };
  })();

  const health = (async (): Promise<Check> => {
    const { read, failing } = await regionHealth(request.targetRegion, request.sourceRegion, deps);
    return {
      name: 'target-health-signals',
      ok: failing.length === 0,
      detail: `${read} signal(s) read, failing: ${failing.join(', ') || 'none'}`,
    };
  })();

  const checks = (await Promise.all([writer, services, dns, controls, health])).filter(
    (c): c is Check => c !== null,
  );
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new TargetUnhealthyError(
      `${request.targetRegion} not verified: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
    );
  }
  const verifiedAt = now();
  return {
    healthy: true,
    verifiedAt: verifiedAt.toISOString(),
    ...(capacityShort.length > 0 ? { capacityShort } : {}),
    checks,
    timeline: [
      event(
        verifiedAt,
        STEP,
        'succeeded',
        `${request.targetRegion} verified serving: writer, capacity, DNS, health`,
        {
          checks: checks.length,
        },
      ),
    ],
  };
}
