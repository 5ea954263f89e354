import { deleteLock, type LockTable, lockTable, readLock, setCooldown } from '../aws/lock.js';
import { cooldownEndsAt, decideRelease, epochSeconds, isoOf } from '../decisions/lock.js';
import { unlockCommand } from '../decisions/lock-operator.js';
import { FailoverError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type Facts, type StepName } from '../timeline/types.js';
import type { ReleaseLockInput, ReleaseLockOutput } from './contracts-lock.js';

/**
 * The timeline has no 'release-lock' step name yet. The release runs just before the report, so
 * its events sit in the report's row rather than stretching the acquire-lock row over the whole
 * execution. Switch to 'release-lock' once STEP_NAMES has it.
 */
export const RELEASE_STEP: StepName = 'release-lock';

/**
 * Gives the plan's lock back at the end of an execution: into a cool-down after a failover that
 * moved something, deleted after one that moved nothing. Only the holder's own token releases;
 * a lock someone else took over is recorded, never overwritten. Releasing must not stop the
 * report: only a transient error throws (to be retried); a refused call is recorded.
 */
export async function releaseLock(input: ReleaseLockInput, deps: StepDeps): Promise<ReleaseLockOutput> {
  const { request, lock, outcome, acted } = input;
  const now = deps.now();
  if (!lock.acquired || lock.token === null) {
    return {
      action: 'none',
      cooldownUntil: null,
      timeline: [
        event(now, RELEASE_STEP, 'skipped', 'no failover lock to release: this execution took none'),
      ],
    };
  }

  const table = lockTable();
  const { dynamodb } = deps.clients.forRegion(table.region);
  const nowSeconds = epochSeconds(now);
  const release = { plan: request.planName, holder: request.executionName, token: lock.token };
  const kind = decideRelease(outcome, acted);
  const until = cooldownEndsAt(nowSeconds, deps.plan.cooldownMinutes);
  const facts: Facts = { token: lock.token, outcome, lockTable: table.name, lockRegion: table.region };

  try {
    const done =
      kind === 'cooldown'
        ? await setCooldown(dynamodb, table, { ...release, cooldownUntil: until })
        : await deleteLock(dynamodb, table, release);
    if (done) {
      return kind === 'cooldown'
        ? cooledDown(now, isoOf(until), deps.plan.cooldownMinutes, facts)
        : released(now, `released the failover lock; no cool-down: nothing moved (${outcome})`, facts);
    }

    // Not ours to release as asked: an earlier attempt already did, or someone took the lock over.
    const current = await readLock(dynamodb, table, request.planName);
    const ours = current?.holder === release.holder && current.token === release.token;
    if (kind === 'cooldown' && ours && current?.state === 'cooldown' && current.cooldownUntil !== null) {
      return cooledDown(now, isoOf(current.cooldownUntil), deps.plan.cooldownMinutes, facts);
    }
    if (kind === 'delete' && !current) {
      return released(now, 'the failover lock was already released (by an earlier attempt)', facts);
    }
    const message = current
      ? `lock was taken over by ${current.holder} (token ${current.token}, at ${current.acquiredAt}); this execution's ${kind === 'cooldown' ? 'cool-down' : 'release'} was not written`
      : 'the lock item is gone: another execution took it over and released it; no cool-down was set';
    return {
      action: 'taken-over',
      cooldownUntil: null,
      timeline: [
        event(now, RELEASE_STEP, 'unconfirmed', message, { ...facts, holder: current?.holder ?? null }),
      ],
    };
  } catch (error) {
    if (error instanceof FailoverError && error.transient) throw error;
    return refused(now, table, request.planName, error, facts);
  }
}

function cooledDown(now: Date, until: string, minutes: number, facts: Facts): ReleaseLockOutput {
  return {
    action: 'cooldown',
    cooldownUntil: until,
    timeline: [
      event(
        now,
        RELEASE_STEP,
        'succeeded',
        `released the failover lock into a ${minutes}-minute cool-down: automatic failovers are suppressed until ${until}`,
        { ...facts, cooldownUntil: until },
      ),
    ],
  };
}

function released(now: Date, message: string, facts: Facts): ReleaseLockOutput {
  return {
    action: 'released',
    cooldownUntil: null,
    timeline: [event(now, RELEASE_STEP, 'succeeded', message, facts)],
  };
}

/** The lock stays held until it expires; tell on-call how to free it sooner. */
function refused(now: Date, table: LockTable, plan: string, error: unknown, facts: Facts): ReleaseLockOutput {
  const detail = error instanceof Error ? error.message : String(error);
  const command = unlockCommand(plan, table);
  return {
    action: 'error',
    cooldownUntil: null,
    timeline: [
      event(
        now,
        RELEASE_STEP,
        'unconfirmed',
        `could not release the failover lock (${detail}); it frees itself when its hold expires. To free it sooner, once no failover of ${plan} runs: ${command}`,
        facts,
      ),
    ],
  };
}
