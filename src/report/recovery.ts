import { unlockCommand } from '../decisions/lock-operator.js';
import { assessRecoveryOutput, rollBackOutput } from '../recovery/contracts.js';
import { foundStateSchema, restoreCommands } from '../recovery/found.js';
import { releaseLockOutput } from '../steps/contracts-lock.js';
import { at, pick } from './state.js';
import type { FailoverReport } from './types.js';

type Recovery = FailoverReport['recovery'];
type LockState = FailoverReport['lock'];

/**
 * What the execution did after a failure: rolled back (and whether every service reads back as
 * found), rolled forward (traffic followed the writer), or nothing. Read from the state the
 * recovery steps leave (src/recovery/, statemachines/failover.asl.json AssessRecovery/RollBack).
 */
export function recoveryOf(state: unknown, capacityShort: readonly string[]): Recovery {
  const assess = pick(assessRecoveryOutput, at(state, 'recovery'));
  const rollBack = pick(rollBackOutput, at(state, 'steps', 'rollBack'));
  if (rollBack) {
    const notRestored = rollBack.entries.filter((e) => e.outcome === 'unconfirmed');
    const why = assess
      ? [
          ...assess.failures.map((f) => `Failed in ${f.phase}: ${f.error}: ${f.cause}`),
          `Target capacity when recovery looked (before the rollback): ${assess.targetCapacity.join(', ')}.`,
        ]
      : [];
    const result: Recovery = {
      kind: 'rolled-back',
      complete: rollBack.complete,
      notes: rollBack.complete
        ? [
            `Rolled back: every service in both regions reads back as found before the failover (${rollBack.entries.length} checked).`,
          ]
        : [...notRestored.map((e) => `Not restored: ${e.resource}: ${e.detail}`), ...rollBack.followUps],
    };
    result.notes.push(...why);
    return result;
  }
  if (assess && assess.decision === 'shift') {
    return {
      kind: 'rolled-forward',
      complete: capacityShort.length === 0,
      notes: [
        `Rolled forward after ${assess.failures.map((f) => `${f.error} in ${f.phase}`).join(', ') || 'a failure'}: ${assess.why}.`,
        ...(capacityShort.length > 0
          ? [
              `Serving short of the plan's capacity: ${capacityShort.join(', ')}. Add capacity in the target (quotas, placement) and let the services reach their active counts.`,
            ]
          : []),
      ],
    };
  }
  const failed = at(state, 'recoveryFailure') as { Error?: string; Cause?: string } | null | undefined;
  if (failed?.Error) {
    return {
      kind: 'none',
      complete: false,
      notes: [
        `Recovery could not run (${failed.Error}): where the writer is was never read, so nothing was rolled back or forward. The writer may still be moving: check \`aws rds describe-global-clusters\` in the target region before anything else, then roll back or forward by hand (runbooks/failure-paths.md).`,
        ...(pick(foundStateSchema, at(state, 'steps', 'found'))?.services ?? []).flatMap((service) =>
          restoreCommands(service).map((c) => `If the writer did not move, restore as found: ${c}`),
        ),
      ],
    };
  }
  if (assess) {
    // Recovery could not finish: if the writer never moved, these put everything back as found.
    const found = pick(foundStateSchema, at(state, 'steps', 'found'));
    const restore =
      // A split moved some databases: restoring the source's services would not bring them back.
      assess.writer !== 'target' && assess.writer !== 'split' && found
        ? found.services.flatMap((service) =>
            restoreCommands(service).map((c) => `If the writer did not move, restore as found: ${c}`),
          )
        : [];
    return {
      kind: 'none',
      complete: false,
      notes: [
        `Recovery stopped: ${assess.why}.`,
        ...restore,
        ...assess.handOver,
        ...assess.failures.map((f) => `Failed in ${f.phase}: ${f.error}: ${f.cause}`),
        `Target capacity when recovery looked: ${assess.targetCapacity.join(', ')}.`,
      ],
    };
  }
  return { kind: 'none', complete: true, notes: [] };
}

/**
 * Where the plan's lock stands after this execution, so nobody is surprised that the next start
 * is suppressed: freed, in cool-down, or still held (with the command that frees it).
 */
export function lockOf(state: unknown, planName: string | null): LockState {
  const acquired = at(state, 'steps', 'lock', 'acquired') === true;
  const release = pick(releaseLockOutput, at(state, 'steps', 'release'));
  const releaseFailure = at(state, 'steps', 'releaseFailure') as
    | { Error?: string; Cause?: string }
    | null
    | undefined;
  const table = process.env.FAILOVER_LOCK_TABLE ?? 'failover-locks';
  const region = process.env.AWS_REGION ?? '<orchestrator region>';
  const freeCommand = unlockCommand(planName ?? '<plan>', { region, name: table });
  if (!acquired) return { state: 'not-taken', detail: 'this execution took no lock', freeCommand: null };
  if (!release) {
    const why = releaseFailure?.Error ? ` (${releaseFailure.Error})` : '';
    return {
      state: 'held',
      detail: `the lock was not released${why}: it frees itself when its hold expires, and until then every start of ${planName ?? 'this plan'} is suppressed`,
      freeCommand,
    };
  }
  switch (release.action) {
    case 'cooldown':
      return {
        state: 'cooldown',
        detail: `released into a cool-down until ${release.cooldownUntil}: automatic failovers are suppressed until then`,
        freeCommand: null,
      };
    case 'released':
      return { state: 'released', detail: 'released, no cool-down', freeCommand: null };
    case 'none':
      return { state: 'not-taken', detail: 'this execution took no lock', freeCommand: null };
    case 'taken-over':
      return {
        state: 'taken-over',
        detail: 'another execution took the lock over; nothing written',
        freeCommand: null,
      };
    case 'error':
      return {
        state: 'held',
        detail: `the release was refused: the lock stays held until its hold expires, and every start of ${planName ?? 'this plan'} is suppressed until then`,
        freeCommand,
      };
  }
}
