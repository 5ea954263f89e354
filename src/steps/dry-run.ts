import { event, type Facts, type StepName, type TimelineEvent } from '../timeline/types.js';

/**
 * A dry run performs every read and decision of a real run and sends no change. What a real run
 * would change is recorded as a 'dry-run' event carrying this fact, with a message that starts
 * with "would ": the report lists exactly those events as the would-be actions. Other 'dry-run'
 * events (a poller with nothing to wait for, readiness going on despite problems) lack the fact.
 */
export const WOULD_FACT = 'wouldDo';

export function isDryRun(request: { dryRun?: boolean | undefined }): boolean {
  return request.dryRun === true;
}

export function wouldDo(now: Date, step: StepName, message: string, facts: Facts = {}): TimelineEvent {
  return event(now, step, 'dry-run', message, { ...facts, [WOULD_FACT]: true });
}

export function isWouldDo(e: TimelineEvent): boolean {
  return e.phase === 'dry-run' && e.facts?.[WOULD_FACT] === true;
}
