import { PlanInvalidError } from '../errors.js';
import { databasesOf } from '../plan/databases.js';
import type { DnsRecordPlan, FailoverPlan } from '../plan/schema.js';
import type { FailoverRequest } from '../steps/request.js';
import { inRegion, normalizeDnsName, type RecordSetState, type RecordShift } from './traffic.js';

/**
 * The gradual drain of a planned move, decided from the weighted records as Route 53 shows them.
 * Pure: drain-traffic reads the records, asks what to UPSERT and sends it.
 *
 * Weights: at step i the source's record gets `sourceWeights[i]` and the target's record
 * `100 - sourceWeights[i]`. Route 53 answers each weighted record in proportion to its weight
 * over the sum of the set, and the pair always sums to 100, so a weight reads directly as the
 * percentage of DNS answers that region gets: [75, 50, 25] moves 25 % of answers per step. The
 * last configured step leaves the source some share; the cut to 0/100 stays with shift-traffic,
 * after the switchover made the target the writer.
 *
 * A drain only ever moves answers towards the target: when a record already gives the source
 * this step's share or less (an earlier execution, an operator, a retried step), it is left alone.
 */

/** The two weights of a drained record always sum to this, so weight = percentage of answers. */
export const DRAIN_TOTAL_WEIGHT = 100;

export type DrainPlanDecision =
  /** Nothing to drain (not a planned move, or no dns.drain): the move is one cut after the switchover. */
  | { kind: 'skip'; reason: string }
  /**
   * Stop before any change: TargetNotReadyError when draining could send writes nowhere,
   * PlanInvalidError when the plan's weights cannot express a drain.
   */
  | { kind: 'refuse'; error: 'TargetNotReadyError' | 'PlanInvalidError'; reason: string }
  /** Every configured step was applied by earlier invocations. */
  | { kind: 'complete'; index: number; sourceWeight: number; targetWeight: number }
  | {
      kind: 'step';
      index: number;
      /** How many steps the plan configures. */
      of: number;
      sourceWeight: number;
      targetWeight: number;
      /** The last configured step: the drain is done once it is applied. */
      last: boolean;
      intervalSeconds: number;
    };

/** Which step comes next, and whether draining is allowed at all. */
export function decideDrainPlan(
  request: Pick<FailoverRequest, 'mode' | 'targetRegion'>,
  plan: FailoverPlan,
  previousIndex: number | undefined,
): DrainPlanDecision {
  const drain = plan.dns.drain;
  if (request.mode !== 'planned') {
    return {
      kind: 'skip',
      reason: `a ${request.mode} failover moves traffic in one cut after the promotion`,
    };
  }
  if (!drain) {
    return {
      kind: 'skip',
      reason: `plan ${plan.name} sets no dns.drain: traffic moves in one cut after the switchover`,
    };
  }
  // Every database: one read-only secondary is enough to break the writes routed to it.
  const regional = databasesOf(plan).find((db) => db.writesVia !== 'global-writer-endpoint');
  if (regional) {
    const which = plan.databases ? ` for ${regional.globalClusterIdentifier}` : '';
    return {
      kind: 'refuse',
      error: 'TargetNotReadyError',
      reason:
        `plan ${plan.name} sets database.writesVia "${regional.writesVia}"${which}: while both regions serve, ` +
        `the tasks in ${request.targetRegion} would write to their own cluster, a read-only secondary until the switchover. ` +
        'Drain only when the services write through the global writer endpoint or write forwarding ' +
        '(database.writesVia "global-writer-endpoint"), or remove dns.drain to move traffic in one cut after the switchover. Nothing was changed.',
    };
  }
  const tooHeavy = drain.sourceWeights.filter((w) => w >= DRAIN_TOTAL_WEIGHT);
  if (tooHeavy.length > 0) {
    return {
      kind: 'refuse',
      error: 'PlanInvalidError',
      reason: `plan ${plan.name}: dns.drain.sourceWeights ${tooHeavy.join(', ')}: each must be below ${DRAIN_TOTAL_WEIGHT} (the source's percentage of answers; the target gets the rest)`,
    };
  }

  const weights = drain.sourceWeights;
  const index = (previousIndex ?? -1) + 1;
  if (index >= weights.length) {
    const lastIndex = weights.length - 1;
    const sourceWeight = weights[lastIndex] ?? 0;
    return {
      kind: 'complete',
      index: lastIndex,
      sourceWeight,
      targetWeight: DRAIN_TOTAL_WEIGHT - sourceWeight,
    };
  }
  const sourceWeight = weights[index] ?? 0;
  return {
    kind: 'step',
    index,
    of: weights.length,
    sourceWeight,
    targetWeight: DRAIN_TOTAL_WEIGHT - sourceWeight,
    last: index === weights.length - 1,
    intervalSeconds: drain.intervalSeconds,
  };
}

