import type { z } from 'zod';
import { assessRecoveryOutput } from '../recovery/contracts.js';
import {
  checkPromotionOutput,
  type checkReadinessOutput,
  type PromotedDatabase,
  type promoteOutput,
} from '../steps/contracts.js';
import { checkDetachOutput, detachTargetOutput } from '../steps/contracts-operators.js';
import { AURORA_FENCING_PREFIX } from '../steps/fence-old-primary.js';
import { at, pick } from './state.js';
import type { FailoverReport, Outcome } from './types.js';

/**
 * Which database is where, and each one's RPO, read from the execution state: the report of a
 * plan with several databases lists every one of them, and takes its RPO as the worst of theirs.
 * With one database the single entry says what the report's own fields say.
 */

type Promote = z.infer<typeof promoteOutput>;
type Readiness = z.infer<typeof checkReadinessOutput>;
type Rpo = FailoverReport['rpo'];
export type ReportDatabase = FailoverReport['databases'][number];

/** The promotion's per-database entries; an output without a list speaks for its one database. */
export function promotedEntries(state: unknown, promote: Promote | null): PromotedDatabase[] {
  if (promote?.databases) return promote.databases;
  const ids = databaseIds(state);
  if (!promote || ids.length !== 1) return [];
  return [
    {
      globalClusterIdentifier: ids[0] as string,
      action: promote.action,
      ...(promote.reason === undefined ? {} : { reason: promote.reason }),
      rpoLagMsBeforePromotion: promote.rpoLagMsBeforePromotion,
      ...(promote.rpoBoundSeconds === undefined ? {} : { rpoBoundSeconds: promote.rpoBoundSeconds }),
    },
  ];
}

/** The plan's global clusters as the execution named them: its promotion, else its fencing. */
function databaseIds(state: unknown): string[] {
  const listed = at(state, 'takeover', 'promote', 'databases');
  if (Array.isArray(listed))
    return listed.map((d) => String((d as { globalClusterIdentifier?: unknown }).globalClusterIdentifier));
  const fencing = at(state, 'takeover', 'fence', 'fencing');
  if (!Array.isArray(fencing)) return [];
  return fencing
    .map((f) => String((f as { resource?: unknown }).resource ?? ''))
    .filter((r) => r.startsWith(AURORA_FENCING_PREFIX))
    .map((r) => r.slice(AURORA_FENCING_PREFIX.length));
}

/** The databases whose target was detached (sent or found leaving). */
export function detachedIds(state: unknown): string[] {
  const detach = pick(detachTargetOutput, at(state, 'takeover', 'detach'));
  if (!detach) return [];
  const gone = (action: string) => action === 'detached' || action === 'already-detached';
  if (detach.databases)
    return detach.databases.filter((d) => gone(d.action)).map((d) => d.globalClusterIdentifier);
  return gone(detach.action) ? databaseIds(state) : [];
}

/**
 * One database's RPO, the rules of the report's RPO (DESIGN.md "Timeline and report"): planned
 * and verified, 0; unplanned, the lag last observed before promotion, capped by rds.global_db_rpo.
 */
export function rpoOne(
  mode: string | null,
  outcome: Outcome,
  promote: Pick<PromotedDatabase, 'action' | 'rpoLagMsBeforePromotion' | 'rpoBoundSeconds'> | null,
  readinessLagMs: number | null,
  switchedOver: boolean,
): Rpo {
  if (outcome === 'no-action') return { seconds: null, basis: 'no failover: no data moved' };
  if (mode === 'planned') {
    return switchedOver
      ? { seconds: 0, basis: 'switchover verified: Aurora waited for full sync, no data lost' }
      : { seconds: null, basis: 'switchover not verified: RPO unknown' };
  }
  if (promote?.action === 'already-writer') {
    return {
      seconds: null,
      basis: 'target was already writer when this execution started: RPO not observed',
    };
  }
  const lagMs = promote?.rpoLagMsBeforePromotion ?? readinessLagMs;
  // rds.global_db_rpo: Aurora blocked every commit that would have left the secondary further
  // behind than this, so no more than this was lost, whatever the lag read (or not read).
  const bound = promote?.rpoBoundSeconds;
  const capped =
    bound === undefined ? '' : `; at most ${bound} s: rds.global_db_rpo blocks commits beyond it`;
  if (lagMs === null || !promote) {
    return promote && bound !== undefined
      ? {
          seconds: bound,
          basis: `upper bound: rds.global_db_rpo is ${bound} s (Aurora blocks commits beyond it); no RPO lag was observed before promotion`,
        }
      : { seconds: null, basis: 'unknown: no RPO lag was observed before promotion' };
  }
  const observed = Math.round(lagMs) / 1000;
  return {
    seconds: bound === undefined ? observed : Math.min(observed, bound),
    basis: `estimate: AuroraGlobalDBRPOLag last observed before ${promote.action === 'detach' ? 'the target was detached' : 'promotion'}; writes in that window may be lost${capped}`,
  };
}

