import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { PlanInvalidError } from '../errors.js';
import { type FailoverPlan, failoverPlanSchema } from './schema.js';

/** Renders zod issues as one line each: `services[0].activeCount: must be >= 1`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, key) =>
        typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
      '',
    );
    return `${path || '(root)'}: ${issue.message}`;
  });
}

export function parsePlan(raw: unknown, source: string): FailoverPlan {
  const result = failoverPlanSchema.safeParse(raw);
  if (!result.success) {
    const lines = formatIssues(result.error.issues);
    throw new PlanInvalidError(`failover plan ${source} is invalid:\n  - ${lines.join('\n  - ')}`, lines);
  }
  return result.data;
}

export function loadPlanFile(path: string): FailoverPlan {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new PlanInvalidError(`failover plan ${path} cannot be read: ${(error as Error).message}`, [], {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PlanInvalidError(`failover plan ${path} is not valid JSON: ${(error as Error).message}`, [], {
      cause: error,
    });
  }
  return parsePlan(raw, path);
}

let cached: { path: string; plan: FailoverPlan } | undefined;

/**
 * The plan this function was deployed with, parsed once per cold start. The deployment packages
 * `plans/<stage>.json` and points FAILOVER_PLAN_FILE at it; a bad plan fails loudly here.
 */
export function currentPlan(): FailoverPlan {
  const path = process.env.FAILOVER_PLAN_FILE;
  if (!path) throw new PlanInvalidError('environment variable FAILOVER_PLAN_FILE is not set', []);
  if (cached?.path !== path) cached = { path, plan: loadPlanFile(path) };
  return cached.plan;
}
