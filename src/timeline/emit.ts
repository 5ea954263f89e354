import { Logger } from '@aws-lambda-powertools/logger';
import type { TimelineEvent } from './types.js';

export const logger = new Logger({ serviceName: 'failover-orchestrator' });

type TimelineListener = (events: readonly TimelineEvent[]) => void;
const listeners = new Set<TimelineListener>();

/**
 * Logs a step's timeline events as structured logs (one line each, searchable in CloudWatch
 * Logs Insights) and hands them to in-process listeners: the local drill prints them as they
 * happen. The events also travel in the step's output, which is what reports are built from.
 */
export function emitTimeline(events: readonly TimelineEvent[]): void {
  for (const e of events) logger.info('timeline', { timeline: e });
  for (const listener of listeners) listener(events);
}

export function onTimeline(listener: TimelineListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
