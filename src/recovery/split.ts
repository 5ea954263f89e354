import type { DatabasePlan } from '../plan/databases.js';
import { type DatabasesView, databasesOf } from '../plan/databases.js';
import type { WriterObservation } from './decide.js';

/**
 * Several databases, one verdict. The point of no return is the moment any database's writer
 * moves: from then on the source no longer holds all the data, so rolling back would split it
 * just the same, and traffic must follow the databases that moved. Mixed states are read as:
 *
 *   any read silent ───────────────────────────▶ silent   (look again, act on no guess)
 *   any read refused / no single writer ────────▶ unreadable / none (stop, a human decides)
 *   all target ─────────────────────────────────▶ target   (as with one database)
 *   some target, others source or still moving ─▶ split    (roll forward: traffic follows the ones
 *                                                            that moved; the rest handed over by name)
 *   none target, any moving ────────────────────▶ moving   (wait: Aurora is still deciding)
 *   all source ─────────────────────────────────▶ source   (roll back)
 *
 * A database still moving once another has moved does not hold traffic back: its move goes to
 * the same target, and a stuck one would hold it back for good.
 *
 * Pure: assess-recovery reads each database and feeds the observations in.
 */

export interface DatabaseWriter {
  id: string;
  kind: WriterObservation;
  detail: string;
}

const UNUSABLE: readonly WriterObservation[] = ['silent', 'unreadable', 'none'];

export function writersVerdict(databases: readonly DatabaseWriter[]): {
  kind: WriterObservation;
  detail: string;
} {
  const detail = databases.map((d) => `${d.id}: ${d.detail}`).join('; ');
  for (const kind of UNUSABLE) if (databases.some((d) => d.kind === kind)) return { kind, detail };
  const kinds = new Set(databases.map((d) => d.kind));
  if (kinds.size === 1) return { kind: databases[0]?.kind ?? 'none', detail };
  if (!kinds.has('target')) return { kind: 'moving', detail };
  const behind = databases.filter((d) => d.kind !== 'target').map((d) => d.id);
  return { kind: 'split', detail: `${detail} (split: ${behind.join(', ')} not writing in the target yet)` };
}

/**
 * What a human runs for each database left writing in the source, or still moving, while the
 * others moved. Each line names the database and says "still writes in" or "still moving" (the
 * drills' never-worse check looks for it).
 */
export function splitHandOver(
  plan: DatabasesView,
  request: { mode: string; sourceRegion: string; targetRegion: string },
  databases: readonly DatabaseWriter[],
): string[] {
  const { sourceRegion: s, targetRegion: t } = request;
  const byId = new Map<string, DatabasePlan>(databasesOf(plan).map((db) => [db.globalClusterIdentifier, db]));
  return databases
    .filter((d) => d.kind === 'source' || d.kind === 'moving')
    .map((d) => {
      const arn = byId.get(d.id)?.members[t] ?? `<${t} member of ${d.id}>`;
      if (d.kind === 'moving') {
        return `Database ${d.id} is still moving (${d.detail}) while the others moved to ${t}: clients in ${t} cannot write its data until it lands. Watch it (aws rds describe-global-clusters --region ${t} --global-cluster-identifier ${d.id}); if it stays stuck, detach it once ${s}'s services are fenced and stopped: aws rds remove-from-global-cluster --region ${t} --global-cluster-identifier ${d.id} --db-cluster-identifier ${arn} (runbooks/failure-paths.md, section Databases split).`;
      }
      const head = `Database ${d.id} still writes in ${s} while the others moved to ${t}: clients in ${t} cannot write its data until it moves.`;
      return request.mode === 'planned'
        ? `${head} Switch it over (both regions are up): aws rds switchover-global-cluster --region ${s} --global-cluster-identifier ${d.id} --target-db-cluster-identifier ${arn}; or switch the others back the same way if it cannot move (runbooks/failure-paths.md, section Databases split).`
        : `${head} Once ${s}'s services are fenced and stopped, fail it over: aws rds failover-global-cluster --region ${t} --global-cluster-identifier ${d.id} --target-db-cluster-identifier ${arn} --allow-data-loss; if RDS refuses, detach it: aws rds remove-from-global-cluster --region ${t} --global-cluster-identifier ${d.id} --db-cluster-identifier ${arn} (runbooks/failure-paths.md, section Databases split).`;
    });
}
