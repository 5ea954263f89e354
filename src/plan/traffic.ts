import * as z from 'zod';
import { isKnownRegion, KNOWN_REGIONS } from './regions.js';

/**
 * How each DNS record of the plan moves to the target region (its `shift`), and the Route 53 ARC
 * cluster the routing-control records use. Part of the one plan schema (schema.ts); here because
 * the cross-checks between records, routing controls and safety rules are a chapter of their own.
 *
 *   record-upsert    ChangeResourceRecordSets: Route 53's control plane, served from us-east-1
 *   routing-control  ARC routing controls (data plane): each drives a health check on the record
 *   health-check     the record's own health checks move it; the orchestrator changes nothing
 */

const region = z.string().refine(isKnownRegion, {
  error: (issue) =>
    `"${String(issue.input)}" is not an AWS region (known: ${KNOWN_REGIONS.slice(0, 4).join(', ')}, ...)`,
});
const perRegion = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

const ARC_ARN = /^arn:aws[a-z-]*:route53-recovery-control::\d{12}:controlpanel\/[A-Za-z0-9]+\//;
export const routingControlArnSchema = z
  .string()
  .regex(new RegExp(`${ARC_ARN.source}routingcontrol/[A-Za-z0-9]+$`), {
    error:
      'must be a routing control ARN (arn:aws:route53-recovery-control::ACCOUNT:controlpanel/ID/routingcontrol/ID)',
  });
export const safetyRuleArnSchema = z.string().regex(new RegExp(`${ARC_ARN.source}safetyrule/[A-Za-z0-9]+$`), {
  error:
    'must be a safety rule ARN (arn:aws:route53-recovery-control::ACCOUNT:controlpanel/ID/safetyrule/ID)',
});
/** Route 53 health check ids are UUIDs. */
const healthCheckId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
  error: 'must be a Route 53 health check id (a UUID, e.g. abcdef11-2222-3333-4444-555555fedcba)',
});

export const shiftSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('record-upsert') }),
    z.strictObject({
      mode: z.literal('routing-control'),
      /** The routing control whose health check is attached to each region's record. */
      routingControlArns: perRegion(routingControlArnSchema),
      /**
       * true (default): target On and source Off in one UpdateRoutingControlStates call, which the
       * safety rules judge as one transaction. false: target On first, then source Off once the
       * rules' wait period has passed (for control panels whose rules want one change at a time).
       */
      oneCall: z.boolean().default(true),
    }),
    z.strictObject({
      mode: z.literal('health-check'),
      /**
       * The Route 53 health check on each region's record. They move traffic by themselves (an
       * endpoint check, or one that follows a CloudWatch alarm in the standby region); the
       * orchestrator only waits until the name servers answer the target.
       */
      healthCheckIds: perRegion(healthCheckId),
    }),
  ],
  { error: 'mode must be "record-upsert", "routing-control" or "health-check"' },
);

/** ARC rule configuration: ATLEAST `threshold` of the controls On, AND (all On), OR (one On); inverted negates. */
const ruleConfigSchema = z.strictObject({
  type: z.enum(['ATLEAST', 'AND', 'OR']),
  threshold: z.number().int().min(0).default(1),
  inverted: z.boolean().default(false),
});
const ruleName = z.string().min(1).max(64);
/** ARC's default wait period (RuleConfig WaitPeriodMs, ARC API reference). */
export const DEFAULT_WAIT_PERIOD_MS = 5000;

export const safetyRuleSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('assertion'),
      name: ruleName,
      arn: safetyRuleArnSchema,
      /** After a change to any of these, the rule's configuration must hold over their states. */
      assertedControls: z.array(routingControlArnSchema).min(1),
      config: ruleConfigSchema,
      waitPeriodMs: z.number().int().min(0).max(600_000).default(DEFAULT_WAIT_PERIOD_MS),
    }),
    z.strictObject({
      kind: z.literal('gating'),
      name: ruleName,
      arn: safetyRuleArnSchema,
      /** The "switch": the configuration must hold over these for any target control to change. */
      gatingControls: z.array(routingControlArnSchema).min(1),
      targetControls: z.array(routingControlArnSchema).min(1),
      config: ruleConfigSchema,
      waitPeriodMs: z.number().int().min(0).max(600_000).default(DEFAULT_WAIT_PERIOD_MS),
    }),
  ],
  { error: 'kind must be "assertion" or "gating"' },
);

/**
 * The ARC cluster the routing-control records use. Its five regional endpoints are named here,
 * as `aws route53-recovery-control-config describe-cluster` lists them, because reading them is a
 * call to the recovery-control config API, which a failover never makes (it lives in us-west-2 and
 * is not built for the data plane's availability).
 *
 * `safetyRules` is a copy of the control panel's safety rules, for the same reason: readiness
 * judges the shift against them before anything moves, so a rule that would refuse it stops the
 * failover while nothing has changed. The cluster has the last word: a rule missing here still
 * refuses the change when it is made (SafetyRuleRefusedError).
 */
