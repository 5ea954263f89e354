import type { z } from 'zod';
import { boundedCall, withinDeadline } from '../aws/bounded.js';
import { readRpoLagMs } from '../aws/cloudwatch.js';
import { describeServiceRefsWithPlacement } from '../aws/ecs.js';
import {
  type ClusterView,
  clusterIdentifierOfArn,
  describeCluster,
  describeGlobalCluster,
} from '../aws/rds.js';
import { locateService } from '../decisions/capacity.js';
import {
  judgeEngineVersions,
  judgeEngineVersionsUnplanned,
  judgeMembership,
} from '../decisions/readiness.js';
import { AwsRequestError, TargetNotReadyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { type DatabasePlan, databasesOf } from '../plan/databases.js';
import { event } from '../timeline/types.js';
import { capacityCheck } from './capacity-readiness.js';
import type { CheckReadinessOutput, checkReadinessInput } from './contracts.js';
import { worst } from './databases.js';
import { isDryRun } from './dry-run.js';
import { describeProblem, notReadyMessage } from './readiness-problems.js';
import { regionHealth } from './region-health.js';
import { healthCheckedPlannedCheck, recordsCheck, routingControlsCheck } from './traffic-readiness.js';

type Check = CheckReadinessOutput['checks'][number];
const STEP = 'check-readiness';

/** A failed read in the target region is a readiness failure to report, not a crash. */
async function checked(name: string, probe: () => Promise<Check>): Promise<Check> {
  try {
    return await probe();
  } catch (error) {
    if (error instanceof AwsRequestError) return { name, ok: false, detail: error.message };
    throw error; // transient: let the state machine retry the whole check
  }
}

/**
 * Can the target region take over? Reads the target region (and Route 53), so it works while
 * the source is down; of the source it reads only its cluster's engine version, bounded, and an
 * unanswered read refuses nothing. It refuses, in every mode, what promotion would refuse
 * (membership, SynchronizationStatus, another move under way; engine versions for a planned
 * move, while an unplanned one goes by detach-and-promote instead) and what would
 * stop traffic following the writer (a routing control change the plan's safety rules refuse,
 * traffic-readiness.ts); for a planned switchover it also requires the source healthy and in
 * sync, Route 53's control plane answering when a record moves through it, and no record that
 * only its health checks move. Changes nothing: when a check
 * fails the execution stops here with every failed check named, before any fencing or promotion.
 *
 * A dry run runs the same checks but does not stop: it returns `ready: false` with the failed
 * checks, one 'failed' event each, so the rest of the workflow can still show every action a
 * real run would take. Only a read that may succeed on retry (throttling) still throws.
 */
export async function checkReadiness(
  input: z.infer<typeof checkReadinessInput>,
  deps: StepDeps,
): Promise<CheckReadinessOutput> {
  const { request } = input;
  const { plan, clients, now } = deps;
  const started = now();
  const target = clients.forRegion(request.targetRegion);
  const databases = databasesOf(plan);
  const several = databases.length > 1;
  // Every database's own checks, side by side; with several, each detail names its database.
  const perDatabase = databases.map((db) => databaseChecks(db, input, deps, several));

  // One DescribeServices read serves both ECS checks: the counts here, the placement for capacity.
  const described = describeServiceRefsWithPlacement(
    target.ecs,
    plan.services.map((s) => locateService(s, request.targetRegion)),
  );
  // Awaited by both checks below, which report its failure: no unhandled rejection meanwhile.
  described.catch(() => undefined);
  const servicesCheck = checked('ecs-target-services', async () => {
    const states = await described;
    // A standby that wants tasks and runs none cannot place them (capacity, quota, image): moving
    // the writer there would leave no region serving. A standby kept at 0 (pilot light) says
    // nothing either way and is not refused.
    const stuck = states.filter((s) => s.desired > 0 && s.running === 0);
    const detail = states.map((s) => `${s.service} ${s.running}/${s.desired}`).join(', ');
    return stuck.length === 0
      ? { name: 'ecs-target-services', ok: true, detail }
      : {
          name: 'ecs-target-services',
          ok: false,
          detail: `${request.targetRegion} runs no task of ${stuck.map((s) => `${s.service} (0 of ${s.desired} desired)`).join(', ')}: it cannot place tasks now; check its service events (aws ecs describe-services --region ${request.targetRegion} --cluster ${stuck[0]?.cluster} --services ${stuck[0]?.service} --query 'services[0].events[:5]')`,
        };
  });

  // What the target's quotas allow of the scale-up (src/steps/capacity-readiness.ts).
  let capacity: CheckReadinessOutput['capacity'];
  const capacityChecked = checked('target-capacity', async () => {
    const services = await described.catch((error: unknown) => {
      if (error instanceof AwsRequestError) return null;
      throw error;
    });
    if (!services) {
      // Not judged, and not a second problem for the same read: ecs-target-services fails with
      // its reason, so the target is not ready whatever this says.
      const detail = 'not judged: the ECS services could not be read (ecs-target-services says why)';
      return { name: 'target-capacity', ok: true, detail };
    }
    const found = await capacityCheck(request, services, deps);
    capacity = found.capacity;
    return found.check;
  });

  const dnsCheck = checked('route53-records', () => recordsCheck(request, deps));
  const controlsCheck = routingControlsCheck(request, deps);

  const targetHealthCheck = checked('target-region-health', async () => {
    // Do not fail over into a sick region: the target's own signals must not show K of N failing.
    const health = await regionHealth(request.targetRegion, request.sourceRegion, deps);
    // One usable signal showing K of N is enough to refuse: the signals that could outvote it
    // may be the very ones the failed region cannot answer for.
    const refuseAt = Math.max(1, Math.min(plan.sustained.minFailingSignals, health.read));
    return health.failing.length >= refuseAt
      ? {
          name: 'target-region-health',
          ok: false,
          detail: `target region is failing too: ${health.failing.join(', ')}`,
        }
      : {
          name: 'target-region-health',
          ok: true,
          detail: `${health.read} signal(s) read, ${health.failing.length} failing`,
        };
  });

  const checks = (
    await Promise.all([
      ...perDatabase.flatMap((d) => [d.membership, d.cluster]),
      servicesCheck,
      capacityChecked,
      dnsCheck,
      targetHealthCheck,
      // Started here, after the target's checks, as with one database always: the same call order.
      ...perDatabase.map((d) => d.source()),
      controlsCheck,
      healthCheckedPlannedCheck(request, deps),
    ])
  ).filter((c): c is Check => c !== null);
  for (const d of perDatabase)
    d.engines.target = (await d.targetCluster.catch(() => null))?.engineVersion ?? null;
  if (request.mode === 'planned') checks.push(...(await sustainedHealthForSwitchover(request, deps)));

  const lags = await Promise.all(perDatabase.map((d) => d.lag()));
  if (request.mode === 'planned') {
    lags.forEach(({ rpoLagMs, lagNote }, i) => {
      const db = databases[i] as DatabasePlan;
      const limit = db.maxSwitchoverLagMs;
      const named = several ? `${db.globalClusterIdentifier}: ` : '';
      checks.push(
        rpoLagMs !== null && rpoLagMs <= limit
          ? { name: 'replication-lag', ok: true, detail: `${named}${rpoLagMs} ms <= ${limit} ms` }
          : {
              name: 'replication-lag',
              ok: false,
              detail:
                rpoLagMs === null
                  ? `${named}lag unknown (${lagNote})`
                  : `${named}${rpoLagMs} ms > ${limit} ms (plan database.maxSwitchoverLagMs)`,
            },
      );
    });
  }
  // The RPO evidence of several databases is the worst of them; each is listed in `databases`.
  const rpoLagMs = several ? worst(lags.map((l) => l.rpoLagMs)) : (lags[0]?.rpoLagMs ?? null);
  const engines = perDatabase[0]?.engines ?? { source: null, target: null };
  const byDatabase = perDatabase.map((d, i) => ({
    globalClusterIdentifier: databases[i]?.globalClusterIdentifier ?? '',
    rpoLagMs: lags[i]?.rpoLagMs ?? null,
    engines: d.engines,
  }));

  const failed = checks.filter((c) => !c.ok);
  const withCapacity = capacity ? { capacity } : {};
  if (failed.length > 0 && isDryRun(request)) {
    const ended = now();
    // An unplanned run does not stop on capacity (capacityGate): say what a real run would do.
    const realRunRefuses = failed.some((c) => c.name !== 'target-capacity' || request.mode === 'planned');
    return {
      ready: false,
      checks,
      rpoLagMs,
      engines,
      databases: byDatabase,
      ...withCapacity,
      timeline: [
        event(started, STEP, 'started', `dry run: checking ${request.targetRegion} can take over`),
        ...failed.map((c) => event(ended, STEP, 'failed', describeProblem(c), { check: c.name })),
        event(
          ended,
          STEP,
          'dry-run',
          `${request.targetRegion} is NOT ready: ${failed.length} of ${checks.length} checks failed (${failed.map((c) => c.name).join(', ')}); ${realRunRefuses ? 'a real run stops here with TargetNotReadyError' : 'a real unplanned run goes on with the capacity it gets and reports what is short'}, the dry run goes on`,
          { checks: checks.length, failed: failed.length, rpoLagMs },
        ),
      ],
    };
  }
  if (failed.length > 0) {
    throw new TargetNotReadyError(notReadyMessage(request.targetRegion, failed));
  }
  // An unplanned failover goes on short of capacity (partial capacity beats none), on the record.
  const short = capacity?.proceedsDespite
    ? [
        event(
          now(),
          STEP,
          'progress',
          `capacity ${capacity.verdict.toUpperCase()} in ${request.targetRegion}, going on (unplanned): ${capacity.detail}`,
          { check: 'target-capacity', verdict: capacity.verdict },
        ),
      ]
    : [];
  return {
    ready: true,
    checks,
    rpoLagMs,
    engines,
    databases: byDatabase,
    ...withCapacity,
    timeline: [
      event(
        started,
        STEP,
        'started',
        `${isDryRun(request) ? 'dry run: ' : ''}checking ${request.targetRegion} can take over`,
      ),
      ...short,
      event(now(), STEP, 'succeeded', `${request.targetRegion} is ready (${checks.length} checks passed)`, {
        checks: checks.length,
        rpoLagMs,
      }),
    ],
  };
}

type Move = { sourceRegion: string; targetRegion: string };

interface DatabaseChecks {
  membership: Promise<Check>;
  cluster: Promise<Check>;
  source: () => Promise<Check>;
  targetCluster: Promise<ClusterView>;
  /** The members' engine versions as read (the source's only when its region answered). */
  engines: { source: string | null; target: string | null };
  /** The target's AuroraGlobalDBRPOLag, read once the checks are done. */
  lag: () => Promise<{ rpoLagMs: number | null; lagNote: string }>;
}

/**
 * One database's checks: what promotion would refuse for it (membership, the target cluster, the
 * source's engine), and its RPO lag. Several databases: each detail starts with its global cluster.
 */
function databaseChecks(
  database: DatabasePlan,
  input: z.infer<typeof checkReadinessInput>,
  deps: StepDeps,
  several: boolean,
): DatabaseChecks {
  const { request } = input;
  const { plan, now } = deps;
  const target = deps.clients.forRegion(request.targetRegion);
  const targetArn = database.members[request.targetRegion] ?? '';
  const sourceArn = database.members[request.sourceRegion] ?? '';
  const named = (check: Promise<Check>): Promise<Check> =>
    several
      ? check.then((c) => ({ ...c, detail: `${database.globalClusterIdentifier}: ${c.detail}` }))
      : check;

  const membership = checked('aurora-global-membership', async () => {
    const view = await describeGlobalCluster(target.rds, database.globalClusterIdentifier);
    return { name: 'aurora-global-membership', ...judgeMembership(view, targetArn, request.targetRegion) };
  });

  // Read once, used twice: the target's own check and the engine comparison with the source.
  const targetCluster = describeCluster(target.rds, targetArn);
  // Awaited later (or not at all when the check below reports it): no unhandled rejection.
  targetCluster.catch(() => undefined);
  const cluster = checked('aurora-target-cluster', async () => {
    const found = await targetCluster;
    if (found.instanceCount === 0) {
      return {
        name: 'aurora-target-cluster',
        ok: false,
        detail: `${found.identifier} is headless (no DB instance): add an instance before it can be promoted`,
      };
    }
    if (found.status !== 'available') {
      return {
        name: 'aurora-target-cluster',
        ok: false,
        detail: `${found.identifier} is ${found.status}, not available`,
      };
    }
    return {
      name: 'aurora-target-cluster',
      ok: true,
      detail: `${found.identifier}: ${found.instanceCount} instance(s), engine ${found.engineVersion ?? '?'}`,
    };
  });

  // The source's engine version, when its region answered: promote-database decides from it.
  const engines: DatabaseChecks['engines'] = { source: null, target: null };
  const source = () =>
    named(
      request.mode === 'planned'
        ? sourceReadyForSwitchover(request, sourceArn, targetCluster, deps, engines)
        : sourceEngineIfReadable(request, sourceArn, targetCluster, deps, engines),
    );

  // The lag lives in the target region's CloudWatch: a throttle is retried like any other
  // target read; a refusal (access) only leaves the RPO evidence missing.
  const lag = async () => {
    let lagNote = 'no AuroraGlobalDBRPOLag data';
    try {
      const read = await withinDeadline(
        (abortSignal) =>
          readRpoLagMs(target.cloudwatch, clusterIdentifierOfArn(targetArn), now(), { abortSignal }),
        plan.timeouts.failedRegionCallMs,
      );
      if (read === 'silence') lagNote = `no answer within ${plan.timeouts.failedRegionCallMs} ms`;
      else return { rpoLagMs: read.value, lagNote };
    } catch (error) {
      if (!(error instanceof AwsRequestError)) throw error;
      lagNote = error.message;
    }
    return { rpoLagMs: null, lagNote };
  };
  return { membership: named(membership), cluster: named(cluster), source, targetCluster, engines, lag };
}

const engineOf = (cluster: ClusterView, region: string) => ({
  identifier: cluster.identifier,
  region,
  engineVersion: cluster.engineVersion,
});

/** A switchover needs both regions: the source must answer, be available and run the target's engine version. */
function sourceReadyForSwitchover(
  request: Move,
  sourceArn: string,
  targetCluster: Promise<ClusterView>,
  deps: StepDeps,
  engines: { source: string | null },
): Promise<Check> {
  const name = 'aurora-source-cluster';
  return checked(name, async () => {
    const [source, target] = await Promise.all([
      describeCluster(deps.clients.forRegion(request.sourceRegion).rds, sourceArn),
      targetCluster,
    ]);
    engines.source = source.engineVersion;
    if (source.status !== 'available')
      return { name, ok: false, detail: `${source.identifier} is ${source.status}` };
    const verdict = judgeEngineVersions(
      engineOf(source, request.sourceRegion),
      engineOf(target, request.targetRegion),
    );
    if (!verdict.ok) return { name, ...verdict };
    return { name, ok: true, detail: `${source.identifier} available, ${verdict.detail}` };
  });
}

/**
 * An unplanned move reads the source's engine version too, but its source is the failed region:
 * one bounded read. Nothing here refuses: different versions send the database by
 * detach-and-promote instead of the managed failover (judgeEngineVersionsUnplanned), and
 * silence or an error says nothing about the target, so the check passes and says it could not
 * compare (RDS then decides, and promote-database reads its refusal).
 */
async function sourceEngineIfReadable(
  request: Move,
  sourceArn: string,
  targetCluster: Promise<ClusterView>,
  deps: StepDeps,
  engines: { source: string | null },
): Promise<Check> {
  const name = 'aurora-source-cluster';
  const deadlineMs = deps.plan.timeouts.failedRegionCallMs;
  const source = await boundedCall(
    (abortSignal) =>
      describeCluster(deps.clients.forRegion(request.sourceRegion).rds, sourceArn, { abortSignal }),
    deadlineMs,
  );
  if (!source.ok) {
    return {
      name,
      ok: true,
      detail: `${clusterIdentifierOfArn(sourceArn)} in ${request.sourceRegion} not readable (${source.detail}): engine versions not compared`,
    };
  }
  engines.source = source.value.engineVersion;
  // The target's own check reports a target that cannot be read; here it only leaves nothing to compare.
  const target = await targetCluster.catch(() => null);
  if (!target) return { name, ok: true, detail: 'target cluster not readable: engine versions not compared' };
  const verdict = judgeEngineVersionsUnplanned(
    engineOf(source.value, request.sourceRegion),
    engineOf(target, request.targetRegion),
  );
  return { name, ...verdict };
}

/**
 * A planned move needs both regions healthy, and the target healthy for a sustained period: no
 * failing datapoint in the last N periods (a failback right after an outage ends would cause a
 * second one). Stricter than the K-of-N rule an unplanned failover uses.
 */
async function sustainedHealthForSwitchover(
  request: { sourceRegion: string; targetRegion: string },
  deps: StepDeps,
): Promise<Check[]> {
  const periods = deps.plan.sustained.ofLastDatapoints;
  const [target, source] = await Promise.all([
    regionHealth(request.targetRegion, request.sourceRegion, deps),
    regionHealth(request.sourceRegion, request.targetRegion, deps),
  ]);
  return [
    target.unsettled.length === 0
      ? {
          name: 'target-sustained-health',
          ok: true,
          detail: `${request.targetRegion} healthy in each of the last ${periods} periods`,
        }
      : {
          name: 'target-sustained-health',
          ok: false,
          detail: `${request.targetRegion} was failing within the last ${periods} periods (${target.unsettled.join(', ')}): wait until it has been healthy that long`,
        },
    source.failing.length === 0
      ? {
          name: 'source-region-health',
          ok: true,
          detail: `${request.sourceRegion} healthy (a switchover needs both regions up)`,
        }
      : {
          name: 'source-region-health',
          ok: false,
          detail: `${request.sourceRegion} is failing (${source.failing.join(', ')}): use a manual failover, not a planned switchover`,
        },
  ];
}
