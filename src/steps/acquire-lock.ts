import { type LockItem, lockTable, readLock, takeLock } from '../aws/lock.js';
import {
  type AcquireDecision,
  automaticFailbackReason,
  decideAcquire,
  epochSeconds,
  isoOf,
  lockExpiresAt,
  mayOverrideCooldown,
} from '../decisions/lock.js';
import { AwsTransientError } from '../errors.js';
import { publishMoment, withPublication } from '../events/build.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type Facts } from '../timeline/types.js';
import type { AcquireLockInput, AcquireLockOutput } from './contracts-lock.js';

/**
 * Between the read and the conditional write another execution may change the item; each time
 * it does, the step reads again and decides on what it sees. Three rounds lost in a row is not
 * a refusal, only contention: Step Functions retries the step (AwsTransientError).
 */
const MAX_ROUNDS = 3;

/**
 * Takes the plan's failover lock, or records why this request is not acted on: another failover
 * holds it, a cool-down after the last one is running (automatic requests only), or the request
 * is an automatic failback. Suppression is an answer, not an error. Dry runs read and say what
 * would happen, and take nothing.
 */
export async function acquireLock(input: AcquireLockInput, deps: StepDeps): Promise<AcquireLockOutput> {
  // "Failover Started" goes out while the lock is read and written, so it costs the failover
  // nothing unless EventBridge is slower than the lock (then at most its bound, src/events).
  const { request } = input;
  const started = publishMoment(deps.events, 'started', request, deps.now(), {
    summary: `${request.dryRun ? 'dry run of ' : ''}${request.mode} failover ${request.sourceRegion} -> ${request.targetRegion} started by ${request.requestedBy}: ${request.reason}`,
  });
  const output = await takeOrSuppress(input, deps);
  const { detailType, outcome } = await started;
  return withPublication(output, detailType, outcome);
}

async function takeOrSuppress(input: AcquireLockInput, deps: StepDeps): Promise<AcquireLockOutput> {
  const { request } = input;
  const now = deps.now();
  const nowSeconds = epochSeconds(now);

  const failback = automaticFailbackReason(request, deps.plan);
  if (failback) {
    const phase = request.dryRun ? 'dry-run' : 'suppressed';
    return {
      acquired: false,
      token: null,
      suppressedReason: failback,
      holder: null,
      timeline: [event(now, 'acquire-lock', phase, failback, { target: request.targetRegion })],
    };
  }

  const table = lockTable();
  const { dynamodb } = deps.clients.forRegion(table.region);
  const where: Facts = { lockTable: table.name, lockRegion: table.region };

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const current = await readLock(dynamodb, table, request.planName);
    const decision = decideAcquire(request, current, nowSeconds);
    if (request.dryRun) return dryRun(decision, now, where);
    if (decision.kind === 'suppress') {
      return {
        acquired: false,
        token: null,
        suppressedReason: decision.reason,
        holder: decision.holder,
        timeline: [
          event(now, 'acquire-lock', 'suppressed', `recorded, not acted on: ${decision.reason}`, {
            ...where,
            holder: decision.holder,
          }),
        ],
      };
    }
    if (decision.kind === 'already-held') {
      return held(
        decision.lock,
        now,
        where,
        'already held by this execution (a retried attempt): same token',
      );
    }
    const taken = await takeLock(dynamodb, table, {
      plan: request.planName,
      holder: request.executionName,
      mode: request.mode,
      targetRegion: request.targetRegion,
      acquiredAt: now.toISOString(),
      expiresAt: lockExpiresAt(nowSeconds),
      now: nowSeconds,
      overrideCooldown: mayOverrideCooldown(request.mode),
    });
    if (taken) {
      const facts: Facts = { ...where, expiresAt: isoOf(taken.expiresAt) };
      if (decision.previousHolder) facts.previousHolder = decision.previousHolder;
      if (decision.note) facts.note = decision.note;
      return held(taken, now, facts, decision.note ? `took the lock; ${decision.note}` : 'took the lock');
    }
  }
  throw new AwsTransientError(
    `the lock on plan ${request.planName} changed between read and write ${MAX_ROUNDS} times in a row`,
  );
}

function held(lock: LockItem, now: Date, facts: Facts, what: string): AcquireLockOutput {
  return {
    acquired: true,
    token: lock.token,
    suppressedReason: null,
    holder: lock.holder,
    timeline: [
      event(now, 'acquire-lock', 'succeeded', `${what} (plan ${lock.plan}, token ${lock.token})`, {
        ...facts,
        token: lock.token,
      }),
    ],
  };
}

function dryRun(decision: AcquireDecision, now: Date, where: Facts): AcquireLockOutput {
  const result = (message: string, suppressedReason: string | null, holder: string | null, facts: Facts) => ({
    acquired: false,
    token: null,
    suppressedReason,
    holder,
    timeline: [event(now, 'acquire-lock', 'dry-run', message, { ...where, ...facts })],
  });
  switch (decision.kind) {
    case 'take':
      return result(
        `would take the lock (token ${decision.expectedToken})${decision.note ? `; ${decision.note}` : ''}; a dry run takes nothing`,
        null,
        null,
        { token: decision.expectedToken },
      );
    case 'already-held':
      return result(
        `this execution already holds the lock (token ${decision.lock.token}); a dry run takes nothing`,
        null,
        decision.lock.holder,
        { token: decision.lock.token },
      );
    case 'suppress':
      return result(`would be suppressed: ${decision.reason}`, decision.reason, decision.holder, {
        holder: decision.holder,
      });
  }
}
