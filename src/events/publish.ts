import { EventBridgeClient, PutEventsCommand, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { boundedCall } from '../aws/bounded.js';
import { type ClientRegistry, registerClient } from '../aws/clients.js';
import { logger } from '../timeline/emit.js';
import { type DetailType, type FailoverEventDetail, toEntry } from './detail.js';
import type { FailoverEvents, PublishOutcome } from './types.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts).
registerClient('eventbridge', EventBridgeClient);

/**
 * How long a step waits for its event, SDK retries included. PutEvents normally answers in tens
 * of milliseconds; an event is worth less than the failover it reports, so a bus that does not
 * answer costs a step at most this, then the call is aborted (the abort stops the SDK's retries).
 * Modelling choice: AWS publishes no PutEvents latency figure.
 */
export const PUBLISH_BOUND_MS = 2_000;

/**
 * Per-entry error codes worth one more try. PutEvents reports an entry it could not take in a
 * 200 answer, with FailedEntryCount > 0 and the entry's ErrorCode (EventBridge API Reference,
 * PutEvents: "FailedEntryCount: The number of failed entries"; User Guide, "Sending events with
 * PutEvents", handling failures: "You must detect unsuccessful entries and include them in a
 * subsequent call"). The SDK retries only a failed request, never a failed entry.
 */
const RETRYABLE_ENTRY_ERRORS = new Set(['InternalFailure', 'InternalException', 'ThrottlingException']);

/**
 * Events on the default bus of `region` (the orchestrator's own: the events describe what it does
 * there, and a bus in the failed region may be unreachable). Best effort: a refusal, a silence
 * past PUBLISH_BOUND_MS or an entry EventBridge did not take is logged and returned, never thrown.
 */
export function eventBridgePublisher(
  clients: ClientRegistry,
  region: string,
  boundMs = PUBLISH_BOUND_MS,
): FailoverEvents {
  return {
    region,
    async publish(detailType: DetailType, detail: FailoverEventDetail): Promise<PublishOutcome> {
      const started = Date.now();
      const outcome = await publishOnce(clients, region, detailType, detail, boundMs);
      if (!outcome.published) {
        logger.warn('event not published', {
          event: { detailType, eventId: detail.eventId },
          reason: outcome.reason,
        });
      }
      return { ...outcome, elapsedMs: Date.now() - started };
    },
  };
}

async function publishOnce(
  clients: ClientRegistry,
  region: string,
  detailType: DetailType,
  detail: FailoverEventDetail,
  boundMs: number,
): Promise<PublishOutcome> {
  let entry: ReturnType<typeof toEntry>;
  try {
    entry = toEntry(detailType, detail);
  } catch (error) {
    return { published: false, reason: (error as Error).message, elapsedMs: 0 };
  }
  if (!region)
    return {
      published: false,
      reason: "the orchestrator's region is unknown (AWS_REGION is not set)",
      elapsedMs: 0,
    };
  const deadline = Date.now() + boundMs;
  let last: PutEventsResultEntry | undefined;
  // At most two sends: the first, and one more for an entry failed with a retryable code.
  for (let attempt = 1; attempt <= 2; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const sent = await boundedCall(
      (abortSignal) =>
        clients
          .forRegion(region)
          .eventbridge.send(new PutEventsCommand({ Entries: [entry] }), { abortSignal }),
      left,
    );
    if (!sent.ok) return { published: false, reason: `PutEvents: ${sent.detail}`, elapsedMs: sent.elapsedMs };
    last = sent.value.Entries?.[0];
    if ((sent.value.FailedEntryCount ?? 0) === 0 && last?.EventId) {
      return { published: true, eventId: last.EventId, elapsedMs: sent.elapsedMs };
    }
    if (!RETRYABLE_ENTRY_ERRORS.has(last?.ErrorCode ?? '')) break;
  }
  return {
    published: false,
    reason: `PutEvents: entry not taken: ${last?.ErrorCode ?? 'no ErrorCode'}: ${last?.ErrorMessage ?? 'no EventId returned'}`,
    elapsedMs: 0,
  };
}