export interface DrainShift extends RecordShift {
  /** change: UPSERT `upserts`; already: this step's weights are set; ahead: the source has this share or less. */
  state: 'change' | 'already' | 'ahead';
  /** Percentage of answers the source got before this step, rounded. */
  sourcePercentBefore: number;
}

/**
 * The source's share of answers as a fraction num/den, as Route 53 computes it: weight over the
 * sum of the set's weights; when every weight is 0 the records are answered equally. A missing
 * record answers nothing.
 */
export function sourceShare(
  source: RecordSetState | undefined,
  target: RecordSetState | undefined,
): { num: number; den: number } {
  if (!source) return { num: 0, den: 1 };
  const s = source.weight ?? 0;
  const t = target?.weight ?? 0;
  if (s === 0 && t === 0) return target ? { num: 1, den: 2 } : { num: 1, den: 1 };
  return { num: s, den: s + t };
}

/** What one weighted record needs for the source to get `sourceWeight` % of answers. */
export function decideDrainRecord(
  record: DnsRecordPlan,
  current: readonly RecordSetState[],
  sourceRegion: string,
  targetRegion: string,
  sourceWeight: number,
): DrainShift {
  if (record.routing !== 'weighted') {
    const problem = `dns record ${record.name} ${record.type} uses ${record.routing} routing: only weighted records can be drained`;
    throw new PlanInvalidError(problem, [problem]);
  }
  const targetWeight = DRAIN_TOTAL_WEIGHT - sourceWeight;
  const sourceId = inRegion(record.setIdentifier, sourceRegion, 'setIdentifier', record);
  const targetId = inRegion(record.setIdentifier, targetRegion, 'setIdentifier', record);
  const source = current.find((c) => c.setIdentifier === sourceId);
  const target = current.find((c) => c.setIdentifier === targetId);
  const weights = (s: number | string, t: number | string) => `${sourceId}=${s} ${targetId}=${t}`;
  const before = weights(source?.weight ?? 'none', target?.weight ?? 'none');
  const share = sourceShare(source, target);
  const base = {
    record,
    from: before,
    ttlSeconds: Math.max(record.ttlSeconds, ...current.map((c) => c.ttl ?? 0)),
    sourcePercentBefore: Math.round((share.num * DRAIN_TOTAL_WEIGHT) / share.den),
  };

  if (source?.weight === sourceWeight && target?.weight === targetWeight) {
    return { ...base, to: before, upserts: [], state: 'already' };
  }
  // share <= sourceWeight / 100, in integers: never move answers back towards the source.
  if (share.num * DRAIN_TOTAL_WEIGHT <= sourceWeight * share.den) {
    return { ...base, to: before, upserts: [], state: 'ahead' };
  }

  const upserts: RecordSetState[] = [];
  if (target?.weight !== targetWeight) {
    upserts.push(
      target
        ? { ...target, weight: targetWeight }
        : {
            name: normalizeDnsName(record.name),
            type: record.type,
            setIdentifier: targetId,
            weight: targetWeight,
            ttl: record.ttlSeconds,
            values: [inRegion(record.value, targetRegion, 'value', record)],
          },
    );
  }
  // `source` exists here: a missing source record has share 0 and is 'ahead' above.
  if (source && source.weight !== sourceWeight) upserts.push({ ...source, weight: sourceWeight });
  return { ...base, to: weights(sourceWeight, targetWeight), upserts, state: 'change' };
}
