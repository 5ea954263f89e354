import type {
  ChangeInfo,
  ChangeResourceRecordSetsRequest,
  GetChangeRequest,
  ListResourceRecordSetsRequest,
  ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import type { DnsRecordPlan } from '../plan/schema.js';
import { SimFault } from './errors.js';
import type { CloudSnapshot } from './types.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

type Records = Map<string, ResourceRecordSet>;

interface Change {
  readonly id: string;
  readonly zone: string;
  readonly submittedAt: number;
  readonly insyncAt: number;
  readonly comment: string | undefined;
  /** The zone's records once this change is applied, for the name servers at INSYNC. */
  readonly result: Records;
  applied: boolean;
}

const PREFIX = /^\/(hostedzone|change)\//;
const fqdn = (name: string | undefined) => {
  const lower = (name ?? '').toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
};
const keyOf = (r: ResourceRecordSet) => `${fqdn(r.Name)}|${r.Type}|${r.SetIdentifier ?? ''}`;
/** Route 53 lists by name with the labels reversed (com.example.www.), then type, then set id. */
const sortKey = (r: { Name?: string; Type?: string; SetIdentifier?: string }) =>
  [
    `${fqdn(r.Name).slice(0, -1).split('.').reverse().join('.')}.`,
    r.Type ?? '',
    r.SetIdentifier ?? '',
  ] as const;
const compare = (a: readonly string[], b: readonly string[]) => {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};
const sameValues = (a: ResourceRecordSet, b: ResourceRecordSet) => {
  const norm = (r: ResourceRecordSet) =>
    JSON.stringify([
      r.TTL,
      r.Weight,
      r.AliasTarget?.DNSName,
      (r.ResourceRecords ?? []).map((v) => v.Value).sort(),
    ]);
  return norm(a) === norm(b);
};
/** Weighted, failover, latency, geo: each needs a SetIdentifier. Weighted and failover routing are simulated (see `answered`). */
const hasRoutingPolicy = (r: ResourceRecordSet) =>
  [
    r.Weight,
    r.Failover,
    r.Region,
    r.GeoLocation,
    r.MultiValueAnswer,
    r.CidrRoutingConfig,
    r.GeoProximityLocation,
  ].some((field) => field !== undefined);
const describe = (r: ResourceRecordSet) =>
  `[name='${fqdn(r.Name)}', type='${r.Type}'${r.SetIdentifier ? `, set-identifier='${r.SetIdentifier}'` : ''}]`;

/** Route 53 health checks as far as the records need them: which one a record carries, its status. */
export interface HealthView {
  /** The health check on the plan record's set in `region`, when its shift mode puts one there. */
  checkOf(record: DnsRecordPlan, region: string): string | undefined;
  /** Its status as the name servers see it at `now`; undefined for an id no model knows. */
  seenByDns(healthCheckId: string, now: number): boolean | undefined;
}

/**
 * The records of one name and type that Route 53 answers with (Developer Guide, "How Amazon
 * Route 53 chooses records when health checking is configured"; API Reference, ResourceRecordSet
 * `Failover`). A record without a health check is healthy.
 *
 * - failover: the PRIMARY while it is healthy; else the SECONDARY while it is healthy; else the PRIMARY.
 * - weighted: the healthy records, weights kept (the name servers answer by weight among them:
 *   the non-zero ones, or all equally when every weight left is 0, which is how Route 53 turns to
 *   the zero-weight records once every non-zero one is unhealthy); when none is healthy, Route 53
 *   treats them all as healthy.
 * - simple: the record.
 */
function answered(
  group: ResourceRecordSet[],
  healthy: (r: ResourceRecordSet) => boolean,
): ResourceRecordSet[] {
  if (group.some((r) => r.Failover !== undefined)) {
    const primary = group.filter((r) => r.Failover === 'PRIMARY');
    const secondary = group.filter((r) => r.Failover === 'SECONDARY');
    if (primary.some(healthy)) return primary.filter(healthy);
    if (secondary.some(healthy)) return secondary.filter(healthy);
    return primary.length > 0 ? primary : secondary;
  }
  const up = group.filter(healthy);
  return up.length > 0 ? up : group;
}

/**
 * Route 53's control plane, served from us-east-1. A change is visible to
 * ListResourceRecordSets at once and reaches the name servers (the snapshot's `dns`) at INSYNC;
 * changes to one zone become INSYNC in the order they were submitted. What the name servers
 * answer also follows the records' health checks (HealthView), which need no control plane.
 *
 * No read lag is modelled on purpose: AWS documents ListResourceRecordSets as reading its own
 * writes. Route 53 API Reference, ListResourceRecordSets, "Resource record sets that are
 * PENDING": "This action returns the most current version of the records. This includes records
 * that are PENDING, and that are not yet available on all Route 53 DNS servers." The lag users
 * report is DNS propagation (PENDING until INSYNC, route53ChangeInsync), modelled above, not the
 * API (e.g. aws/aws-cli issue 6581 turned out to be a controller overwriting the record). The
 * one documented inconsistency is paging while a change lands ("some pages may display results
 * without the latest changes"), which the plan's few records never need.
 */
export class Route53Model implements ServiceModel {
  readonly service = 'route53' as const;
  readonly handlers: Record<string, Handler>;
  readonly #records = new Map<string, Records>();
  readonly #served = new Map<string, Records>();
  readonly #changes: Change[] = [];

  readonly #health: HealthView;

  constructor(
    private readonly world: World,
    options: {
      initialWriter: 'primary' | 'standby';
      syncMs: number | undefined;
      /** Health checks as the name servers see them (traffic-modes/simulated.ts); none when absent. */
      health?: HealthView;
    },
  ) {
    this.#health = options.health ?? { checkOf: () => undefined, seenByDns: () => undefined };
    const serving =
      options.initialWriter === 'standby' ? world.plan.regions.standby : world.plan.regions.primary;
    for (const record of world.plan.dns.records) {
      const zone = this.#zone(record.hostedZoneId, true);
      const base = { Name: fqdn(record.name), Type: record.type, TTL: record.ttlSeconds };
      const perRegion = (region: string): ResourceRecordSet => {
        const healthCheckId = this.#health.checkOf(record, region);
        return {
          ...base,
          SetIdentifier: record.setIdentifier?.[region] ?? region,
          ...(record.routing === 'failover'
            ? { Failover: region === world.plan.regions.primary ? 'PRIMARY' : 'SECONDARY' }
            : { Weight: region === serving ? 100 : 0 }),
          ...(healthCheckId ? { HealthCheckId: healthCheckId } : {}),
          ResourceRecords: [{ Value: record.value[region] ?? '' }],
        };
      };
      const sets: ResourceRecordSet[] =
        record.routing === 'simple'
          ? [{ ...base, ResourceRecords: [{ Value: record.value[serving] ?? '' }] }]
          : world.regions.map(perRegion);
      for (const set of sets) zone.set(keyOf(set), set);
    }
    for (const [zone, records] of this.#records) this.#served.set(zone, new Map(records));

    this.handlers = {
      ListResourceRecordSets: op<ListResourceRecordSetsRequest>((input) => {
        const zone = this.#zone(input.HostedZoneId);
        if (
          (input.StartRecordType && !input.StartRecordName) ||
          (input.StartRecordIdentifier && !input.StartRecordType)
        ) {
          throw new SimFault(
            'InvalidInput',
            'StartRecordType needs StartRecordName, StartRecordIdentifier needs StartRecordType.',
          );
        }
        const sorted = [...zone.values()].sort((a, b) => compare(sortKey(a), sortKey(b)));
        const start = input.StartRecordName
          ? sortKey({
              Name: input.StartRecordName,
              Type: input.StartRecordType,
              SetIdentifier: input.StartRecordIdentifier,
            })
          : undefined;
        const depth = input.StartRecordIdentifier ? 3 : input.StartRecordType ? 2 : 1;
        const from = start
          ? sorted.findIndex((r) => compare(sortKey(r).slice(0, depth), start.slice(0, depth)) >= 0)
          : 0;
        const maxItems = Math.min(300, Number(input.MaxItems ?? 300));
        const begin = from < 0 ? sorted.length : from;
        const page = sorted.slice(begin, begin + maxItems);
        const next = sorted[begin + maxItems];
        return {
          ResourceRecordSets: structuredClone(page),
          IsTruncated: next !== undefined,
          MaxItems: maxItems,
          ...(next
            ? {
                NextRecordName: next.Name,
                NextRecordType: next.Type,
                ...(next.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}),
              }
            : {}),
        };
      }),
      ChangeResourceRecordSets: op<ChangeResourceRecordSetsRequest>((input, _region, now) => {
        const zoneId = (input.HostedZoneId ?? '').replace(PREFIX, '');
        const zone = this.#zone(zoneId);
        const working: Records = new Map(zone);
        const problems: string[] = [];
        for (const change of input.ChangeBatch?.Changes ?? []) {
          const set = structuredClone(change.ResourceRecordSet ?? {}) as ResourceRecordSet;
          set.Name = fqdn(set.Name);
          const key = keyOf(set);
          const current = working.get(key);
          const identified = set.SetIdentifier !== undefined;
          if (identified !== hasRoutingPolicy(set)) {
            problems.push(
              `Invalid request: ${describe(set)} needs a SetIdentifier exactly when it has a routing policy`,
            );
          } else if (change.Action === 'CREATE' || change.Action === 'UPSERT') {
            if (change.Action === 'CREATE' && current) {
              problems.push(`Tried to create resource record set ${describe(set)} but it already exists`);
            } else if (
              [...working.values()].some(
                (r) =>
                  fqdn(r.Name) === set.Name &&
                  r.Type === set.Type &&
                  (r.SetIdentifier !== undefined) !== identified,
              )
            ) {
              problems.push(
                `RRSet ${describe(set)} cannot mix records with and without a routing policy under one name and type`,
              );
            } else working.set(key, set);
          } else if (!current) {
            problems.push(`Tried to delete resource record set ${describe(set)} but it was not found`);
          } else if (!sameValues(current, set)) {
            problems.push(
              `Tried to delete resource record set ${describe(set)} but the values provided do not match the current values`,
            );
          } else working.delete(key);
        }
        if (problems.length > 0) {
          throw new SimFault('InvalidChangeBatch', `[${problems.join(', ')}]`, 400, { messages: problems });
        }
        this.#records.set(zoneId, working);
        const rng = this.world.rng('route53');
        const previous = this.#changes.filter((c) => c.zone === zoneId).at(-1);
        const id = `C${rng.chars(13)}`;
        const propagation = rng.latency(this.world.latencies.route53ChangeInsync);
        const change: Change = {
          id,
          zone: zoneId,
          submittedAt: now,
          insyncAt: Math.max(now + (options.syncMs ?? propagation), previous?.insyncAt ?? 0),
          comment: input.ChangeBatch?.Comment,
          result: new Map(working),
          applied: false,
        };
        this.#changes.push(change);
        return { ChangeInfo: this.#info(change, now) };
      }),
      GetChange: op<GetChangeRequest>((input, _region, now) => {
        const id = (input.Id ?? '').replace(PREFIX, '');
        const change = this.#changes.find((c) => c.id === id);
        if (!change) throw new SimFault('NoSuchChange', `Could not find resource with ID: ${id}`, 404);
        return { ChangeInfo: this.#info(change, now) };
      }),
    };
  }

  advance(now: number): void {
    for (const change of this.#changes) {
      if (!change.applied && change.insyncAt <= now) {
        this.#served.set(change.zone, change.result);
        change.applied = true;
      }
    }
  }

  /** What the name servers answer at `now`: the served records Route 53 chooses among, health applied. */
  snapshot(now: number): CloudSnapshot['dns'] {
    return [...this.#served].flatMap(([hostedZoneId, records]) => {
      const sorted = [...records.values()].sort((a, b) => compare(sortKey(a), sortKey(b)));
      const healthy = (r: ResourceRecordSet) =>
        r.HealthCheckId === undefined ? null : (this.#health.seenByDns(r.HealthCheckId, now) ?? true);
      const groups = new Map<string, ResourceRecordSet[]>();
      for (const r of sorted) {
        const key = `${fqdn(r.Name)}|${r.Type}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      return [...groups.values()].flatMap((group) =>
        answered(group, (r) => healthy(r) !== false).map((r) => ({
          hostedZoneId,
          name: r.Name ?? '',
          type: r.Type ?? '',
          setIdentifier: r.SetIdentifier ?? null,
          value: r.AliasTarget?.DNSName ?? (r.ResourceRecords ?? []).map((v) => v.Value).join(','),
          weight: r.Weight ?? null,
          failover: r.Failover ?? null,
          healthCheckId: r.HealthCheckId ?? null,
          healthy: healthy(r),
        })),
      );
    });
  }

  #info(change: Change, now: number): ChangeInfo {
    return {
      Id: `/change/${change.id}`,
      Status: now >= change.insyncAt ? 'INSYNC' : 'PENDING',
      SubmittedAt: new Date(change.submittedAt),
      ...(change.comment === undefined ? {} : { Comment: change.comment }),
    };
  }

  #zone(id: string | undefined, create = false): Records {
    const zoneId = (id ?? '').replace(PREFIX, '');
    let zone = this.#records.get(zoneId);
    if (!zone && create) {
      zone = new Map();
      this.#records.set(zoneId, zone);
    }
    if (!zone) throw new SimFault('NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`, 404);
    return zone;
  }
}
