import { STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import type { StepDeps } from '../handlers/define-step.js';
import {
  type ControlState,
  controlsNotAsWanted,
  describeControls,
  shortArn,
  type WantedControl,
  wantedControls,
} from '../traffic-modes/decision.js';
import {
  type ClusterContext,
  describeTried,
  readControlStates,
  type Tried,
} from '../traffic-modes/routing-control.js';
import type { FailoverRequest } from './request.js';

/**
 * The Route 53 ARC cluster as the steps use it (shift-traffic, check-traffic, verify-target,
 * check-readiness): endpoints and bounds from the plan, the endpoint order seeded by the
 * execution, the step and the time, so each invocation spreads its calls differently but a
 * drill repeats exactly.
 */
export function clusterContext(
  deps: StepDeps,
  request: Pick<FailoverRequest, 'executionName'>,
  step: string,
  budgetMs = STEP_RETRY_BUDGET_MS,
): ClusterContext | null {
  const cluster = deps.plan.dns.routingControl;
  if (!cluster) return null;
  return {
    clients: deps.clients,
    endpoints: cluster.endpoints,
    seed: `${request.executionName}|${step}|${Date.now()}`,
    attemptMs: deps.plan.timeouts.failedRegionCallMs,
    deadline: Date.now() + budgetMs,
    rules: cluster.safetyRules,
  };
}

export interface ControlsReadBack {
  wanted: WantedControl[];
  read: Map<string, ControlState>;
  /** Wanted controls not in the wanted state. */
  wrong: ReturnType<typeof controlsNotAsWanted>;
  endpoint: string;
  tried: Tried[];
}

/**
 * Reads the move's routing controls back from a cluster endpoint: the data-plane proof that the
 * change was made (ARC has no INSYNC; the DNS answers show what it did to clients). Null when
 * the plan has no routing-control record.
 */
export async function readBackControls(
  deps: StepDeps,
  request: Pick<FailoverRequest, 'executionName' | 'sourceRegion' | 'targetRegion'>,
  step: string,
  budgetMs?: number,
): Promise<ControlsReadBack | null> {
  const wanted = wantedControls(deps.plan, request.sourceRegion, request.targetRegion);
  const context = clusterContext(deps, request, step, budgetMs);
  if (wanted.length === 0 || !context) return null;
  const {
    value: read,
    endpoint,
    tried,
  } = await readControlStates(
    context,
    wanted.map((w) => w.arn),
  );
  return { wanted, read, wrong: controlsNotAsWanted(wanted, read), endpoint: endpoint.region, tried };
}

/** "orders-use1 Off, orders-usw2 On (read on us-west-2)" or what is not as wanted. */
export function describeReadBack(readBack: ControlsReadBack): string {
  const where = `read on ${readBack.endpoint}${readBack.tried.length > 1 ? ` after ${describeTried(readBack.tried.slice(0, -1))}` : ''}`;
  if (readBack.wrong.length === 0) {
    return `routing controls ${describeControls(readBack.wanted)} (${where})`;
  }
  const wrong = readBack.wrong
    .map((w) => `${w.region} (${shortArn(w.arn)}) is ${w.actual}, wanted ${w.state}`)
    .join(', ');
  return `routing controls not as wanted: ${wrong} (${where})`;
}
