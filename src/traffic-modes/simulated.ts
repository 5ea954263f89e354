import type {
  GetRoutingControlStateRequest,
  UpdateRoutingControlStateRequest,
  UpdateRoutingControlStatesRequest,
} from '@aws-sdk/client-route53-recovery-cluster';
import type { SafetyRulePlan } from '../plan/traffic.js';
import { SimFault } from '../sim/errors.js';
import { type Handler, op, type ServiceModel, type World } from '../sim/world.js';

/**
 * The drill's Route 53 ARC cluster and Route 53 health checks: the data plane that moves traffic
 * while Route 53's control plane (us-east-1) is silent.
 *
 * - Routing controls: one per region per routing-control record of the plan, each driving a
 *   routing control health check (On = healthy). The cluster answers on its five regional
 *   endpoints (the transport puts each call in its endpoint's region, so an endpoint in an
 *   `apis-unreachable` region hangs, and fault rules can pick one); the state is the same on
 *   every endpoint. State-changing calls are limited to 3 per second per endpoint
 *   (ThrottlingException), as ARC's quotas say.
 * - Safety rules: the plan's copy plus SimOptions.arc.extraSafetyRules. Assertion rules judge
 *   their controls after the change, gating rules their gating controls; after a change, any
 *   request against a rule's controls inside its wait period fails. A refusal is a
 *   ConflictException (HTTP 409) carrying the rule's ARN in `resourceId`: ARC documents
 *   ConflictException for these calls but not what a rule refusal fills in, so that is a
 *   modelling choice. SafetyRulesToOverride skips the rules it names.
 * - Health checks: a routing control's follows its state; an endpoint check (health-check
 *   records) fails while its region is service-down, seen after the checkers' detection time.
 *   Either reaches the name servers after LATENCIES.healthToAnswers (no AWS figure: modelling
 *   choice). Route53Model asks `seenByDns` when it computes what the name servers answer.
 */

type State = 'On' | 'Off';

interface Control {
  arn: string;
  name: string;
  region: string;
  healthCheckId: string;
  /** Every state it has had, with when the name servers see it; the first is the starting state. */
  history: { at: number; state: State; visibleAt: number }[];
}

/** ARC's quota: state-changing API calls per second per cluster endpoint. */
export const STATE_CHANGES_PER_SECOND = 3;
/** ARC's limit on entries in one UpdateRoutingControlStates call. */
const MAX_ENTRIES = 10;

export class ArcClusterModel implements ServiceModel {
  readonly service = 'arc' as const;
  readonly handlers: Record<string, Handler>;
  readonly #controls = new Map<string, Control>();
  readonly #rules: SafetyRulePlan[];
  /** When each rule's controls last changed: its wait period runs from there. */
  readonly #ruleChangedAt = new Map<string, number>();
  /** State-changing calls per endpoint region, for the rate quota. */
  readonly #recentChanges = new Map<string, number[]>();

