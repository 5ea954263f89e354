import type { z } from 'zod';
import { withinDeadline } from '../aws/bounded.js';
import { readRpoLagMs } from '../aws/cloudwatch.js';
import { describeServiceRefs } from '../aws/ecs.js';
import { clusterIdentifierOfArn, describeCluster, describeGlobalCluster } from '../aws/rds.js';
import { controlPlaneInFailedRegion, readPlanRecords } from '../aws/route53-control-plane.js';
import { locateService } from '../decisions/capacity.js';
import { AwsRequestError, TargetNotReadyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event } from '../timeline/types.js';
import type { CheckReadinessOutput, checkReadinessInput } from './contracts.js';
import { isDryRun } from './dry-run.js';
import { describeProblem, notReadyMessage } from './readiness-problems.js';
import { regionHealth } from './region-health.js';

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
 * Can the target region take over? Reads only the target region (and Route 53), so it works
 * while the source is down; for a planned switchover it also requires the source healthy and
 * in sync. Changes nothing: when a check fails the execution stops here with every failed
 * check named, before any fencing or promotion.
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
  const targetArn = plan.database.members[request.targetRegion] ?? '';
  const sourceArn = plan.database.members[request.sourceRegion] ?? '';

  const globalCheck = checked('aurora-global-membership', async () => {
    const view = await describeGlobalCluster(target.rds, plan.database.globalClusterIdentifier);
    const member = view.members.find((m) => m.arn === targetArn);
    if (!member)
      return {
        name: 'aurora-global-membership',
        ok: false,
        detail: `${targetArn} is not a member of ${view.identifier}`,
      };
    const busy = view.failoverState && view.failoverState.toArn !== targetArn;
    if (busy) {
      return {
        name: 'aurora-global-membership',
        ok: false,
        detail: `a ${view.failoverState?.status} towards ${view.failoverState?.toArn} is under way`,
      };
    }
    if (
      request.mode === 'planned' &&
      !member.isWriter &&
      member.synchronizationStatus &&
      member.synchronizationStatus !== 'connected'
    ) {
      return {
        name: 'aurora-global-membership',
        ok: false,
        detail: `target member is ${member.synchronizationStatus}, not connected`,
      };
    }
    return {
      name: 'aurora-global-membership',
      ok: true,
      detail: member.isWriter ? 'target is already the writer' : 'target is a secondary member',
    };
  });

  const clusterCheck = checked('aurora-target-cluster', async () => {
    const cluster = await describeCluster(target.rds, targetArn);
    if (cluster.instanceCount === 0) {
      return {
        name: 'aurora-target-cluster',
        ok: false,
        detail: `${cluster.identifier} is headless (no DB instance): add an instance before it can be promoted`,
      };
    }
    if (cluster.status !== 'available') {
      return {
        name: 'aurora-target-cluster',
        ok: false,
        detail: `${cluster.identifier} is ${cluster.status}, not available`,
      };
    }
    return {
      name: 'aurora-target-cluster',
      ok: true,
      detail: `${cluster.identifier}: ${cluster.instanceCount} instance(s), engine ${cluster.engineVersion ?? '?'}`,
    };
  });

  const servicesCheck = checked('ecs-target-services', async () => {
    const refs = plan.services.map((s) => locateService(s, request.targetRegion));
    const states = await describeServiceRefs(target.ecs, refs);
    return {
      name: 'ecs-target-services',
      ok: true,
      detail: states.map((s) => `${s.service} ${s.running}/${s.desired}`).join(', '),
    };
  });

  const dnsCheck = checked('route53-records', async () => {
    const missing: string[] = [];
    let all: Awaited<ReturnType<typeof readPlanRecords>>;
    try {
      all = await readPlanRecords(plan, clients.route53(), request.sourceRegion);
    } catch (error) {
      // Promotion and scale-up are still worth doing: traffic can move through the data plane.
      if (!controlPlaneInFailedRegion(request.sourceRegion)) throw error;
      return { name: 'route53-records', ok: true, detail: `not verifiable: ${(error as Error).message}` };
    }
    plan.dns.records.forEach((record, i) => {
      const sets = all[i] ?? [];
      const wanted = record.routing === 'weighted' ? record.setIdentifier?.[request.targetRegion] : undefined;
      if (sets.length === 0 || (wanted && !sets.some((s) => s.setIdentifier === wanted)))
        missing.push(record.name);
    });
    return missing.length > 0
      ? { name: 'route53-records', ok: false, detail: `records not found: ${missing.join(', ')}` }
      : { name: 'route53-records', ok: true, detail: `${plan.dns.records.length} record(s) found` };
  });

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

  const checks = await Promise.all([globalCheck, clusterCheck, servicesCheck, dnsCheck, targetHealthCheck]);
  if (request.mode === 'planned') {
    checks.push(await sourceReadyForSwitchover(request, sourceArn, targetArn, deps));
    checks.push(...(await sustainedHealthForSwitchover(request, deps)));
  }

  // The lag lives in the target region's CloudWatch: a throttle is retried like any other
  // target read; a refusal (access) only leaves the RPO evidence missing.
  let rpoLagMs: number | null = null;
  let lagNote = 'no AuroraGlobalDBRPOLag data';
  try {
    const lag = await withinDeadline(
      () => readRpoLagMs(target.cloudwatch, clusterIdentifierOfArn(targetArn), now()),
      plan.timeouts.failedRegionCallMs,
    );
    if (lag === 'silence') lagNote = `no answer within ${plan.timeouts.failedRegionCallMs} ms`;
    else rpoLagMs = lag.value;
  } catch (error) {
    if (!(error instanceof AwsRequestError)) throw error;
    lagNote = error.message;
  }
  if (request.mode === 'planned') {
    const limit = plan.database.maxSwitchoverLagMs;
    checks.push(
      rpoLagMs !== null && rpoLagMs <= limit
        ? { name: 'replication-lag', ok: true, detail: `${rpoLagMs} ms <= ${limit} ms` }
        : {
            name: 'replication-lag',
            ok: false,
            detail:
              rpoLagMs === null
                ? `lag unknown (${lagNote})`
                : `${rpoLagMs} ms > ${limit} ms (plan database.maxSwitchoverLagMs)`,
          },
    );
  }

  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0 && isDryRun(request)) {
    const ended = now();
    return {
      ready: false,
      checks,
      rpoLagMs,
      timeline: [
        event(started, STEP, 'started', `dry run: checking ${request.targetRegion} can take over`),
        ...failed.map((c) => event(ended, STEP, 'failed', describeProblem(c), { check: c.name })),
        event(
          ended,
          STEP,
          'dry-run',
          `${request.targetRegion} is NOT ready: ${failed.length} of ${checks.length} checks failed (${failed.map((c) => c.name).join(', ')}); a real run stops here with TargetNotReadyError, the dry run goes on`,
          { checks: checks.length, failed: failed.length, rpoLagMs },
        ),
      ],
    };
  }
  if (failed.length > 0) {
    throw new TargetNotReadyError(notReadyMessage(request.targetRegion, failed));
  }
  return {
    ready: true,
    checks,
    rpoLagMs,
    timeline: [
      event(
        started,
        STEP,
        'started',
        `${isDryRun(request) ? 'dry run: ' : ''}checking ${request.targetRegion} can take over`,
      ),
      event(now(), STEP, 'succeeded', `${request.targetRegion} is ready (${checks.length} checks passed)`, {
        checks: checks.length,
        rpoLagMs,
      }),
    ],
  };
}

/** A switchover needs both regions: the source must answer, be available and run the target's engine version. */
function sourceReadyForSwitchover(
  request: { sourceRegion: string; targetRegion: string },
  sourceArn: string,
  targetArn: string,
  deps: StepDeps,
): Promise<Check> {
  const name = 'aurora-source-cluster';
  return checked(name, async () => {
    const [source, target] = await Promise.all([
      describeCluster(deps.clients.forRegion(request.sourceRegion).rds, sourceArn),
      describeCluster(deps.clients.forRegion(request.targetRegion).rds, targetArn),
    ]);
    if (source.status !== 'available')
      return { name, ok: false, detail: `${source.identifier} is ${source.status}` };
    if (source.engineVersion !== target.engineVersion) {
      return {
        name,
        ok: false,
        detail: `engine versions differ: ${source.engineVersion} in ${request.sourceRegion}, ${target.engineVersion} in ${request.targetRegion}`,
      };
    }
    return { name, ok: true, detail: `${source.identifier} available, engine ${source.engineVersion}` };
  });
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
