import * as z from 'zod';

/**
 * Hooks: the team's own Lambda functions, invoked at fixed points of a failover (warm a cache,
 * pause a queue, tell a partner). Part of the one plan schema (schema.ts); here because the
 * points, the bounds and the cross-checks against the plan's regions are a chapter of their own.
 *
 *   beforeFencing      after readiness and approval, before the first change (fencing, or a
 *                      planned move's pre-scale and drain): abort stops with nothing changed
 *   afterPromotion     the database branch, once the target writes (beside the scale-up)
 *   afterScaleUp       once the take-over is done (the target writes and runs at capacity),
 *                      before the traffic shift
 *   afterTrafficShift  once the name servers answer the target, before verification
 *   afterReport        after the report of a failover that acted or failed: receives the report
 *
 * Past the point of no return (the writer moved) an abort cannot undo the promotion: it ends the
 * execution through recovery, which rolls forward (traffic follows the writer) and reports what a
 * human must do. After the report nothing is left to stop, so afterReport hooks cannot abort.
 */

export const HOOK_POINTS = [
  'beforeFencing',
  'afterPromotion',
  'afterScaleUp',
  'afterTrafficShift',
  'afterReport',
] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/**
 * The longest a hook may run. The invoke-hook step is a Lambda function with a 60 s timeout (its
 * Task's TimeoutSeconds too, serverless.yml); the Invoke call is aborted at the hook's timeout,
 * and the 15 s left cover the step's cold start, the connection (3 s, src/aws/clients.ts) and
 * writing the result. A longer job belongs in the hook's own asynchronous work (start it, return).
 */
export const MAX_HOOK_TIMEOUT_SECONDS = 45;
export const DEFAULT_HOOK_TIMEOUT_SECONDS = 10;

/** Lambda's FunctionName: a function name is letters, digits, - and _, at most 64 (Lambda API Reference, Invoke). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A version number or an alias name (`$LATEST`, `3`, `live`). */
const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const FUNCTION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;

export interface HookFunctionRef {
  /** The function name, without qualifier. */
  name: string;
  qualifier: string | null;
  /** Named by ARN: the ARN's region and account, where it is invoked. Named by name: null (the orchestrator's own region). */
  region: string | null;
  account: string | null;
  partition: string | null;
}

/** Reads a hook's `function`: a name (`name[:qualifier]`) or a function ARN; null when it is neither. */
export function parseHookFunction(value: string): HookFunctionRef | null {
  const arn = FUNCTION_ARN.exec(value);
  if (arn) {
    const [, partition, region, account, name, qualifier] = arn as unknown as string[];
    if (!FUNCTION_NAME.test(name ?? '') || (qualifier !== undefined && !QUALIFIER.test(qualifier)))
      return null;
    return {
      name: name as string,
      qualifier: qualifier ?? null,
      region: region ?? null,
      account: account ?? null,
      partition: partition ?? null,
    };
  }
  if (value.startsWith('arn:')) return null;
  const [name, qualifier, extra] = value.split(':');
  if (extra !== undefined || !FUNCTION_NAME.test(name ?? '')) return null;
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) return null;
  return { name: name as string, qualifier: qualifier ?? null, region: null, account: null, partition: null };
}

const functionSchema = z.string().refine((value) => parseHookFunction(value) !== null, {
  error: (issue) =>
    `"${String(issue.input)}" is not a Lambda function name (letters, digits, - and _, up to 64, optionally :version or :alias) or function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)`,
});

export const hookSchema = z.strictObject({
  /** A function name (invoked in the orchestrator's own region, so deploy it in both) or a function ARN. */
  function: functionSchema,
  /** How long the orchestrator waits for the function's answer; the function itself is not stopped. */
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(MAX_HOOK_TIMEOUT_SECONDS, {
      error: `must be at most ${MAX_HOOK_TIMEOUT_SECONDS}: the invoke-hook step runs in a 60 s Lambda (src/plan/hooks.ts); start longer work asynchronously and return`,
    })
    .default(DEFAULT_HOOK_TIMEOUT_SECONDS),
  /** abort: a failed or timed-out hook stops the failover (see above for what that means at each point). */
  onFailure: z.enum(['abort', 'continue']),
  /** Run only in planned moves; unplanned failovers skip it and say so (AWS Region switch skips custom Lambda steps in ungraceful mode). */
  plannedOnly: z.boolean().default(false),
});

/** At most one hook per point: a team with several things to do at one point has one function do them. */
export const hooksSchema = z.strictObject(
  Object.fromEntries(HOOK_POINTS.map((point) => [point, hookSchema.optional()])) as Record<
    HookPoint,
    z.ZodOptional<typeof hookSchema>
  >,
);

export type HookPlan = z.infer<typeof hookSchema>;
export type HooksPlan = z.infer<typeof hooksSchema>;

/** The plan's hooks as [point, hook] pairs, in workflow order. */
export function hooksOf(plan: { hooks?: HooksPlan | undefined }): [HookPoint, HookPlan][] {
  return HOOK_POINTS.flatMap((point) => {
    const hook = plan.hooks?.[point];
    return hook ? [[point, hook] as [HookPoint, HookPlan]] : [];
  });
}

/**
 * Cross-checks a hook against the rest of the plan, with the path of the field to fix:
 * - an ARN's region must be one of the plan's regions (a typo there is a function never found);
 * - an ARN pins the function to one region: with onFailure abort, an unplanned failover out of
 *   that region would wait on it, time out and abort the failover the outage needs. Name it by
 *   name (deployed in both regions), or make it plannedOnly.
 * - afterReport hooks cannot abort: the report is written and the execution is over.
 */
export function hookProblems(
  plan: { regions: { primary: string; standby: string }; hooks?: HooksPlan | undefined },
  regions: readonly string[],
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const [point, hook] of hooksOf(plan)) {
    const ref = parseHookFunction(hook.function);
    if (ref?.region && !regions.includes(ref.region)) {
      problems.push({
        path: ['hooks', point, 'function'],
        message: `names region "${ref.region}", which is not one of the plan's regions (${regions.join(', ')}): check the ARN`,
      });
    }
    if (ref?.region && hook.onFailure === 'abort' && !hook.plannedOnly) {
      problems.push({
        path: ['hooks', point, 'onFailure'],
        message: `abort with a function pinned to ${ref.region} by its ARN would abort every unplanned failover out of ${ref.region} (the function cannot answer from a failed region): name the function by name and deploy it in both regions, set plannedOnly, or use onFailure "continue"`,
      });
    }
    if (point === 'afterReport' && hook.onFailure === 'abort') {
      problems.push({
        path: ['hooks', point, 'onFailure'],
        message:
          'must be "continue": an afterReport hook runs once the report is written, when there is nothing left to abort',
      });
    }
  }
  return problems;
}

/**
 * Which points have a hook, for the request (src/steps/request.ts): the state machine has no plan,
 * so its Choice states read these flags and plans without hooks run no extra task.
 */
export function hookFlags(plan: { hooks?: HooksPlan | undefined }): Record<HookPoint, boolean> {
  return Object.fromEntries(HOOK_POINTS.map((point) => [point, plan.hooks?.[point] !== undefined])) as Record<
    HookPoint,
    boolean
  >;
}