  constructor(
    private readonly world: World,
    options: {
      initialWriter: 'primary' | 'standby';
      extraSafetyRules?: readonly SafetyRulePlan[];
      initialStates?: Readonly<Record<string, State>>;
    },
  ) {
    const { plan } = world;
    const ids = world.rng('arc-health-checks');
    for (const record of plan.dns.records) {
      if (record.shift.mode !== 'routing-control') continue;
      for (const [region, arn] of Object.entries(record.shift.routingControlArns)) {
        if (this.#controls.has(arn)) continue;
        const state: State =
          options.initialStates?.[arn] ??
          (options.initialWriter === 'standby' && region === plan.regions.primary ? 'Off' : 'On');
        this.#controls.set(arn, {
          arn,
          name: `${plan.name}-${region}`,
          region,
          healthCheckId: ids.uuid(),
          history: [{ at: Number.NEGATIVE_INFINITY, state, visibleAt: Number.NEGATIVE_INFINITY }],
        });
      }
    }
    this.#rules = [...(plan.dns.routingControl?.safetyRules ?? []), ...(options.extraSafetyRules ?? [])];
    // A rule may name controls no record uses (a gating "switch"): they exist, On unless told otherwise.
    for (const rule of this.#rules) {
      const named =
        rule.kind === 'assertion' ? rule.assertedControls : [...rule.gatingControls, ...rule.targetControls];
      for (const arn of named) {
        if (this.#controls.has(arn)) continue;
        const state = options.initialStates?.[arn] ?? 'On';
        this.#controls.set(arn, {
          arn,
          name: arn.slice(arn.lastIndexOf('/') + 1),
          region: '',
          healthCheckId: ids.uuid(),
          history: [{ at: Number.NEGATIVE_INFINITY, state, visibleAt: Number.NEGATIVE_INFINITY }],
        });
      }
    }

    const describe = (control: Control) => ({
      RoutingControlArn: control.arn,
      RoutingControlName: control.name,
      RoutingControlState: this.#stateNow(control),
    });
    this.handlers = {
      GetRoutingControlState: op<GetRoutingControlStateRequest>((input) =>
        describe(this.#control(input.RoutingControlArn)),
      ),
      ListRoutingControls: op<Record<string, never>>(() => ({
        RoutingControls: [...this.#controls.values()].map((c) => ({
          ...describe(c),
          ControlPanelArn: c.arn.slice(0, c.arn.indexOf('/routingcontrol/')),
          Owner: world.account,
        })),
      })),
      UpdateRoutingControlState: op<UpdateRoutingControlStateRequest>((input, region, now) =>
        this.#update(
          [{ RoutingControlArn: input.RoutingControlArn, RoutingControlState: input.RoutingControlState }],
          input.SafetyRulesToOverride ?? [],
          region,
          now,
        ),
      ),
      UpdateRoutingControlStates: op<UpdateRoutingControlStatesRequest>((input, region, now) =>
        this.#update(
          input.UpdateRoutingControlStateEntries ?? [],
          input.SafetyRulesToOverride ?? [],
          region,
          now,
        ),
      ),
    };
  }

  advance(): void {
    // Nothing moves by itself: a state's visibility to the name servers is computed when asked.
  }

  /** The routing control health check a record in `region` carries, for Route53Model. */
  healthCheckIdOf(arn: string): string | undefined {
    return this.#controls.get(arn)?.healthCheckId;
  }

  /** Health of a routing control health check as the name servers see it at `now`; undefined when not one. */
  seenByDns(healthCheckId: string, now: number): boolean | undefined {
    const control = [...this.#controls.values()].find((c) => c.healthCheckId === healthCheckId);
    if (!control) return undefined;
    let seen: State = 'Off';
    for (const h of control.history) if (h.visibleAt <= now) seen = h.state;
    return seen === 'On';
  }

  /** Every control's current state, by ARN (what a read on any endpoint answers). */
  states(): Record<string, State> {
    return Object.fromEntries([...this.#controls.values()].map((c) => [c.arn, this.#stateNow(c)]));
  }

  #stateNow(control: Control): State {
    return control.history.at(-1)?.state ?? 'Off';
  }

  #control(arn: string | undefined): Control {
    const control = arn ? this.#controls.get(arn) : undefined;
    if (!control) {
      throw new SimFault(
        'ResourceNotFoundException',
        `Routing control ${arn ?? '(none)'} was not found.`,
        404,
        {
          resourceId: arn ?? '',
          resourceType: 'RoutingControl',
        },
      );
    }
    return control;
  }

  #update(
    entries: readonly { RoutingControlArn?: string; RoutingControlState?: string }[],
    overrides: readonly string[],
    region: string,
    now: number,
  ): object {
    const recent = (this.#recentChanges.get(region) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= STATE_CHANGES_PER_SECOND) {
      this.#recentChanges.set(region, recent);
      throw new SimFault('ThrottlingException', 'Rate exceeded', 429);
    }
    this.#recentChanges.set(region, [...recent, now]);
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new SimFault(
        entries.length === 0 ? 'ValidationException' : 'ServiceLimitExceededException',
        `UpdateRoutingControlStateEntries must hold 1 to ${MAX_ENTRIES} entries, not ${entries.length}.`,
        entries.length === 0 ? 400 : 402,
      );
    }
    const changes = entries.map((e) => {
      const control = this.#control(e.RoutingControlArn);
      if (e.RoutingControlState !== 'On' && e.RoutingControlState !== 'Off') {
        throw new SimFault('ValidationException', `RoutingControlState must be On or Off.`, 400);
      }
      return { control, state: e.RoutingControlState as State };
    });
    const after = new Map([...this.#controls.values()].map((c) => [c.arn, this.#stateNow(c)]));
    for (const { control, state } of changes) after.set(control.arn, state);
    const touchedArns = changes.map((c) => c.control.arn);

    for (const rule of this.#rules) {
      if (overrides.includes(rule.arn)) continue;
      const guarded = rule.kind === 'assertion' ? rule.assertedControls : rule.targetControls;
      if (!guarded.some((arn) => touchedArns.includes(arn))) continue;
      const since = this.#ruleChangedAt.get(rule.arn);
      if (since !== undefined && now < since + rule.waitPeriodMs) {
        throw conflict(
          rule,
          `Request rejected: safety rule ${rule.name} is in its wait period (${rule.waitPeriodMs} ms after the last change to its routing controls).`,
        );
      }
      const judged = rule.kind === 'assertion' ? rule.assertedControls : rule.gatingControls;
      if (
        !holds(
          rule.config,
          judged.map((arn) => after.get(arn) ?? 'Off'),
        )
      ) {
        throw conflict(
          rule,
          `Request rejected: the routing control state change violates safety rule ${rule.name} (${rule.kind}).`,
        );
      }
    }

    const rng = this.world.rng('arc-propagation');
    for (const { control, state } of changes) {
      if (this.#stateNow(control) === state) continue;
      const last = control.history.at(-1)?.visibleAt ?? now;
      control.history.push({
        at: now,
        state,
        visibleAt: Math.max(now + rng.latency(this.world.latencies.healthToAnswers), last),
      });
      for (const rule of this.#rules) {
        const named =
          rule.kind === 'assertion'
            ? rule.assertedControls
            : [...rule.targetControls, ...rule.gatingControls];
        if (named.includes(control.arn)) this.#ruleChangedAt.set(rule.arn, now);
      }
    }
    return {};
  }
}

function conflict(rule: SafetyRulePlan, message: string): SimFault {
  return new SimFault('ConflictException', message, 409, {
    resourceId: rule.arn,
    resourceType: 'SafetyRule',
  });
}

/** ARC's RuleConfig, written apart from the orchestrator's copy so a drill checks one against the other. */
function holds(config: SafetyRulePlan['config'], states: readonly State[]): boolean {
  const on = states.filter((s) => s === 'On').length;
  let result: boolean;
  if (config.type === 'AND') result = on === states.length;
  else if (config.type === 'OR') result = on > 0;
  else result = on >= config.threshold;
  return config.inverted ? !result : result;
}

/**
 * Route 53 health checks that monitor an endpoint (the health-check records' own): unhealthy
 * while their region is service-down, as the checkers see it after the detection time
 * (interval x failure threshold), and as the name servers see it a propagation delay later.
 * One delay per check, drawn once: the same drill gives the same timeline.
 */
export class EndpointHealthChecks {
  readonly #checks = new Map<string, { region: string; lagMs: number }>();

  constructor(private readonly world: World) {
    const rng = world.rng('endpoint-health-checks');
    for (const record of world.plan.dns.records) {
      if (record.shift.mode !== 'health-check') continue;
      for (const [region, id] of Object.entries(record.shift.healthCheckIds)) {
        if (this.#checks.has(id)) continue;
        const lagMs =
          rng.latency(this.world.latencies.route53HealthCheckDetection) +
          rng.latency(this.world.latencies.healthToAnswers);
        this.#checks.set(id, { region, lagMs });
      }
    }
  }

  seenByDns(healthCheckId: string, now: number): boolean | undefined {
    const check = this.#checks.get(healthCheckId);
    if (!check) return undefined;
    return !this.world.isDown(check.region, 'service-down', now - check.lagMs);
  }
}
