import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { attemptWithin, describeError } from '../aws/bounded.js';
import { type ClusterEndpoint, registerClient } from '../aws/clients.js';
import { isTransientAwsError, translateAwsError } from '../aws/translate.js';
import { AwsTransientError, SafetyRuleRefusedError } from '../errors.js';
import type { SafetyRulePlan } from '../plan/traffic.js';
import {
  type ControlChange,
  type ControlState,
  describeControls,
  endpointOrder,
  whatTheOperatorMayDo,
} from './decision.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts).
registerClient('routingControlCluster', Route53RecoveryClusterClient);

/**
 * Route 53 ARC's data-plane API (`route53-recovery-cluster`), served by a cluster's five regional
 * endpoints. Never the recovery-control *config* API: that one is not built for a failover's
 * availability. Each call goes to one endpoint at a time, in a seeded shuffled order; an
 * attempt is bounded (its abort signal fires at the bound, so nothing lands after it gave up)
 * and a timeout, a 5xx or a throttle (3 state-changing calls per second per endpoint) moves it to
 * the next endpoint. Only refusals that another endpoint would repeat stop it: a safety rule
 * (ConflictException), access, a control that does not exist.
 *
 *   us-east-1 ──silent, aborted at 3 s──▶ eu-west-1 ──ThrottlingException──▶ us-west-2 ──200──▶ done
 */

export interface ClusterContext {
  clients: { routingControlCluster(endpoint: ClusterEndpoint): Route53RecoveryClusterClient };
  endpoints: readonly ClusterEndpoint[];
  /** Seeds the endpoint order (execution, step, time): a retry spreads its calls differently. */
  seed: string;
  /** Bound on one attempt on one endpoint. */
  attemptMs: number;
  /** Epoch ms by which every attempt has ended. */
  deadline: number;
  /** The plan's copy of the safety rules, to name a refusing rule the way the plan does. */
  rules?: readonly SafetyRulePlan[];
}

/** One endpoint tried: its region and how it ended ('ok', or why the call moved on). */
export interface Tried {
  region: string;
  outcome: string;
}

export interface EndpointResult<T> {
  value: T;
  endpoint: ClusterEndpoint;
  tried: Tried[];
}

const BACKOFF_MS = 500;

/** A failure another endpoint may not have: try the next one. */
function tryNext(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'EndpointTemporarilyUnavailableException' || isTransientAwsError(error);
}

/** "us-east-1 no answer within 3000 ms; eu-west-1 ThrottlingException: Rate exceeded". */
export function describeTried(tried: readonly Tried[]): string {
  return tried.map((t) => `${t.region} ${t.outcome}`).join('; ');
}

/**
 * Runs `call` on the first endpoint that answers, in the seeded order, going round again (after a
 * short backoff) while the deadline allows. A refusal another endpoint would repeat is thrown
 * as it came, with the endpoints tried so far on it (`tried`).
 */
export async function onAnyEndpoint<T>(
  context: ClusterContext,
  operation: string,
  call: (client: Route53RecoveryClusterClient, abortSignal: AbortSignal) => Promise<T>,
): Promise<EndpointResult<T>> {
  const order = endpointOrder(context.endpoints, context.seed);
  const tried: Tried[] = [];
  for (let round = 0; Date.now() < context.deadline; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(BACKOFF_MS * round, left())));
    for (const endpoint of order) {
      const bound = Math.min(context.attemptMs, left());
      if (bound <= 0) break;
      const client = context.clients.routingControlCluster(endpoint);
      const result = await attemptWithin((signal) => call(client, signal), bound);
      if (result.kind === 'value') {
        tried.push({ region: endpoint.region, outcome: 'ok' });
        return { value: result.value, endpoint, tried };
      }
      if (result.kind === 'error' && !tryNext(result.error)) {
        throw Object.assign(result.error as object, { tried: [...tried] });
      }
      tried.push({
        region: endpoint.region,
        outcome: result.kind === 'silence' ? `no answer within ${bound} ms` : describeError(result.error),
      });
    }
  }
  throw new AwsTransientError(
    `${operation}: no Route 53 ARC cluster endpoint answered before the step's deadline (${describeTried(tried)}); retried by the state machine`,
  );

  function left() {
    return Math.max(0, context.deadline - Date.now());
  }
}