export interface DatabaseFacts {
  mode: string | null;
  outcome: Outcome;
  dryRun: boolean;
  sourceRegion: string | null;
  targetRegion: string | null;
  /** The target was verified serving (every database writes there). */
  verified: boolean;
  promote: Promote | null;
  readiness: Readiness | null;
}

/**
 * Where each database's writer is as far as the execution could tell, how it got there, its RPO;
 * and, with several databases, the report's RPO: the worst of those whose writer moved, each
 * listed. Unknown for any of them makes it unknown: a known worst would understate the loss.
 */
export function reportDatabases(
  state: unknown,
  facts: DatabaseFacts,
): { databases: ReportDatabase[]; worst: Rpo | null } {
  const rows = rowsOf(state, facts);
  const databases = rows.map(({ basis: _basis, ...row }) => row);
  const moved = rows.filter((d) => d.how !== 'not moved');
  if (rows.length <= 1 || moved.length === 0 || facts.dryRun) return { databases, worst: null };
  const each = moved.map(
    (d) => `${d.globalClusterIdentifier} ${d.rpoSeconds === null ? 'unknown' : `${d.rpoSeconds} s`}`,
  );
  const unknown = moved.find((d) => d.rpoSeconds === null);
  const worstRow = unknown ?? moved.reduce((a, b) => ((b.rpoSeconds ?? 0) > (a.rpoSeconds ?? 0) ? b : a));
  return {
    databases,
    worst: {
      seconds: unknown ? null : worstRow.rpoSeconds,
      basis: `the worst of ${moved.length} databases whose writer moved (${each.join(', ')}); ${worstRow.globalClusterIdentifier}: ${worstRow.basis}`,
    },
  };
}

function rowsOf(state: unknown, facts: DatabaseFacts): (ReportDatabase & { basis: string })[] {
  const entries = promotedEntries(state, facts.promote);
  const ids = entries.length > 0 ? entries.map((e) => e.globalClusterIdentifier) : databaseIds(state);
  const detached = new Set(detachedIds(state));
  const assess = pick(assessRecoveryOutput, at(state, 'recovery'));
  const polled = [
    ...(pick(checkPromotionOutput, at(state, 'takeover', 'promotion'))?.databases ?? []),
    ...(pick(checkDetachOutput, at(state, 'takeover', 'detachStatus'))?.databases ?? []),
  ];
  const { sourceRegion: source, targetRegion: target } = facts;
  return ids.map((id) => {
    const entry = entries.find((e) => e.globalClusterIdentifier === id) ?? null;
    const observed =
      assess?.databases?.find((d) => d.globalClusterIdentifier === id)?.writer ??
      (ids.length === 1 ? assess?.writer : undefined);
    const writerRegion = facts.dryRun
      ? source
      : facts.verified || polled.some((p) => p.globalClusterIdentifier === id && p.done)
        ? target
        : observed === 'target'
          ? target
          : observed === 'source' || !entry
            ? source
            : null;
    const how =
      writerRegion === source ? 'not moved' : detached.has(id) ? 'detach' : (entry?.action ?? 'unknown');
    const lag = facts.readiness?.databases?.find((d) => d.globalClusterIdentifier === id)?.rpoLagMs;
    const switchedOver = facts.mode === 'planned' && writerRegion === target;
    const rpo =
      writerRegion === source
        ? { seconds: null, basis: 'not moved' }
        : rpoOne(facts.mode, facts.outcome, entry, lag ?? facts.readiness?.rpoLagMs ?? null, switchedOver);
    return {
      globalClusterIdentifier: id,
      writerRegion,
      how,
      rpoSeconds: facts.dryRun ? null : rpo.seconds,
      basis: rpo.basis,
    };
  });
}
