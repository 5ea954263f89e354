import type { DetailType, FailoverEventDetail } from './detail.js';

/** What publishing one event came to: EventBridge's EventId, or why it was not published. */
export type PublishOutcome =
  | { published: true; eventId: string; elapsedMs: number }
  | { published: false; reason: string; elapsedMs: number };

/**
 * Publishes the execution's events (src/events/publish.ts on EventBridge). A step receives it in
 * StepDeps; absent, the step publishes nothing (unit tests of other behaviour). Never throws:
 * an event that cannot be published is the step's fact, never its failure.
 */
export interface FailoverEvents {
  /** The region whose default bus takes the events: where this orchestrator runs. */
  readonly region: string;
  publish(detailType: DetailType, detail: FailoverEventDetail): Promise<PublishOutcome>;
}
