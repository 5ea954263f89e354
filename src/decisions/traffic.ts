import { InputInvalidError, PlanInvalidError } from '../errors.js';
import type { DnsRecordPlan } from '../plan/schema.js';

/**
 * Route 53 traffic decisions. Pure: shift-traffic reads the record sets, asks what to UPSERT and
 * sends it. "Already pointing at the target" is success: a retried step, an operator, or (for
 * health-checked failover records) Route 53 itself may have moved traffic first.
 */

/** One Route 53 record set, with the fields an UPSERT must carry over unchanged. */
export interface RecordSetState {
  name: string;
  type: string;
  setIdentifier?: string;
  weight?: number;
  ttl?: number;
  values: string[];
  alias?: { dnsName: string; hostedZoneId: string; evaluateTargetHealth: boolean };
  healthCheckId?: string;
}

export interface RecordShift {
  record: DnsRecordPlan;
  /** Complete record sets to UPSERT (UPSERT replaces a whole record set); empty when already done. */
  upserts: RecordSetState[];
  /** Where the record points now and where it will point, for the timeline. */
  from: string;
  to: string;
  /** Longest TTL a client may still hold the old answer for. */
  ttlSeconds: number;
}

export const TARGET_WEIGHT = 100;

/**
 * Route 53 returns names lower-cased, fully qualified and with special characters as octal
 * escapes (`*` is `\052`); plans write them as people do.
 */
export function normalizeDnsName(name: string): string {
  const decoded = name.replace(/\\(\d{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
  const lower = decoded.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** Load balancer aliases come back as `dualstack.<name>` whatever the plan wrote. */
function sameTarget(a: string, b: string): boolean {
  const strip = (n: string) => normalizeDnsName(n).replace(/^dualstack\./, '');
  return strip(a) === strip(b);
}

/** The plan's value for `region` in a per-region map of a record, or a clear error. */
export function inRegion(
  values: Record<string, string> | undefined,
  region: string,
  what: string,
  record: DnsRecordPlan,
) {
  const value = values?.[region];
  if (!value)
    throw new InputInvalidError(
      `record ${record.name} has no ${what} for ${region}: not one of the plan's regions`,
    );
  return value;
}

function longestTtl(record: DnsRecordPlan, current: readonly RecordSetState[]): number {
  return Math.max(record.ttlSeconds, ...current.map((c) => c.ttl ?? 0));
}

export function decideShift(
  record: DnsRecordPlan,
  current: readonly RecordSetState[],
  sourceRegion: string,
  targetRegion: string,
): RecordShift {
  return record.routing === 'weighted'
    ? decideWeighted(record, current, sourceRegion, targetRegion)
    : decideSimple(record, current, targetRegion);
}

function decideWeighted(
  record: DnsRecordPlan,
  current: readonly RecordSetState[],
  sourceRegion: string,
  targetRegion: string,
): RecordShift {
  const sourceId = inRegion(record.setIdentifier, sourceRegion, 'setIdentifier', record);
  const targetId = inRegion(record.setIdentifier, targetRegion, 'setIdentifier', record);
  const source = current.find((c) => c.setIdentifier === sourceId);
  const target = current.find((c) => c.setIdentifier === targetId);
  // A missing record set answers nothing, the same as weight 0.
  const sourceWeight = source?.weight ?? 0;
  const targetWeight = target?.weight ?? 0;
  const weights = (s: number, t: number) => `${sourceId}=${s} ${targetId}=${t}`;
  const shift = {
    record,
    from: weights(sourceWeight, targetWeight),
    to: weights(0, TARGET_WEIGHT),
    ttlSeconds: longestTtl(record, current),
  };

  // Every answer already goes to the target, whatever its exact weight: nothing to move.
  if (sourceWeight === 0 && targetWeight > 0) return { ...shift, to: shift.from, upserts: [] };

  const upserts: RecordSetState[] = [];
  if (targetWeight !== TARGET_WEIGHT) {
    upserts.push(
      target
        ? { ...target, weight: TARGET_WEIGHT }
        : {
            name: normalizeDnsName(record.name),
            type: record.type,
            setIdentifier: targetId,
            weight: TARGET_WEIGHT,
            ttl: record.ttlSeconds,
            values: [inRegion(record.value, targetRegion, 'value', record)],
          },
    );
  }
  if (source && sourceWeight !== 0) upserts.push({ ...source, weight: 0 });
  return { ...shift, upserts };
}

function decideSimple(
  record: DnsRecordPlan,
  current: readonly RecordSetState[],
  targetRegion: string,
): RecordShift {
  const targetValue = inRegion(record.value, targetRegion, 'value', record);
  const existing = current.find((c) => c.setIdentifier === undefined);
  const from = existing ? (existing.alias?.dnsName ?? existing.values.join(',')) : '(no record)';
  const shift = { record, from, to: targetValue, ttlSeconds: longestTtl(record, current) };

  if (existing?.alias) {
    if (sameTarget(existing.alias.dnsName, targetValue)) return { ...shift, to: from, upserts: [] };
    // An alias needs the load balancer's own hosted zone id, which the plan does not carry.
    const problem = `dns record ${record.name} ${record.type} is an alias record in Route 53, but the plan gives it a plain value`;
    throw new PlanInvalidError(`${problem}: use weighted routing for alias records`, [problem]);
  }
  const pointing = existing?.values.length === 1 && sameTarget(existing.values[0] ?? '', targetValue);
  if (pointing) return { ...shift, to: from, upserts: [] };

  const upsert: RecordSetState = {
    name: normalizeDnsName(record.name),
    type: record.type,
    ttl: record.ttlSeconds,
    values: [targetValue],
    ...(existing?.healthCheckId ? { healthCheckId: existing.healthCheckId } : {}),
  };
  return { ...shift, upserts: [upsert] };
}

/** Groups shifts by hosted zone: one change batch per zone, so a zone's records move together. */
export function upsertsByZone(shifts: readonly RecordShift[]): Map<string, RecordSetState[]> {
  const zones = new Map<string, RecordSetState[]>();
  for (const shift of shifts) {
    if (shift.upserts.length === 0) continue;
    const batch = zones.get(shift.record.hostedZoneId) ?? [];
    batch.push(...shift.upserts);
    zones.set(shift.record.hostedZoneId, batch);
  }
  return zones;
}