/** The states of `arns`, read on one endpoint (GetRoutingControlState: a read, outside the rate quota). */
export async function readControlStates(
  context: ClusterContext,
  arns: readonly string[],
): Promise<EndpointResult<Map<string, ControlState>>> {
  try {
    return await onAnyEndpoint(context, 'GetRoutingControlState', async (client, abortSignal) => {
      const read = await Promise.all(
        arns.map(async (arn) => {
          const out = await client.send(new GetRoutingControlStateCommand({ RoutingControlArn: arn }), {
            abortSignal,
          });
          return [arn, out.RoutingControlState === 'On' ? 'On' : 'Off'] as const;
        }),
      );
      return new Map<string, ControlState>(read);
    });
  } catch (error) {
    throw translateAwsError(error, 'Route 53 ARC GetRoutingControlState');
  }
}

export interface UpdateOutcome {
  endpoint: ClusterEndpoint;
  tried: Tried[];
  /** true: a refusal came after an unanswered attempt, and reading back showed that attempt had landed. */
  landedEarlier: boolean;
}

/**
 * One UpdateRoutingControlStates call (at most 10 entries), on the first endpoint that answers.
 * `overrides` is sent as SafetyRulesToOverride: only ever from a human's manual start.
 *
 * A refusal after an attempt that got no answer may be the wait period of our own change, which
 * landed after all: the states are read back, and if they are already as wanted the call counts
 * as done. Any other ConflictException is a safety rule refusing: SafetyRuleRefusedError, naming
 * the rule; nothing is sent after it.
 */
export async function updateControlStates(
  context: ClusterContext,
  changes: readonly ControlChange[],
  overrides: readonly string[] = [],
): Promise<UpdateOutcome> {
  const command = () =>
    new UpdateRoutingControlStatesCommand({
      UpdateRoutingControlStateEntries: changes.map((c) => ({
        RoutingControlArn: c.arn,
        RoutingControlState: c.state,
      })),
      ...(overrides.length > 0 ? { SafetyRulesToOverride: [...overrides] } : {}),
    });
  try {
    const { endpoint, tried } = await onAnyEndpoint(
      context,
      'UpdateRoutingControlStates',
      (client, abortSignal) => client.send(command(), { abortSignal }),
    );
    return { endpoint, tried, landedEarlier: false };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConflictException') {
      throw translateAwsError(
        error,
        `Route 53 ARC UpdateRoutingControlStates (${describeControls(changes)})`,
      );
    }
    const tried = (error as { tried?: Tried[] }).tried ?? [];
    if (tried.some((t) => t.outcome !== 'ok')) {
      const read = await readControlStates(
        context,
        changes.map((c) => c.arn),
      ).catch(() => null);
      if (read && changes.every((c) => read.value.get(c.arn) === c.state)) {
        return { endpoint: read.endpoint, tried: [...tried, ...read.tried], landedEarlier: true };
      }
    }
    throw refusal(error, changes, context.rules ?? []);
  }
}

/**
 * SafetyRuleRefusedError from the cluster's ConflictException. ARC's API reference documents
 * `resourceId` and `resourceType` on it but not what a rule refusal puts there: the rule is named
 * from `resourceId` when it is a safety rule ARN, else from a rule of the plan's copy whose ARN or
 * name the message carries.
 */
function refusal(error: unknown, changes: readonly ControlChange[], rules: readonly SafetyRulePlan[]) {
  const e = error as { message?: string; resourceId?: string };
  const message = e.message ?? 'ConflictException';
  const byArn = rules.find((r) => r.arn === e.resourceId || message.includes(r.arn));
  const byName =
    byArn ?? rules.find((r) => message.includes(`"${r.name}"`) || message.includes(` ${r.name} `));
  const arn = byName?.arn ?? (e.resourceId?.includes('/safetyrule/') ? e.resourceId : null);
  const named = byName
    ? `safety rule "${byName.name}" (${byName.arn})`
    : arn
      ? `safety rule ${arn}`
      : 'a safety rule';
  return new SafetyRuleRefusedError(
    `Route 53 ARC refused setting ${describeControls(changes)}: ${named} does not allow it (ConflictException: ${message}). Nothing was changed by this call, and nothing more is sent. ${whatTheOperatorMayDo(arn)}`,
    arn,
    { cause: error },
  );
}
