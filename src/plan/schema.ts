import * as z from 'zod';
import { budgetProblem } from './budget.js';
import { databaseProblems, databaseSchema, databasesOf, MAX_DATABASES } from './databases.js';
import { hookProblems, hooksSchema } from './hooks.js';
import { isKnownRegion, KNOWN_REGIONS } from './regions.js';
import { stateSizeProblems } from './state-size.js';
import { routingControlClusterSchema, shiftSchema, trafficProblems } from './traffic.js';

/**
 * The failover plan: everything the orchestrator may touch, declared per stage and
 * validated by this one schema at package time and at cold start. There is no runtime
 * lookup of configuration in another region (static stability).
 */

export const regionSchema = z.string().refine(isKnownRegion, {
  error: (issue) =>
    `"${String(issue.input)}" is not an AWS region (known: ${KNOWN_REGIONS.slice(0, 4).join(', ')}, ...)`,
});

const identifier = z.string().min(1).max(255);
const hostedZoneId = z
  .string()
  .regex(/^Z[A-Z0-9]{4,32}$/, { error: 'must be a Route 53 hosted zone id (Z...)' });
const nameServerHost = z
  .string()
  .regex(/^(?=.{1,253}\.?$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i, {
    error: 'must be a name server host name, e.g. ns-1324.awsdns-37.org',
  });

/** A value for each of the plan's two regions, keyed by region name. */
const perRegion = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

export const comparisonSchema = z.enum(['>', '>=', '<', '<=']);

export const metricSignalSchema = z.strictObject({
  name: identifier,
  /** The region whose health this signal describes. */
  watches: regionSchema,
  /** The region whose CloudWatch holds the metric (a canary in the standby region may watch the primary). */
  readFrom: regionSchema,
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  dimensions: z.array(z.strictObject({ name: z.string().min(1), value: z.string().min(1) })).default([]),
  stat: z.string().min(1).default('Average'),
  periodSeconds: z
    .number()
    .int()
    .refine((p) => p === 10 || p === 30 || p % 60 === 0, {
      error: 'must be 10, 30 or a multiple of 60',
    }),
  /** A datapoint is failing when `value <comparison> threshold`. */
  failingWhen: z.strictObject({ comparison: comparisonSchema, threshold: z.number() }),
});

export const ecsServiceSchema = z.strictObject({
  name: identifier,
  /** ECS cluster name per region. */
  cluster: perRegion(identifier),
  /** ECS service name per region. */
  service: perRegion(identifier),
  /** desiredCount the service must reach in the region that becomes primary. */
  activeCount: z.number().int().min(1).max(5000),
  /** Whether Application Auto Scaling manages the service (then its minimum is raised too). */
  autoScaling: z.boolean().default(false),
});

export const dnsRecordSchema = z.strictObject({
  hostedZoneId,
  name: z.string().min(1),
  type: z.enum(['A', 'AAAA', 'CNAME']),
  ttlSeconds: z.number().int().min(0).max(172800),
  /**
   * weighted: one weighted record per region (SetIdentifier per region); shifting sets the
   * target's weight to 100 and the other to 0. simple: one record whose value is replaced by
   * the target region's value. failover: a PRIMARY record (regions.primary) and a SECONDARY one
   * (regions.standby), each with a health check: Route 53 answers PRIMARY while it is healthy.
   */
  routing: z.enum(['weighted', 'simple', 'failover']),
  setIdentifier: perRegion(z.string().min(1)).optional(),
  /** The record value (ALB DNS name or address) per region. */
  value: perRegion(z.string().min(1)),
  /** How the record moves (plan/traffic.ts); record-upsert, through Route 53's control plane, when absent. */
  shift: shiftSchema.default({ mode: 'record-upsert' }),
});

export const failoverPlanSchema = z
  .strictObject({
    planVersion: z.literal(1),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be lower-case letters, digits and -' }),
    regions: z.strictObject({ primary: regionSchema, standby: regionSchema }),
    triggers: z.strictObject({
      /** CloudWatch alarms (in the orchestrator's own region) whose ALARM state starts a failover. */
      alarmNames: z.array(z.string().min(1)).min(1),
    }),
    /** One Aurora global cluster (plan/databases.ts); or `databases`, several: exactly one of the two. */
    database: databaseSchema.optional(),
    /** Several Aurora global clusters, one writer region for all: moved together (plan/databases.ts). */
    databases: z.array(databaseSchema).min(1).max(MAX_DATABASES).optional(),
    services: z.array(ecsServiceSchema).min(1),
    dns: z.strictObject({
      records: z.array(dnsRecordSchema).min(1),
      /**
       * The authoritative name servers of every hosted zone a record lives in, by hosted zone id
       * (the zone's NS records: `aws route53 get-hosted-zone --id Z...`, DelegationSet). Traffic is
       * verified by asking them directly what they answer. Named in the plan because reading them
       * (GetHostedZone) is a control-plane call served from us-east-1. Per zone, not per record: the
       * name servers belong to the zone, every record in it shares them, and one list cannot disagree
       * with itself.
       */
      nameServers: z.record(z.string(), z.array(nameServerHost).min(1)),
      /** The Route 53 ARC cluster of the routing-control records: endpoints, and a copy of the safety rules. */
      routingControl: routingControlClusterSchema.optional(),
      /**
       * Planned moves only: step the source's weight down through these values (e.g. [75, 50, 25])
       * one interval apart before the switchover, instead of a hard cut. Weighted records only.
       */
      drain: z
        .strictObject({
          sourceWeights: z.array(z.number().int().min(1).max(99)).min(1).max(20),
          intervalSeconds: z.number().int().min(10).max(3600),
        })
        .optional(),
    }),
    signals: z.array(metricSignalSchema).min(1),
    sustained: z
      .strictObject({
        failingDatapoints: z.number().int().min(1),
        ofLastDatapoints: z.number().int().min(1),
        /** How many distinct signals must show K of N failing. */
        minFailingSignals: z.number().int().min(1).default(2),
        recheckIntervalSeconds: z.number().int().min(5).max(900).default(30),
        maxRechecks: z.number().int().min(0).max(20).default(4),
      })
      .refine((s) => s.failingDatapoints <= s.ofLastDatapoints, {
        error: 'failingDatapoints (K) must not exceed ofLastDatapoints (N)',
        path: ['failingDatapoints'],
      }),
    approval: z
      .strictObject({
        /** What an alarm-started failover does before its first change. Operator starts never wait. */
        automatic: z.enum(['proceed', 'wait', 'wait-then-proceed']),
        timeoutSeconds: z.number().int().min(60).max(86_400).default(900),
        /** SNS topic (in the orchestrator's region) told how to approve or reject. */
        topicArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, {
            error: 'must be an SNS topic ARN',
          })
          .optional(),
      })
      .refine((a) => a.automatic === 'proceed' || a.topicArn !== undefined, {
        error: 'topicArn is required when automatic failovers wait for approval',
        path: ['topicArn'],
      })
      .default({ automatic: 'proceed', timeoutSeconds: 900 }),
    /** Minutes after a failover during which a new automatic one is suppressed (no flapping). */
    cooldownMinutes: z.number().int().min(0).max(1440).default(60),
    /**
     * Unplanned moves: the share of each service's activeCount that must run in the target before
     * traffic may move (the scale-up carries on to 100% after). Below 100 an operator trades
     * partial capacity for a shorter outage; a planned move always scales fully first.
     */
    capacity: z
      .strictObject({ shiftAtPercent: z.number().int().min(1).max(100).default(100) })
      .default({ shiftAtPercent: 100 }),
    timeouts: z
      .strictObject({
        /** Bound on each call into the failed region (fencing, reading its metrics). */
        failedRegionCallMs: z.number().int().min(100).max(20_000).default(3000),
        /**
         * How long a managed failover or switchover may take before it counts as stuck (an
         * unplanned one then falls back to detaching the target, which gets as long again). 900 s:
         * AWS says "within a few minutes", a user measured about 8 minutes end to end, and the
         * drills' pessimistic profile (src/sim/latencies.ts) takes up to ~9 min with the pending
         * phase and the read lag; a detach takes up to ~10 min there.
         */
        promotionSeconds: z.number().int().min(60).max(3600).default(900),
        scaleSeconds: z.number().int().min(60).max(3600).default(900),
        dnsSyncSeconds: z.number().int().min(30).max(1800).default(300),
      })
      .default({ failedRegionCallMs: 3000, promotionSeconds: 900, scaleSeconds: 900, dnsSyncSeconds: 300 }),
    /** The team's Lambda functions invoked at fixed points of a failover (plan/hooks.ts). */
    hooks: hooksSchema.optional(),
  })
  .superRefine((plan, ctx) => {
    const regions: string[] = [plan.regions.primary, plan.regions.standby];
    // An unknown region is already reported; cross-checks against it would only bury that line.
    if (regions.some((region) => !isKnownRegion(region))) return;
    if (plan.regions.primary === plan.regions.standby) {
      ctx.addIssue({
        code: 'custom',
        path: ['regions', 'standby'],
        message: 'must differ from regions.primary',
      });
    }
    const requireBothRegions = (record: Record<string, unknown> | undefined, path: (string | number)[]) => {
      if (!record) return;
      for (const region of regions) {
        if (!(region in record))
          ctx.addIssue({ code: 'custom', path, message: `has no entry for ${region}` });
      }
      for (const key of Object.keys(record)) {
        if (!regions.includes(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, key],
            message: `"${key}" is not one of the plan's regions (${regions.join(', ')})`,
          });
        }
      }
    };
    for (const problem of databaseProblems(plan, regions)) ctx.addIssue({ code: 'custom', ...problem });
    plan.services.forEach((svc, i) => {
      requireBothRegions(svc.cluster, ['services', i, 'cluster']);
      requireBothRegions(svc.service, ['services', i, 'service']);
    });
    plan.dns.records.forEach((record, i) => {
      requireBothRegions(record.value, ['dns', 'records', i, 'value']);
      if (!plan.dns.nameServers[record.hostedZoneId]) {
        ctx.addIssue({
          code: 'custom',
          path: ['dns', 'nameServers'],
          message: `has no name servers for hosted zone ${record.hostedZoneId} (dns.records[${i}] ${record.name}): list its NS records`,
        });
      }
      if (record.routing !== 'simple') {
        if (!record.setIdentifier) {
          ctx.addIssue({
            code: 'custom',
            path: ['dns', 'records', i, 'setIdentifier'],
            message: `is required for ${record.routing} routing`,
          });
        }
        requireBothRegions(record.setIdentifier, ['dns', 'records', i, 'setIdentifier']);
      }
    });
    plan.signals.forEach((signal, i) => {
      for (const field of ['watches', 'readFrom'] as const) {
        if (!regions.includes(signal[field])) {
          ctx.addIssue({
            code: 'custom',
            path: ['signals', i, field],
            message: `"${signal[field]}" is not one of the plan's regions`,
          });
        }
      }
    });
    for (const region of regions) {
      const watching = plan.signals.filter((s) => s.watches === region).length;
      if (watching < plan.sustained.minFailingSignals) {
        ctx.addIssue({
          code: 'custom',
          path: ['signals'],
          message: `${watching} signal(s) watch ${region} but sustained.minFailingSignals is ${plan.sustained.minFailingSignals}: a failover out of ${region} could never be confirmed`,
        });
      }
    }
    const zones = new Set(plan.dns.records.map((record) => record.hostedZoneId));
    for (const zone of Object.keys(plan.dns.nameServers)) {
      if (!zones.has(zone)) {
        ctx.addIssue({
          code: 'custom',
          path: ['dns', 'nameServers', zone],
          message: `"${zone}" is not the hosted zone of any dns record`,
        });
      }
    }
    if (plan.dns.drain) {
      plan.dns.records.forEach((record, i) => {
        if (record.routing !== 'weighted') {
          ctx.addIssue({
            code: 'custom',
            path: ['dns', 'records', i, 'routing'],
            message: 'must be weighted when dns.drain is set (only weights can be stepped)',
          });
        }
      });
      const regional = databasesOf(plan).filter((db) => db.writesVia !== 'global-writer-endpoint');
      if (regional.length > 0) {
        const which = plan.databases
          ? ` (not set on ${regional.map((db) => db.globalClusterIdentifier).join(', ')})`
          : '';
        ctx.addIssue({
          code: 'custom',
          path: ['dns', 'drain'],
          message: `needs database.writesVia "global-writer-endpoint"${which}: while both regions serve, both must write to the current writer`,
        });
      }
      const weights = plan.dns.drain.sourceWeights;
      if (weights.some((w, i) => i > 0 && w >= (weights[i - 1] ?? 0))) {
        ctx.addIssue({
          code: 'custom',
          path: ['dns', 'drain', 'sourceWeights'],
          message: 'must go down step by step, e.g. [75, 50, 25]',
        });
      }
    }
    const topic = plan.approval.topicArn;
    if (topic && topic.split(':')[3] !== plan.regions.standby) {
      // Only the standby's orchestrator fails over automatically (no automatic failback), and SNS
      // publishes within a region: the approvals topic lives where approvals are asked.
      ctx.addIssue({
        code: 'custom',
        path: ['approval', 'topicArn'],
        message: `must be a topic in ${plan.regions.standby} (regions.standby), where automatic failovers run`,
      });
    }
    for (const problem of trafficProblems(plan)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of hookProblems(plan, regions)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of stateSizeProblems(plan)) ctx.addIssue({ code: 'custom', ...problem });
    const names = plan.signals.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup)
      ctx.addIssue({ code: 'custom', path: ['signals'], message: `signal name "${dup}" is used twice` });
    // Last: the waits are summed from fields checked above.
    const overBudget = budgetProblem(plan);
    if (overBudget) ctx.addIssue({ code: 'custom', path: overBudget.path, message: overBudget.message });
  });

export type FailoverPlan = z.infer<typeof failoverPlanSchema>;
export type MetricSignal = z.infer<typeof metricSignalSchema>;
export type EcsServicePlan = z.infer<typeof ecsServiceSchema>;
export type DnsRecordPlan = z.infer<typeof dnsRecordSchema>;
export type Comparison = z.infer<typeof comparisonSchema>;
export type { DatabasePlan } from './databases.js';
