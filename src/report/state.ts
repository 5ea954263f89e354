import type { z } from 'zod';
import { STEP_NAMES } from '../timeline/types.js';

/** Small readers of the execution state shared by the report's parts. */

export function pick<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function at(state: unknown, ...path: string[]): unknown {
  let node = state;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Seconds between two ISO times, to a tenth. */
export const seconds = (from: string, to: string) =>
  Math.round((Date.parse(to) - Date.parse(from)) / 100) / 10;

/** A step's place in the workflow, for ordering rows and events that share a time. */
export const stepOrder = (step: string) => STEP_NAMES.indexOf(step as (typeof STEP_NAMES)[number]);
