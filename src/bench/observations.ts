import { sameDnsValue } from '../dns-answers/decision.js';
import type { FailoverPlan } from '../plan/schema.js';
import type { CloudSnapshot } from '../sim/types.js';

/**
 * What the benchmark keeps of each simulated-cloud snapshot: the parts that say when the
 * database, the compute and the DNS answers reached the target (metrics, tables and
 * notifications are dropped to keep a long drill's record small).
 */
export interface Observation {
  /** Epoch ms (virtual time). */
  at: number;
  database: Pick<CloudSnapshot['database'], 'writerRegion' | 'members'>;
  services: Pick<CloudSnapshot['services'][number], 'region' | 'cluster' | 'service' | 'running'>[];
  dns: CloudSnapshot['dns'];
}

export function observe(snapshot: CloudSnapshot): Observation {
  return {
    at: Date.parse(snapshot.at),
    database: { writerRegion: snapshot.database.writerRegion, members: snapshot.database.members },
    services: snapshot.services.map(({ region, cluster, service, running }) => ({
      region,
      cluster,
      service,
      running,
    })),
    dns: snapshot.dns,
  };
}

/** The parts of the plan the predicates read. */
export type PlanView = Pick<FailoverPlan, 'services'> & {
  dns: {
    records: Pick<FailoverPlan['dns']['records'][number], 'hostedZoneId' | 'name' | 'type' | 'value'>[];
  };
};

/** The target's cluster is the only global writer (what verify-target checks first). */
export function targetIsWriter(o: Observation, target: string): boolean {
  return (
    o.database.writerRegion === target && o.database.members.some((m) => m.region === target && m.isWriter)
  );
}

/** A write sent to `region`'s cluster would not commit (the client's view, not the API's). */
export function refusesWrites(o: Observation, region: string): boolean {
  const member = o.database.members.find((m) => m.region === region);
  return member !== undefined && !member.acceptsWrites;
}

/**
 * Every plan service in `target` runs at least its activeCount: the serving threshold
 * verify-target holds the target to.
 */
export function targetServing(o: Observation, plan: PlanView, target: string): boolean {
  return plan.services.every((svc) => {
    const cluster = svc.cluster[target] ?? svc.name;
    const name = svc.service[target] ?? svc.name;
    const seen = o.services.find((s) => s.region === target && s.cluster === cluster && s.service === name);
    return seen !== undefined && seen.running >= svc.activeCount;
  });
}

const fqdn = (name: string) =>
  name.toLowerCase().endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`;

/**
 * Every record of the plan is answered, by the authoritative name servers, with the target's
 * value only. Mirrors how the simulated name servers choose (src/dns-answers/simulated.ts): in a
 * weighted set only records with weight > 0 answer, unless all weigh 0 (then all do); otherwise
 * every record of the set that Route 53 serves (health checks applied) may answer.
 */
export function dnsPointsAt(o: Observation, plan: PlanView, target: string): boolean {
  return plan.dns.records.every((record) => {
    const targetValue = record.value[target];
    if (targetValue === undefined) return false;
    const sets = o.dns.filter(
      (r) =>
        r.hostedZoneId === record.hostedZoneId &&
        fqdn(r.name) === fqdn(record.name) &&
        r.type === record.type,
    );
    const weighted = sets.some((r) => r.weight !== null);
    const positive = sets.filter((r) => (r.weight ?? 0) > 0);
    const answering = weighted ? (positive.length > 0 ? positive : sets) : sets.slice(0, 1);
    if (answering.length === 0) return false;
    return answering.every((r) => {
      const values = r.value.split(',').filter((v) => v !== '');
      return values.length > 0 && values.every((v) => sameDnsValue(v, targetValue));
    });
  });
}

/**
 * The first moment at or after `from` when `holds` is true, or null. Observations are recorded
 * on change (time order), so the state at `from` is the last one observed at or before it: if
 * that one holds, the answer is `from` itself.
 */
export function firstAt(
  observations: readonly Observation[],
  from: number,
  holds: (o: Observation) => boolean,
): number | null {
  let before: Observation | undefined;
  for (const o of observations) {
    if (o.at <= from) {
      before = o;
      continue;
    }
    if (before) {
      if (holds(before)) return from;
      before = undefined;
    }
    if (holds(o)) return o.at;
  }
  return before && holds(before) ? from : null;
}
