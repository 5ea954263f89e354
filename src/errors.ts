/**
 * Every error the steps throw on purpose. Each has a literal `name`: the state machine's
 * Retry and Catch match on it, so never rename one without changing statemachines/ too.
 * The table in README.md ("Errors") says which state catches each and what the operator does.
 */

export abstract class FailoverError extends Error {
  /** Transient errors are retried by the state machine; the rest go to the failure path. */
  abstract readonly transient: boolean;
}

/** The plan file is missing or does not match the schema. Fatal. */
export class PlanInvalidError extends FailoverError {
  override readonly name = 'PlanInvalidError';
  readonly transient = false;
  constructor(
    message: string,
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The execution input is neither a known alarm event nor a valid manual/planned start. Fatal. */
export class InputInvalidError extends FailoverError {
  override readonly name = 'InputInvalidError';
  readonly transient = false;
}

/** An AWS API throttled, timed out or returned a 5xx. Retried with backoff and jitter. */
export class AwsTransientError extends FailoverError {
  override readonly name = 'AwsTransientError';
  readonly transient = true;
}

/** An AWS API refused the request (access denied, not found, invalid state). Fatal. */
export class AwsRequestError extends FailoverError {
  override readonly name = 'AwsRequestError';
  readonly transient = false;
}

/** The target region is not ready to take over (headless cluster, missing service, ...). Fatal. */
export class TargetNotReadyError extends FailoverError {
  override readonly name = 'TargetNotReadyError';
  readonly transient = false;
}

/** A polled operation did not finish by its deadline (promotion, scale-up, DNS sync). Fatal. */
export class DeadlineExceededError extends FailoverError {
  override readonly name = 'DeadlineExceededError';
  readonly transient = false;
}

/** The target region did not pass verification after traffic moved. Fatal: a human decides. */
export class TargetUnhealthyError extends FailoverError {
  override readonly name = 'TargetUnhealthyError';
  readonly transient = false;
}

/**
 * Route 53's control plane (us-east-1) does not answer while us-east-1 is the failed region.
 * Fatal for the automated shift: traffic moves with Route 53 ARC routing controls (data plane)
 * or health-checked records instead; the runbook says how.
 */
export class ControlPlaneUnavailableError extends FailoverError {
  override readonly name = 'ControlPlaneUnavailableError';
  readonly transient = false;
}

/**
 * A Route 53 ARC safety rule refused a routing control change (ConflictException from the
 * cluster). Fatal: the message names the rule and what the operator may do; nothing else is
 * changed after the refusal.
 */
export class SafetyRuleRefusedError extends FailoverError {
  override readonly name = 'SafetyRuleRefusedError';
  readonly transient = false;
  constructor(
    message: string,
    /** The refusing rule's ARN, when the cluster or the plan's copy of the rules names it. */
    readonly ruleArn: string | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The managed Aurora failover did not finish by its deadline: the fallback detaches the target.
 * With several databases, also a managed move cancelled while another database's writer moved:
 * past the point of no return it rolls forward by the same fallback.
 */
export class PromotionStuckError extends FailoverError {
  override readonly name = 'PromotionStuckError';
  readonly transient = false;
}

/** This execution no longer holds the plan's failover lock (its token was superseded). Fatal. */
export class LockLostError extends FailoverError {
  override readonly name = 'LockLostError';
  readonly transient = false;
}

/**
 * Sent by the approver (SendTaskFailure error name), never thrown by a step: a human said no.
 * Listed so the state machine's Catch on it is checked like every other name.
 */
export const APPROVAL_REJECTED = 'ApprovalRejected';

/**
 * Raised by the state machine itself, never by a step: the database branch's Fail state
 * (AbandonTakeOver) stops the take-over Parallel with it, carrying the branch's state in its
 * Cause; the Parallel's Catch sends it to recovery.
 */
export const TAKE_OVER_ABANDONED = 'TakeOverAbandoned';
/** The Fail state of a roll-forward that serves short of the plan's capacity (outcome partial). */
export const FAILOVER_INCOMPLETE = 'FailoverIncomplete';

/**
 * Set by the state machine itself, never thrown: a plan hook with onFailure abort failed or timed
 * out (src/plan/hooks.ts), and a Pass state puts this name in $.failure before the failure path.
 */
export const HOOK_ABORTED = 'HookAborted';

/** Every error name the state machine may see from a step, for the consistency test. */
export const ERROR_NAMES = [
  'PlanInvalidError',
  'InputInvalidError',
  'AwsTransientError',
  'AwsRequestError',
  'TargetNotReadyError',
  'DeadlineExceededError',
  'TargetUnhealthyError',
  'ControlPlaneUnavailableError',
  'SafetyRuleRefusedError',
  'PromotionStuckError',
  'LockLostError',
  APPROVAL_REJECTED,
  TAKE_OVER_ABANDONED,
  FAILOVER_INCOMPLETE,
  HOOK_ABORTED,
] as const;