export const routingControlClusterSchema = z.strictObject({
  endpoints: z
    .array(
      z.strictObject({
        region,
        url: z.url({ protocol: /^https$/, error: 'must be the https URL the cluster lists for this region' }),
      }),
    )
    .length(5, {
      error:
        "must list the cluster's five regional endpoints (aws route53-recovery-control-config describe-cluster --cluster-arn ARN), so a call can move on when some do not answer",
    }),
  safetyRules: z.array(safetyRuleSchema).default([]),
});

export type ShiftPlan = z.infer<typeof shiftSchema>;
export type ShiftMode = ShiftPlan['mode'];
export type SafetyRulePlan = z.infer<typeof safetyRuleSchema>;
export type RoutingControlClusterPlan = z.infer<typeof routingControlClusterSchema>;

/** What the cross-checks need of a plan (schema.ts passes the parsed plan). */
interface TrafficPlanView {
  regions: { primary: string; standby: string };
  dns: {
    records: readonly {
      name: string;
      routing: 'weighted' | 'simple' | 'failover';
      shift: ShiftPlan;
    }[];
    routingControl?: RoutingControlClusterPlan | undefined;
  };
}

export interface PlanProblem {
  path: (string | number)[];
  message: string;
}

/** Cross-checks of the records' shift modes, the routing controls and the safety rules. */
export function trafficProblems(plan: TrafficPlanView): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const regions = [plan.regions.primary, plan.regions.standby];
  const cluster = plan.dns.routingControl;
  /** Which region each routing control stands for, across records: one control, one region. */
  const controlRegion = new Map<string, { region: string; at: string }>();

  plan.dns.records.forEach((record, i) => {
    const at = ['dns', 'records', i];
    const { shift } = record;
    if (shift.mode === 'record-upsert' && record.routing === 'failover') {
      problems.push({
        path: [...at, 'shift', 'mode'],
        message:
          'record-upsert cannot move a failover record (Route 53 answers PRIMARY while it is healthy): use "routing-control" or "health-check"',
      });
    }
    if (shift.mode !== 'record-upsert' && record.routing === 'simple') {
      problems.push({
        path: [...at, 'routing'],
        message: `must be "weighted" or "failover" for shift mode ${shift.mode}: health checks only steer records with a routing policy`,
      });
    }
    const perRegionField =
      shift.mode === 'routing-control'
        ? { key: 'routingControlArns', values: shift.routingControlArns }
        : shift.mode === 'health-check'
          ? { key: 'healthCheckIds', values: shift.healthCheckIds }
          : undefined;
    if (perRegionField) {
      const path = [...at, 'shift', perRegionField.key];
      for (const r of regions) {
        if (!(r in perRegionField.values)) problems.push({ path, message: `has no entry for ${r}` });
      }
      for (const key of Object.keys(perRegionField.values)) {
        if (!regions.includes(key)) {
          problems.push({
            path: [...path, key],
            message: `"${key}" is not one of the plan's regions (${regions.join(', ')})`,
          });
        }
      }
      const values = regions.map((r) => perRegionField.values[r]).filter((v) => v !== undefined);
      if (values.length === 2 && values[0] === values[1]) {
        problems.push({ path, message: 'names the same one for both regions: each region needs its own' });
      }
    }
    if (shift.mode === 'routing-control') {
      if (!cluster) {
        problems.push({
          path: ['dns', 'routingControl'],
          message: `is required: dns.records[${i}] ${record.name} moves by routing control, and the cluster's endpoints are named here`,
        });
      }
      for (const [r, arn] of Object.entries(shift.routingControlArns)) {
        const seen = controlRegion.get(arn);
        if (seen && seen.region !== r) {
          problems.push({
            path: [...at, 'shift', 'routingControlArns', r],
            message: `${arn} is ${seen.region}'s control in ${seen.at}: one routing control cannot stand for two regions`,
          });
        } else if (!seen) controlRegion.set(arn, { region: r, at: `dns.records[${i}]` });
      }
    }
  });

  if (cluster) {
    if (controlRegion.size === 0) {
      problems.push({
        path: ['dns', 'routingControl'],
        message: 'no dns record uses shift mode "routing-control": remove it, or give a record that mode',
      });
    }
    const endpointRegions = cluster.endpoints.map((e) => e.region);
    const twice = endpointRegions.find((r, i) => endpointRegions.indexOf(r) !== i);
    if (twice) {
      problems.push({
        path: ['dns', 'routingControl', 'endpoints'],
        message: `lists ${twice} twice: a cluster has one endpoint per region`,
      });
    }
    const names = cluster.safetyRules.map((rule) => rule.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) {
      problems.push({
        path: ['dns', 'routingControl', 'safetyRules'],
        message: `safety rule name "${dup}" is used twice`,
      });
    }
  }
  return problems;
}
